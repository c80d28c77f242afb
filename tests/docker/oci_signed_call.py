"""Run inside the Galley container (Galley's Python): one signed `oci os ns get` against a stub.

The stub listens on the container's own 127.0.0.1 and answers GetNamespace; the CLI gets a key
made by `oci setup keys` and a config naming it. Prints one JSON object: the CLI's exit code
and output, the request the stub saw, and whether its signature verifies with the public key.
This exercises what --help never touches: config, key loading, request signing, HTTP, and
deserializing the answer.
"""

from __future__ import annotations

import base64
import http.server
import json
import os
import re
import subprocess
import sys
import tempfile
import threading

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

NAMESPACE = "galleystubns"
seen: dict[str, str] = {}


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        seen.update(
            path=self.path,
            authorization=self.headers.get("Authorization", ""),
            date=self.headers.get("Date", ""),
            host=self.headers.get("Host", ""),
        )
        body = json.dumps(NAMESPACE).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def signature_verifies(public_pem: bytes) -> bool:
    fields = dict(re.findall(r'(\w+)="([^"]*)"', seen["authorization"]))
    values = {
        "date": seen["date"],
        "(request-target)": f"get {seen['path']}",
        "host": seen["host"],
    }
    signing_string = "\n".join(f"{name}: {values[name]}" for name in fields["headers"].split())
    key = serialization.load_pem_public_key(public_pem)
    assert isinstance(key, rsa.RSAPublicKey)
    try:
        key.verify(
            base64.b64decode(fields["signature"]),
            signing_string.encode(),
            padding.PKCS1v15(),
            hashes.SHA256(),
        )
    except Exception:
        return False
    return True


def main() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = tempfile.mkdtemp()
    subprocess.run(
        ["oci", "setup", "keys", "--output-dir", work, "--passphrase", "N/A"],
        check=True,
        capture_output=True,
    )
    config = os.path.join(work, "config")
    with open(config, "w") as out:
        out.write(
            "[DEFAULT]\n"
            "user=ocid1.user.oc1..aaaastub\n"
            "fingerprint=11:22:33:44:55:66:77:88:99:00:aa:bb:cc:dd:ee:ff\n"
            f"key_file={work}/oci_api_key.pem\n"
            "pass_phrase=N/A\n"
            "tenancy=ocid1.tenancy.oc1..aaaastub\n"
            "region=us-ashburn-1\n"
        )
    os.chmod(config, 0o600)
    endpoint = f"http://127.0.0.1:{server.server_port}"
    command = ["oci", "os", "ns", "get", "--config-file", config, "--auth", "api_key"]
    done = subprocess.run(
        [*command, "--endpoint", endpoint],
        capture_output=True,
        text=True,
        timeout=60,
    )
    with open(os.path.join(work, "oci_api_key_public.pem"), "rb") as public:
        verifies = bool(seen) and signature_verifies(public.read())
    json.dump(
        {
            "returncode": done.returncode,
            "stdout": done.stdout,
            "stderr": done.stderr,
            "request": seen,
            "signature_verifies": verifies,
            "namespace": NAMESPACE,
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()

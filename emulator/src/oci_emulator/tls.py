"""The server certificate for go-plugin's AutoMTLS (server-side TLS only).

Terraform pins the certificate it reads from the handshake line, so a self-signed one is enough.
It is cached (PEM on disk, 0600) so most provider starts skip importing `cryptography`, which
costs ~90 ms of the ~250 ms a start takes.
"""

from __future__ import annotations

import base64
import json
import os
import time
from pathlib import Path

_VALIDITY_S = 30 * 24 * 3600
_RENEW_BEFORE_S = 24 * 3600


def _cache_path() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "oci-emulator" / "tls.json"


def _generate() -> dict[str, str | float]:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(seconds=_VALIDITY_S))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost")]), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=True,
                data_encipherment=False,
                key_agreement=True,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.ExtendedKeyUsage(
                [ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH]
            ),
            critical=True,
        )
        .sign(key, hashes.SHA256())
    )
    return {
        "cert_pem": cert.public_bytes(serialization.Encoding.PEM).decode(),
        "key_pem": key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode(),
        "not_after": time.time() + _VALIDITY_S,
    }


def server_certificate() -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM), from the cache when still valid."""
    path = _cache_path()
    try:
        cached = json.loads(path.read_text())
        if float(cached["not_after"]) - time.time() > _RENEW_BEFORE_S:
            return cached["cert_pem"].encode(), cached["key_pem"].encode()
    except (OSError, ValueError, KeyError):
        pass
    fresh = _generate()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(fresh, f)
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs start time
    return str(fresh["cert_pem"]).encode(), str(fresh["key_pem"]).encode()


def pem_to_handshake(cert_pem: bytes) -> str:
    """go-plugin wants the DER certificate, base64 without padding."""
    body = b"".join(
        line for line in cert_pem.splitlines() if line and not line.startswith(b"-----")
    )
    return base64.b64encode(base64.b64decode(body)).decode().rstrip("=")


def handshake_line(socket_path: str, cert: str) -> str:
    """The go-plugin handshake Terraform reads from a provider's stdout (protocol 6, gRPC)."""
    return f"1|6|unix|{socket_path}|grpc|{cert}"

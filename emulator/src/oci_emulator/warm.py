"""Warm provider starts for the mirror flow: a daemon hands out ready gRPC servers.

Terraform starts a provider process per provider in every phase, and importing grpc + protobuf
costs 0.3-0.6 s each time. With OCI_EMULATOR_DAEMON set (the harness does it in mirror mode), the
launched plugin process only asks the daemon for a fresh TLS gRPC server, prints that server's
handshake line and waits; Terraform then talks to the daemon-hosted server exactly as to its own
process (handshake, TLS, per-process ConfigureProvider, Shutdown). On Shutdown the daemon closes
the control connection and the plugin process exits. If the daemon cannot be reached (or serves
another cloud), the plugin process serves the provider itself.

Protocol on the daemon's unix control socket: one JSON line each way,
  -> {"provider": "oracle/oci", "state_dir": "..."}
  <- {"socket": "...", "cert": "..."}  or  {"error": "..."}
then the connection stays open for the provider's lifetime.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import sys
from pathlib import Path
from typing import Any, TextIO

from oci_emulator.envvars import DAEMON_ENV, STATE_DIR_ENV


def _same_dir(a: str | None, b: str | None) -> bool:
    return bool(a and b) and Path(a).resolve() == Path(b).resolve()  # type: ignore[arg-type]


# --- plugin side (must stay light: no grpc import) --------------------------------------------


def serve_via_daemon(provider_source: str, real_stdout: TextIO) -> bool:
    """Hand Terraform a daemon-hosted server. Returns False (nothing printed) if unavailable."""
    path = os.environ.get(DAEMON_ENV)
    if not path:
        return False
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        conn.settimeout(10)
        conn.connect(path)
        request = {"provider": provider_source, "state_dir": os.environ.get(STATE_DIR_ENV)}
        conn.sendall(json.dumps(request).encode() + b"\n")
        reply = json.loads(conn.makefile("rb").readline() or b"{}")
    except (OSError, ValueError):
        conn.close()
        return False
    if "socket" not in reply:
        conn.close()
        return False
    from oci_emulator.tls import handshake_line

    real_stdout.write(handshake_line(reply["socket"], reply["cert"]) + "\n")
    real_stdout.flush()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: os._exit(0))
    conn.settimeout(None)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass
    os._exit(0)


# --- daemon side -------------------------------------------------------------------------------


def serve_daemon(state_dir: str | None, real_stdout: TextIO, watch_stdin: bool) -> None:
    import shutil
    import tempfile
    import threading
    from concurrent import futures

    import grpc

    from oci_emulator.plugin import add_go_plugin_services, grpc_server
    from oci_emulator.schema import PROVIDERS
    from oci_emulator.store import Store
    from oci_emulator.tls import pem_to_handshake, server_certificate

    store = Store(state_dir)
    cert_pem, key_pem = server_certificate()
    creds = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
    handshake_cert = pem_to_handshake(cert_pem)
    pool = futures.ThreadPoolExecutor(max_workers=32)
    sock_dir = tempfile.mkdtemp(prefix="ociemu-")
    control_path = os.path.join(sock_dir, "control.sock")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind(control_path)
        listener.listen(64)
    except OSError:
        shutil.rmtree(sock_dir, ignore_errors=True)
        raise
    counter = iter(range(1, 1 << 62))
    done = threading.Event()

    def handle(conn: socket.socket) -> None:
        server: Any = None
        path = ""
        try:
            request = json.loads(conn.makefile("rb").readline() or b"{}")
            source = request.get("provider")
            if source not in PROVIDERS or not _same_dir(
                request.get("state_dir"), str(store.state_dir)
            ):
                conn.sendall(b'{"error": "not served by this daemon"}\n')
                return
            server = grpc_server(source, pool, store)

            def shutdown() -> None:
                # Closing the control connection lets the plugin process exit, which is what
                # Terraform waits for after Shutdown.
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)

            add_go_plugin_services(server, shutdown)
            path = os.path.join(sock_dir, f"p{next(counter)}.sock")
            server.add_secure_port(f"unix://{path}", creds)
            server.start()
            conn.sendall(json.dumps({"socket": path, "cert": handshake_cert}).encode() + b"\n")
            while conn.recv(4096):  # until Shutdown, or the plugin process is gone
                pass
        except (OSError, ValueError) as exc:
            sys.stderr.write(f"oci-emulator daemon: control connection failed: {exc!r}\n")
        finally:
            conn.close()
            if server is not None:
                server.stop(grace=0.5)
                with contextlib.suppress(OSError):
                    os.unlink(path)

    def accept_loop() -> None:
        while not done.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=handle, args=(conn,), daemon=True).start()

    threading.Thread(target=accept_loop, daemon=True).start()
    from oci_emulator.plugin import wait_until_stopped

    wait_until_stopped(done, watch_stdin, json.dumps({DAEMON_ENV: control_path}), real_stdout)
    listener.close()
    shutil.rmtree(sock_dir, ignore_errors=True)
    os._exit(0)

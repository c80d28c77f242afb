"""Provider processes: the go-plugin handshake mode Terraform launches, and the reattach mode.

`python -m oci_emulator.plugin oracle/oci` is what the launcher in a provider mirror runs:
Terraform starts it per phase, reads the handshake line, and asks it to shut down afterwards.

`python -m oci_emulator.plugin --reattach` serves both providers on 127.0.0.1 without TLS and
prints a TF_REATTACH_PROVIDERS value; Terraform then uses the running process instead of starting
its own (about 10x faster per command). It runs until SIGTERM/SIGINT or stdin closes.

`python -m oci_emulator.plugin --daemon` keeps warm servers for the first form (see warm.py).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
import tempfile
import threading
from concurrent import futures
from typing import Any, TextIO

from oci_emulator import schema as schema_mod
from oci_emulator.mirror import reattach_for_every_host


def grpc_server(provider_source: str, pool: futures.ThreadPoolExecutor, store: Any) -> Any:
    import grpc
    from tf.gen import tfplugin_pb2_grpc as rpc

    from oci_emulator.server import ProviderService, make_backend

    server = grpc.server(
        pool,
        options=[
            ("grpc.max_receive_message_length", 256 * 1024 * 1024),
            ("grpc.max_send_message_length", 256 * 1024 * 1024),
        ],
    )
    rpc.add_ProviderServicer_to_server(
        ProviderService(make_backend(provider_source, store)), server
    )
    return server


def add_go_plugin_services(server: Any, on_shutdown: Any) -> None:
    from tf.gen import grpc_controller_pb2 as controller_pb
    from tf.gen import grpc_controller_pb2_grpc as controller_rpc
    from tf.gen import grpc_stdio_pb2_grpc as stdio_rpc

    class Controller(controller_rpc.GRPCControllerServicer):
        def Shutdown(self, request: Any, context: Any) -> Any:
            on_shutdown()
            return controller_pb.Empty()

    class Stdio(stdio_rpc.GRPCStdioServicer):
        def StreamStdio(self, request: Any, context: Any) -> Any:
            return iter(())

    controller_rpc.add_GRPCControllerServicer_to_server(Controller(), server)
    stdio_rpc.add_GRPCStdioServicer_to_server(Stdio(), server)


def _guard_stdout() -> TextIO:
    """Send stray prints to stderr; return a handle on the real stdout for the handshake.

    go-plugin treats the first stdout line as the handshake, so nothing else may get there first.
    """
    real = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return real


def serve_plugin(provider_source: str) -> None:
    real_stdout = _guard_stdout()
    from oci_emulator.warm import serve_via_daemon

    serve_via_daemon(provider_source, real_stdout)  # returns only if no daemon can serve
    import grpc

    from oci_emulator.tls import handshake_line, pem_to_handshake, server_certificate

    done = threading.Event()
    pool = futures.ThreadPoolExecutor(max_workers=8)
    server = grpc_server(provider_source, pool, None)
    add_go_plugin_services(server, done.set)
    cert_pem, key_pem = server_certificate()
    # Server-only TLS: Terraform's client certificate (ECDSA P-521) is not accepted by grpcio.
    creds = grpc.ssl_server_credentials([(key_pem, cert_pem)], require_client_auth=False)
    sock_dir = tempfile.mkdtemp(prefix="ociemu-")
    try:
        sock = os.path.join(sock_dir, "plugin.sock")
        server.add_secure_port(f"unix://{sock}", creds)
        server.start()
        handshake = handshake_line(sock, pem_to_handshake(cert_pem))
        wait_until_stopped(done, watch_stdin=False, announce=handshake, out=real_stdout)
        server.stop(grace=0.1).wait(0.5)
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)
    # Skip interpreter teardown (thread joins): Terraform waits for this process to exit.
    os._exit(0)


def serve_reattach(state_dir: str | None = None, watch_stdin: bool = False) -> None:
    """Serve every provider without TLS; print the TF_REATTACH_PROVIDERS JSON on one line.

    The servers listen on loopback TCP rather than unix sockets: Terraform opens one connection
    per provider configuration, and only TCP gives each connection a distinct peer address, so
    the backend can keep each configuration's region apart (provider aliases for two regions).
    """
    real_stdout = _guard_stdout()
    from oci_emulator.store import Store

    store = Store(state_dir)
    done = threading.Event()
    pool = futures.ThreadPoolExecutor(max_workers=16)
    specs = tuple(schema_mod.PROVIDERS.values())
    # Servers first: they load the schemas, the usual reason a start fails.
    servers = [grpc_server(spec.source, pool, store) for spec in specs]
    reattach: dict[str, Any] = {}
    for spec, server in zip(specs, servers, strict=True):
        # Terraform does not shut down reattached providers; a Shutdown call is ignored.
        add_go_plugin_services(server, lambda: None)
        port = server.add_insecure_port("127.0.0.1:0")
        server.start()
        reattach[spec.address] = {
            "Protocol": "grpc",
            "ProtocolVersion": 6,
            "Pid": os.getpid(),
            "Test": True,
            "Addr": {"Network": "tcp", "String": f"127.0.0.1:{port}"},
        }
    # Keyed for Terraform's and OpenTofu's registry hosts alike: each engine reads its own.
    announce = json.dumps(reattach_for_every_host(reattach))
    wait_until_stopped(done, watch_stdin, announce=announce, out=real_stdout)
    for server in servers:
        server.stop(grace=0.1)
    os._exit(0)


def wait_until_stopped(
    done: threading.Event, watch_stdin: bool, announce: str, out: TextIO
) -> None:
    """Print `announce`, then block until SIGTERM/SIGINT or (watch_stdin) stdin's end."""
    # Handlers first: a parent may signal as soon as it has read the line.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    out.write(announce + "\n")
    out.flush()

    def wait_for_stdin_eof() -> None:
        # The parent holds our stdin open; when it dies, stdin closes and we stop too.
        try:
            while sys.stdin.buffer.read(1024):
                pass
        finally:
            done.set()

    if watch_stdin:
        threading.Thread(target=wait_for_stdin_eof, daemon=True).start()
    done.wait()


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in ("--reattach", "--daemon"):
        state_dir = None
        if "--state-dir" in args:
            state_dir = args[args.index("--state-dir") + 1]
        if args[0] == "--reattach":
            serve_reattach(state_dir, watch_stdin="--watch-stdin" in args)
        else:
            from oci_emulator.warm import serve_daemon

            serve_daemon(state_dir, _guard_stdout(), watch_stdin="--watch-stdin" in args)
        return
    if len(args) != 1 or args[0] not in schema_mod.PROVIDERS:
        sys.stderr.write(
            f"usage: python -m oci_emulator.plugin {{{'|'.join(schema_mod.PROVIDERS)}}}\n"
            "       python -m oci_emulator.plugin --reattach|--daemon [--state-dir DIR]"
            " [--watch-stdin]\n"
            "The first form is a Terraform provider plugin: Terraform starts it itself.\n"
        )
        sys.exit(2)
    serve_plugin(args[0])


if __name__ == "__main__":
    main()

"""HTTPS listeners on 127.0.0.1, one per API gateway, served by aiohttp in the daemon's loop.

A gateway keeps its port across daemon restarts (remembered in ``ports.json``) so a printed URL
stays valid; when that port is taken, the listener takes a free one.
"""

from __future__ import annotations

import asyncio
import errno
import json
import socket
import ssl
from pathlib import Path

from aiohttp import web

from oci_emulator.dataplane.addresses import LOOPBACK
from oci_emulator.dataplane.proxy import GatewayApp

_STOP_TIMEOUT_S = 5.0
# MCP clients keep connections open between calls; OCI's gateway keeps idle ones ~75 s too.
_KEEP_ALIVE_S = 75.0


def _bind(port: int) -> socket.socket:
    # proto IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY only on sockets that say TCP, and
    # without it a response written in parts waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((LOOPBACK, port))
    except OSError:
        sock.close()
        raise
    sock.listen(128)
    sock.setblocking(False)
    return sock


class PortBook:
    """Which port each gateway had, on disk."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def _read(self) -> dict[str, int]:
        try:
            return {k: int(v) for k, v in json.loads(self._path.read_text()).items()}
        except (OSError, ValueError):
            return {}

    def get(self, gateway_id: str) -> int:
        return self._read().get(gateway_id, 0)

    def put(self, gateway_id: str, port: int) -> None:
        ports = self._read()
        ports[gateway_id] = port
        self._path.write_text(json.dumps(ports, indent=1, sort_keys=True))

    def forget(self, gateway_id: str) -> None:
        ports = self._read()
        if ports.pop(gateway_id, None) is not None:
            self._path.write_text(json.dumps(ports, indent=1, sort_keys=True))


def covers(names: tuple[str, ...], host: str) -> bool:
    """A certificate's DNS names cover host: equal, or a wildcard for its first label only
    (RFC 6125 6.4.3, as clients check it)."""
    host = host.lower().rstrip(".")
    for name in (n.lower().rstrip(".") for n in names):
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:]:
            return True
    return False


class Listener:
    """A gateway's HTTPS listener. It presents the certificate of the gateway's generated
    hostname, or, to a client whose SNI names a host the gateway's own certificate covers (a
    custom domain), that certificate, as OCI's gateway does."""

    def __init__(self, gateway_id: str, app: GatewayApp, cert: Path, key: Path) -> None:
        self.gateway_id = gateway_id
        self.app = app
        self.port = 0
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(cert, key)
        self._tls.sni_callback = self._pick_certificate
        # Swapped whole on a certificate change: a handshake sees the old pair or the new one.
        self._custom: tuple[tuple[str, ...], ssl.SSLContext] | None = None
        self._handler: web.Server | None = None
        self._server: asyncio.AbstractServer | None = None

    def use_certificate(self, names: tuple[str, ...], cert: Path, key: Path) -> None:
        """Present cert (chain) and key to clients asking for one of names, from the next
        handshake on; connections already open keep theirs."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        self._custom = (names, context)

    def drop_certificate(self) -> None:
        self._custom = None

    def _pick_certificate(
        self, connection: ssl.SSLObject, server_name: str | None, _: ssl.SSLContext
    ) -> None:
        custom = self._custom
        if custom is not None and server_name and covers(custom[0], server_name):
            connection.context = custom[1]

    async def start(self, wanted_port: int) -> int:
        try:
            sock = _bind(wanted_port)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE or wanted_port == 0:
                raise
            sock = _bind(0)
        self.port = sock.getsockname()[1]
        # No access log: the URL carries the token (the module keeps OCI's access log off too).
        # handler_cancellation: a client that leaves ends its handler and the backend stream.
        self._handler = web.Server(
            self.app,
            handler_cancellation=True,
            access_log=None,
            keepalive_timeout=_KEEP_ALIVE_S,
        )
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(self._handler, sock=sock, ssl=self._tls)
        return self.port

    async def stop(self) -> None:
        if self._server is None or self._handler is None:
            return
        self._server.close()
        await self._handler.shutdown(timeout=_STOP_TIMEOUT_S)
        await asyncio.wait_for(self._server.wait_closed(), _STOP_TIMEOUT_S)
        self._server = self._handler = None

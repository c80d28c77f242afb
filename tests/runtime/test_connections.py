"""Connections that send a request too slowly, or nothing, are closed within documented bounds
(src/galley/http_protocol.py); kept-alive connections of real clients stay open."""

import select
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import uvicorn

from galley.http_protocol import BODY_IDLE_TIMEOUT_SECONDS, HEAD_TIMEOUT_SECONDS
from galley.runtime_state import RuntimeState
from galley.server import build_config
from galley.settings import load_settings

MARGIN = 6.0  # seconds of scheduling slack on a loaded 2-core machine
HEALTH = b"GET /health HTTP/1.1\r\nHost: galley\r\n\r\n"


@dataclass
class Probe:
    """One raw connection and when (seconds after the start of the watch) it was closed."""

    name: str
    sock: socket.socket
    drip: bytes = b""  # sent one byte every DRIP_SECONDS while watched
    closed_at: float | None = None
    received: bytes = field(default=b"")


DRIP_SECONDS = 2.0


def connect(port: int, name: str, first: bytes = b"", drip: bytes = b"") -> Probe:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.setblocking(False)
    if first:
        sock.sendall(first)
    return Probe(name, sock, drip)


def read_response(sock: socket.socket, timeout: float = 10) -> bytes:
    """One small response (headers and a short body), read with a bounded wait."""
    data = b""
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in data or not data.endswith(b"}"):
        ready, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no full response within {timeout}s: {data!r}"
        chunk = sock.recv(65536)
        assert chunk, f"connection closed after {data!r}"
        data += chunk
    return data


def watch(probes: list[Probe], seconds: float) -> None:
    """For `seconds`, note when each probe's connection is closed by the server."""
    began = time.monotonic()
    next_drip = began + DRIP_SECONDS
    while (now := time.monotonic()) < began + seconds:
        open_probes = [p for p in probes if p.closed_at is None]
        if not open_probes:
            return
        timeout = max(0.0, min(began + seconds, next_drip) - now)
        readable, _, _ = select.select([p.sock for p in open_probes], [], [], timeout)
        for probe in open_probes:
            if probe.sock not in readable:
                continue
            try:
                chunk = probe.sock.recv(65536)
            except ConnectionResetError:
                chunk = b""
            if chunk:
                probe.received += chunk
            else:
                probe.closed_at = time.monotonic() - began
        if time.monotonic() >= next_drip:
            next_drip += DRIP_SECONDS
            for probe in open_probes:
                if probe.drip and probe.closed_at is None:
                    byte, probe.drip = probe.drip[:1], probe.drip[1:]
                    probe.sock.send(byte)


def test_slow_and_silent_clients_are_cut_off_and_keep_alive_is_kept(galley):
    port = galley.port
    # With the token, so that the MCP endpoint really waits for the body.
    body_start = (
        f"POST /mcp?token={galley.token} HTTP/1.1\r\nHost: galley\r\n"
        "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
        'Content-Length: 100\r\n\r\n{"jsonrpc":'
    ).encode()
    kept_alive = connect(port, "kept-alive", HEALTH)
    assert b" 200 " in read_response(kept_alive.sock)
    probes = [
        connect(port, "half request line", b"POST /mcp?tok"),
        connect(port, "half headers", b"POST /mcp HTTP/1.1\r\nHost: galley\r\nContent-Ty"),
        # Slowloris: a byte every 2 s keeps it busy, never complete; the head's time is total.
        connect(port, "dripping headers", b"GET /health HTTP/1.1\r\n", drip=b"X-Slow: " * 10),
        connect(port, "half body", body_start),
        connect(port, "silent new connection"),
        kept_alive,
    ]
    try:
        watch(probes, HEAD_TIMEOUT_SECONDS + MARGIN)
        closed = {p.name: p.closed_at for p in probes}
        for name in ("half request line", "half headers", "dripping headers"):
            assert closed[name] is not None, f"{name}: still open"
            assert HEAD_TIMEOUT_SECONDS - 0.5 <= closed[name] <= HEAD_TIMEOUT_SECONDS + MARGIN
        assert closed["half body"] is not None, "half body: still open"
        assert closed["half body"] <= BODY_IDLE_TIMEOUT_SECONDS + MARGIN
        for probe in probes[:4]:
            assert probe.received == b"", probe.name  # cut off without an answer
        # Idle, with no request begun: closed only after the keep-alive time (75 s), so a
        # gateway's pooled connection is still there for its next request.
        assert closed["silent new connection"] is None
        assert closed["kept-alive"] is None
        for probe in (kept_alive, probes[4]):
            probe.sock.sendall(HEALTH)
            assert b" 200 " in read_response(probe.sock)
    finally:
        for probe in probes:
            probe.sock.close()
    # Said once, as the request it ends was already in the application's hands.
    assert f"no request body for {BODY_IDLE_TIMEOUT_SECONDS:g}s" in galley.logs()


@pytest.fixture
def short_keep_alive_server(tmp_path, unused_port) -> Iterator[int]:
    """Galley's uvicorn configuration in this process, with a 1 s keep-alive time: the idle bound
    is that setting, 75 s in production (test_server_config.py)."""
    settings = load_settings(
        {
            "GALLEY_HOST": "127.0.0.1",
            "GALLEY_PORT": str(unused_port),
            "GALLEY_URL_TOKEN": "0123456789abcdef",
            "GALLEY_DATA_DIR": str(tmp_path / "data"),
        }
    )
    config = build_config(settings, RuntimeState())
    config.timeout_keep_alive = 1
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield unused_port
    server.should_exit = True
    thread.join(timeout=30)


def test_idle_connections_are_closed_after_the_keep_alive_time(short_keep_alive_server):
    port = short_keep_alive_server
    used = connect(port, "after a response", HEALTH)
    assert b" 200 " in read_response(used.sock)
    probes = [connect(port, "silent new connection"), used]
    try:
        watch(probes, 1 + MARGIN)
        for probe in probes:
            assert probe.closed_at is not None, f"{probe.name}: still open"
            assert probe.closed_at <= 1 + MARGIN
    finally:
        for probe in probes:
            probe.sock.close()

"""uvicorn's h11 protocol with bounds on time, connections and framing.

uvicorn's own protocols time nothing out while a request is being read or a response written,
cap nothing but requests, and follow h11 wherever it goes. Here, as nginx does with
client_header_timeout, client_body_timeout, send_timeout and worker_connections:

- idle, with no byte of a request yet (a new connection, or a kept-alive one between requests):
  closed after `timeout_keep_alive` (75 s, see server.py: it must outlast the gateway's pool);
- a request's head (request line and headers) must be complete within HEAD_TIMEOUT_SECONDS of
  its first byte;
- its body must keep arriving (closed after BODY_IDLE_TIMEOUT_SECONDS without a byte of it) and
  be complete within BODY_TOTAL_TIMEOUT_SECONDS of its start, however it trickles in;
- a client that does not read its response may hold it up for RESPONSE_STALL_SECONDS in all,
  then the connection is aborted (its buffered response freed);
- at most `max_connections` connections at once, below the file-descriptor limit: beyond it the
  oldest idle connection is closed (nginx does the same with its keep-alive connections), or,
  when every connection is busy, the new one is refused with a 503 and closed;
- a request with both Content-Length and Transfer-Encoding is refused with 400 and its
  connection closed (RFC 9112 §6.3: such a message may be smuggling, and the server MUST close).

The application's own time to answer is not bounded here. h11 already caps a head at 16 KiB
(uvicorn answers 400 beyond); the SDK caps a body at MAX_BODY_BYTES (413 beyond).
"""

import asyncio
import logging
import resource
import time
from enum import Enum
from typing import Any

import h11
from mcp.server.transport_security import DEFAULT_MAX_REQUEST_BODY_SIZE
from uvicorn.protocols.http.h11_impl import H11Protocol

from galley.logs import BurstLog

HEAD_TIMEOUT_SECONDS = 10.0
BODY_IDLE_TIMEOUT_SECONDS = 10.0
MAX_BODY_BYTES = DEFAULT_MAX_REQUEST_BODY_SIZE  # 4 MiB: the SDK refuses larger bodies (413)
# The largest body at 160 KiB/s: far below any link a gateway or an MCP host sends from, far
# above what a client trickling bytes to pin 4 MiB of memory per connection achieves.
MIN_TRANSFER_BYTES_PER_SECOND = 160 * 1024
BODY_TOTAL_TIMEOUT_SECONDS = MAX_BODY_BYTES / MIN_TRANSFER_BYTES_PER_SECOND  # 25.6 s
# Galley's responses are far smaller than its largest request; the same bound is generous.
RESPONSE_STALL_SECONDS = BODY_TOTAL_TIMEOUT_SECONDS
MAX_CONNECTIONS = 1024
# File descriptors kept out of the connections' reach: the listener, stdio, the event loop's,
# the CLIs' pipes, /proc and data-dir probes, log files.
RESERVED_FDS = 32

logger = logging.getLogger("galley")
_overload_log = BurstLog(logger, "connection limit reached")
# One client can open many slow connections: one line per burst, not one per connection.
_slow_log = BurstLog(logger, "closing slow connections")

REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Retry-After: 1\r\n"
    b"Connection: close\r\n"
    b"Content-Length: 42\r\n\r\n"
    b"too many connections open: try again later"
)


def connection_cap() -> int:
    """How many connections may be open at once, from the file-descriptor limit."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(4, min(MAX_CONNECTIONS, soft - RESERVED_FDS, soft // 2))


class _StrictConnection(h11.Connection):
    """h11, refusing the ambiguous framing h11 itself resolves in favour of Transfer-Encoding."""

    def next_event(self) -> Any:
        event = super().next_event()
        if isinstance(event, h11.Request):
            names = {name.lower() for name, _ in event.headers}
            if b"content-length" in names and b"transfer-encoding" in names:
                # uvicorn answers a RemoteProtocolError with 400 and closes the connection.
                raise h11.RemoteProtocolError(
                    "both Content-Length and Transfer-Encoding", error_status_hint=400
                )
        return event


class _Phase(Enum):
    IDLE = "idle"
    HEAD = "head"
    BODY = "body"


class BoundedH11Protocol(H11Protocol):
    """H11Protocol closing connections that are idle, slow, or too many.

    One read timer per connection follows h11's view of the client: waiting for a request (idle
    or part of a head received) or sending a body; a second one bounds a body's total time. While
    the application answers, or during uvicorn's own keep-alive wait after a response, no read
    timer of this class runs; a write timer runs while the client does not read the answer.
    """

    head_timeout = HEAD_TIMEOUT_SECONDS
    body_idle_timeout = BODY_IDLE_TIMEOUT_SECONDS
    body_total_timeout = BODY_TOTAL_TIMEOUT_SECONDS
    response_stall_timeout = RESPONSE_STALL_SECONDS
    max_connections: int | None = None  # None: connection_cap(), read once per process

    _read_timer: asyncio.TimerHandle | None = None
    _read_phase: _Phase | None = None
    _body_timer: asyncio.TimerHandle | None = None
    _write_timer: asyncio.TimerHandle | None = None
    _write_paused_at: float | None = None
    _write_stall_left: float = RESPONSE_STALL_SECONDS
    _opened_at: float = 0.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.conn = _StrictConnection(h11.SERVER, self.conn._max_incomplete_event_size)
        self._write_stall_left = self.response_stall_timeout
        if BoundedH11Protocol.max_connections is None:
            BoundedH11Protocol.max_connections = connection_cap()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._opened_at = time.monotonic()
        if not self._within_cap():
            return
        self._follow_client()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._read_phase is _Phase.BODY:
            self._stop_read_timer()  # progress: the body's idle time starts again
        self._follow_client()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._write_timer is None:
            # Each response has its own budget; one still being flushed keeps counting (uvicorn
            # hands a whole body to the transport at once, so "complete" says nothing of it).
            self._write_stall_left = self.response_stall_timeout
        self._follow_client()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_read_timer()
        self._stop_body_timer()
        self._stop_write_timer()
        super().connection_lost(exc)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_timer is None and not self.transport.is_closing():
            self._write_paused_at = time.monotonic()
            self._write_timer = self.loop.call_later(
                max(0.0, self._write_stall_left), self._write_timed_out
            )

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_paused_at is not None:
            self._write_stall_left -= time.monotonic() - self._write_paused_at
        self._stop_write_timer()

    # The connection cap.

    def is_idle(self) -> bool:
        """No request under way: nothing is lost by closing it (the client opens another)."""
        return (
            not self.transport.is_closing()
            and (self.cycle is None or self.cycle.response_complete)
            and self.conn.their_state is h11.IDLE
            and not self.conn.trailing_data[0]
        )

    def _within_cap(self) -> bool:
        """Make room for this new connection, or refuse it; False when it was refused."""
        cap = self.max_connections or MAX_CONNECTIONS
        open_now = [c for c in self.connections if not c.transport.is_closing()]
        if len(open_now) <= cap:
            return True
        idle = [c for c in open_now if c is not self and isinstance(c, BoundedH11Protocol)]
        idle = [c for c in idle if c.is_idle()]
        if idle:
            oldest = min(idle, key=lambda c: c._opened_at)
            oldest.transport.close()
            _overload_log.note(f"{cap} connections open: closing the oldest idle ones")
            return True
        _overload_log.note(f"{cap} connections open, none idle: refusing new ones with 503")
        self.transport.write(REFUSAL)
        self.transport.close()
        return False

    # Read and write timers.

    def _follow_client(self) -> None:
        if self.transport.is_closing():
            self._stop_read_timer()
            self._stop_body_timer()
            return
        state = self.conn.their_state
        if state is h11.IDLE:
            buffered, _ = self.conn.trailing_data
            if buffered:
                self._start_read_timer(_Phase.HEAD, self.head_timeout)
            elif self.timeout_keep_alive_task is None:
                # A new connection: uvicorn only times out kept-alive ones, after a response.
                self._start_read_timer(_Phase.IDLE, self.timeout_keep_alive)
            else:
                self._stop_read_timer()  # uvicorn's keep-alive timer runs
        elif state is h11.SEND_BODY:
            self._start_read_timer(_Phase.BODY, self.body_idle_timeout)
            if self._body_timer is None:
                self._body_timer = self.loop.call_later(
                    self.body_total_timeout, self._body_total_timed_out
                )
        else:
            self._stop_read_timer()  # the request is in: the application's turn
        if state is not h11.SEND_BODY:
            self._stop_body_timer()

    def _start_read_timer(self, phase: _Phase, seconds: float) -> None:
        if self._read_phase is phase:
            return  # already timing this phase from its start
        self._stop_read_timer()
        self._read_phase = phase
        self._read_timer = self.loop.call_later(seconds, self._read_timed_out, phase, seconds)

    def _stop_read_timer(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
        self._read_timer = None
        self._read_phase = None

    def _stop_body_timer(self) -> None:
        if self._body_timer is not None:
            self._body_timer.cancel()
        self._body_timer = None

    def _stop_write_timer(self) -> None:
        if self._write_timer is not None:
            self._write_timer.cancel()
        self._write_timer = None
        self._write_paused_at = None

    def _client_name(self) -> str:
        return "{}:{}".format(*self.client) if self.client else "a client"

    def _read_timed_out(self, phase: _Phase, seconds: float) -> None:
        self._read_timer = None
        self._read_phase = None
        if self.transport.is_closing():
            return
        if phase is _Phase.BODY and self.flow.read_paused:
            # uvicorn stopped reading (the application has not taken the body so far): the
            # client cannot send, so the wait is not its doing.
            self._start_read_timer(phase, seconds)
            return
        if phase is _Phase.BODY:
            # The application is waiting for this body: say why its request ends.
            _slow_log.note(f"{self._client_name()}: no request body for {seconds:g}s")
        self._close()

    def _body_total_timed_out(self) -> None:
        self._body_timer = None
        if self.transport.is_closing() or self.conn.their_state is not h11.SEND_BODY:
            return
        _slow_log.note(
            f"{self._client_name()}: request body not complete within {self.body_total_timeout:g}s"
        )
        self._close()

    def _write_timed_out(self) -> None:
        self._write_timer = None
        if self.transport.is_closing():
            return
        _slow_log.note(
            f"{self._client_name()}: response not read for {self.response_stall_timeout:g}s"
        )
        # abort(), not close(): close() would wait for the unread response to be flushed.
        self.transport.abort()

    def _close(self) -> None:
        self._stop_read_timer()
        self._stop_body_timer()
        self.transport.close()

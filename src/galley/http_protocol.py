"""uvicorn's h11 protocol with bounds on how long a client may take to send its request.

uvicorn's own protocols time nothing out while a request is being read: a connection that sends
half a request line or half its headers and stops (slowloris), or stops half-way through a body,
is kept forever, and a new connection may stay silent forever. Here, as with nginx's
client_header_timeout and client_body_timeout:

- idle, with no byte of a request yet (a new connection, or a kept-alive one between requests):
  closed after `timeout_keep_alive` (75 s, see server.py: it must outlast the gateway's pool);
- a request's head (request line and headers) must be complete within HEAD_TIMEOUT_SECONDS of
  its first byte;
- its body must keep arriving: closed after BODY_IDLE_TIMEOUT_SECONDS without a byte of it.

The application's own time to answer is not bounded here. h11 already caps a head at 16 KiB
(uvicorn answers 400 beyond).
"""

import asyncio
import logging
from enum import Enum

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEAD_TIMEOUT_SECONDS = 10.0
BODY_IDLE_TIMEOUT_SECONDS = 10.0

logger = logging.getLogger("galley")


class _Phase(Enum):
    IDLE = "idle"
    HEAD = "head"
    BODY = "body"


class BoundedH11Protocol(H11Protocol):
    """H11Protocol closing connections that are idle, or slow to send a request, too long.

    One timer per connection follows h11's view of the client: waiting for a request (idle or
    part of a head received) or sending a body. While the application answers, or during
    uvicorn's own keep-alive wait after a response, no timer of this class runs.
    """

    head_timeout = HEAD_TIMEOUT_SECONDS
    body_idle_timeout = BODY_IDLE_TIMEOUT_SECONDS

    _read_timer: asyncio.TimerHandle | None = None
    _read_phase: _Phase | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._follow_client()

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self._read_phase is _Phase.BODY:
            self._stop_read_timer()  # progress: the body's idle time starts again
        self._follow_client()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._follow_client()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_read_timer()
        super().connection_lost(exc)

    def _follow_client(self) -> None:
        if self.transport.is_closing():
            self._stop_read_timer()
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
        else:
            self._stop_read_timer()  # the request is in: the application's turn

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
            client = "{}:{}".format(*self.client) if self.client else "a client"
            logger.warning("closing the connection of %s: no request body for %gs", client, seconds)
        self.transport.close()

"""Logging set-up: one line per record, whatever a client puts in it, and bounded bursts.

Clients reach log records through error messages (an SDK `ValueError` quoting a prompt's name,
a malformed request's text): a newline there would write a line of the client's choosing, a
forged access-log line for instance. Every record is therefore written as one line, its control
characters escaped (`\\n`, `\\r`, `\\x1b`, ...), tracebacks included: a record's first line is
always Galley's own, and on OCI Logging, which stores one entry per line, a traceback stays one
entry instead of twenty.
"""

import asyncio
import logging
import re
from typing import Any

from starlette.requests import ClientDisconnect

BURST_WINDOW_SECONDS = 10.0
# C0 controls but tab, DEL, C1 controls, and the Unicode line and paragraph separators: each
# ends a line for some terminal or log viewer.
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED = {"\n": "\\n", "\r": "\\r"}


def one_line(text: str) -> str:
    """`text` with every character that could start a new line escaped."""
    return _CONTROL.sub(lambda m: _NAMED.get(m[0], f"\\x{ord(m[0]):02x}"), text)


class OneLineFormatter(logging.Formatter):
    """Format with another formatter, then escape the result onto one line."""

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__()
        self._inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return one_line(self._inner.format(record))


class ClientDisconnectFilter(logging.Filter):
    """A client that goes away mid-request is no server error: one line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], ClientDisconnect):
            record.msg = "client disconnected before its request was complete"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
            record.levelno, record.levelname = logging.INFO, "INFO"
        return True


def make_records_one_line(loggers: tuple[str, ...] = ("", "uvicorn", "uvicorn.access")) -> None:
    """Wrap the formatter of every handler of `loggers` (root first): call after uvicorn has
    configured its own logging."""
    for name in loggers:
        for handler in logging.getLogger(name).handlers:
            if not isinstance(handler.formatter, OneLineFormatter):
                handler.setFormatter(OneLineFormatter(handler.formatter))
            if not any(isinstance(f, ClientDisconnectFilter) for f in handler.filters):
                handler.addFilter(ClientDisconnectFilter())


class BurstLog:
    """One warning when a burst of the same event starts, one summary line per window after.

    For events a client can cause by the thousand (connections refused, accept() failing): the
    log says what happens and how often, without a line per event.
    """

    def __init__(self, logger: logging.Logger, what: str) -> None:
        self._logger = logger
        self._what = what
        self._count = 0
        self._latest = ""
        self._timer: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def note(self, detail: str) -> None:
        # A window belongs to one event loop (one per server; tests run several in turn).
        if self._timer is None or self._loop is not asyncio.get_event_loop():
            self._logger.warning("%s: %s", self._what, detail)
            self._count = 0
            self._arm()
            return
        self._count += 1
        self._latest = detail

    def _arm(self) -> None:
        self._loop = asyncio.get_event_loop()
        self._timer = self._loop.call_later(BURST_WINDOW_SECONDS, self._flush)

    def _flush(self) -> None:
        self._timer = None
        if self._count:
            self._logger.warning(
                "%s: %d more times in the last %gs (latest: %s)",
                self._what,
                self._count,
                BURST_WINDOW_SECONDS,
                self._latest,
            )
            self._count = 0
            self._arm()  # still under way: the next events are summed up too


def quiet_accept_errors(loop: asyncio.AbstractEventLoop, logger: logging.Logger) -> None:
    """Turn asyncio's traceback per failed accept() (thousands a second when file descriptors
    run out) into BurstLog lines; every other loop error keeps the default handling."""
    burst = BurstLog(logger, "cannot accept connections")
    previous = loop.get_exception_handler()

    def handle(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        if context.get("message") == "socket.accept() out of system resource":
            exc = context.get("exception")
            burst.note(getattr(exc, "strerror", None) or str(exc))
            return
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    loop.set_exception_handler(handle)

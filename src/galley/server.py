"""Run the app under uvicorn, draining on SIGTERM/SIGINT within a bounded grace period."""

import asyncio
import logging
import math
import os
import signal
import time
from types import FrameType

import uvicorn

from galley.app import build_app
from galley.audit import setup_audit_logger
from galley.audit_shipping import Shipper, start_shipping
from galley.http_protocol import BoundedH11Protocol
from galley.logs import make_records_one_line, quiet_accept_errors
from galley.orphans import reap_orphans
from galley.runtime_state import RuntimeState
from galley.settings import Settings

logger = logging.getLogger("galley")


class GalleyServer(uvicorn.Server):
    """uvicorn's server with a drain phase before its own shutdown.

    On the first signal /ready turns 503 and the server keeps listening and
    answering until no request is in flight or `grace` seconds have passed; then
    uvicorn closes the listener and gets what is left of the grace period to let
    open connections finish (at least 1 s). CUT_SECONDS before the grace ends, the MCP
    requests still running are ended with a JSON-RPC error (app.DrainCut), so that their
    clients learn why and can retry elsewhere instead of seeing a stream end mid-way.
    A second signal skips the wait, a third cancels the remaining requests.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        state: RuntimeState,
        grace: float,
        shipper: Shipper | None = None,
    ) -> None:
        super().__init__(config)
        self._state = state
        self._grace = grace
        self._drain_deadline: float | None = None
        self._shipper = shipper
        self._shipping: asyncio.Task[None] | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Unlike uvicorn's, this does not record the signal for re-raising after shutdown,
        # which would make the process die of SIGTERM (status 143) even after a complete
        # drain: Galley exits 0 so the container runtime records a clean stop.
        if not self._state.draining:
            name = signal.Signals(sig).name
            logger.info("%s received: draining for up to %gs", name, self._grace)
            self._state.draining = True
            self._drain_deadline = time.monotonic() + self._grace
        elif not self.should_exit:
            self.should_exit = True
        else:
            self.force_exit = True

    async def startup(self, sockets: list | None = None) -> None:
        quiet_accept_errors(asyncio.get_running_loop(), logger)
        await super().startup(sockets)
        if self._shipper is not None:
            self._shipping = asyncio.create_task(self._shipper.run())

    async def shutdown(self, sockets: list | None = None) -> None:
        await super().shutdown(sockets)
        if self._shipper is not None and self._shipping is not None:
            # The requests are done: what they recorded goes out before the process ends, in
            # what is left of the grace. Past it OCI kills the container: a Logging service that
            # does not answer must not hold the exit until then.
            self._shipping.cancel()
            await asyncio.gather(self._shipping, return_exceptions=True)
            deadline = self._drain_deadline or time.monotonic() + self._grace
            try:
                await asyncio.wait_for(self._shipper.drain(), max(1.0, deadline - time.monotonic()))
            except TimeoutError:
                logger.warning(
                    "shutdown: %d audit records not shipped within the grace period",
                    len(self._shipper.queue),
                )

    async def on_tick(self, counter: int) -> bool:
        if self._drain_deadline is not None and not self.should_exit:
            remaining = self._drain_deadline - time.monotonic()
            if remaining <= CUT_SECONDS and self._state.in_flight:
                self._state.cut.set()
            if self._state.in_flight == 0 or remaining <= 0:
                self.config.timeout_graceful_shutdown = max(1, math.ceil(remaining))
                self.should_exit = True
        if counter % REAP_EVERY_TICKS == 0 and os.getpid() == 1:
            # Daemons a CLI started in a session of their own end up here when they exit.
            reap_orphans()
        return await super().on_tick(counter)


# How long before the end of the drain the requests still running are ended with an error:
# enough for the error to be written and the connection closed in order.
CUT_SECONDS = 1.0
REAP_EVERY_TICKS = 100  # uvicorn ticks every 0.1 s: a sweep of /proc every 10 s
# The listen queue, which is also how many connections asyncio accepts in one go: after a failed
# accept() (no file descriptor left) it keeps trying for as many, each logged, uvicorn's 2048
# turning one event into thousands of lines. 128 is Linux's former SOMAXCONN.
BACKLOG = 128


# Idle keep-alive connections stay open this long. uvicorn's default (5 s) is far below the idle
# timeout proxies commonly keep pooled upstream connections for (60 s is typical), so the backend
# closes a connection just as the gateway reuses it, and that request ends in a sporadic 502.
# The backend must outlast the proxy, not the other way round; 75 s leaves a margin over 60 s.
KEEP_ALIVE_SECONDS = 75


def build_config(settings: Settings, state: RuntimeState) -> uvicorn.Config:
    return uvicorn.Config(
        build_app(settings, state),
        host=settings.host,
        port=settings.port,
        # h11 with time limits on reading requests (slowloris); never httptools, even if present.
        http=BoundedH11Protocol,
        ws="none",  # nothing here speaks WebSocket; one protocol less to expose
        lifespan="on",
        server_header=False,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        timeout_graceful_shutdown=max(1, math.ceil(settings.shutdown_grace_seconds)),
        backlog=BACKLOG,
    )


def serve(settings: Settings) -> int:
    """Serve until stopped; return the process exit status."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)-9s %(name)s: %(message)s")
    # In stateless mode this logs "Terminating session: None" after every request.
    logging.getLogger("mcp.server.streamable_http").setLevel(logging.WARNING)
    state = RuntimeState()
    config = build_config(settings, state)  # configures uvicorn's loggers
    make_records_one_line()
    setup_audit_logger()
    shipper = start_shipping(settings.audit_log_id)
    server = GalleyServer(config, state, settings.shutdown_grace_seconds, shipper)
    server.run()
    return 0 if server.started else 3

"""Container health checks as Container Instances run them: HTTP (2xx/3xx is healthy) or TCP
probes every interval after an initial delay, thresholds of consecutive results, and the
failure action (KILL) once the container is unhealthy."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import aiohttp

from oci_emulator.dataplane.addresses import LOOPBACK
from oci_emulator.dataplane.desired import HealthCheck


@dataclass
class HealthState:
    status: str = "UNKNOWN"  # UNKNOWN, HEALTHY, UNHEALTHY
    failures: int = 0
    successes: int = 0
    details: str = "not probed yet"  # the last probe's outcome: the status_details OCI reports

    def record(self, check: HealthCheck, ok: bool) -> bool:
        """Count one probe; True when the failure action is due now."""
        if ok:
            self.successes, self.failures = self.successes + 1, 0
            if self.successes >= check.success_threshold:
                self.status = "HEALTHY"
            return False
        self.failures, self.successes = self.failures + 1, 0
        if self.failures < check.failure_threshold:
            return False
        self.status = "UNHEALTHY"
        self.failures = 0  # the next action needs a fresh run of failures
        return check.failure_action == "KILL"


async def probe(check: HealthCheck, port: int, client: aiohttp.ClientSession) -> bool:
    """One probe of the check against its published loopback port."""
    if check.kind == "TCP":
        try:
            _, writer = await asyncio.wait_for(
                asyncio.open_connection(LOOPBACK, port), check.timeout_s
            )
        except (OSError, TimeoutError):
            return False
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()
        return True
    try:
        async with client.get(
            f"http://{LOOPBACK}:{port}{check.path}",
            headers=dict(check.headers),
            timeout=aiohttp.ClientTimeout(total=check.timeout_s),
            allow_redirects=False,
        ) as response:
            return 200 <= response.status < 400
    except (aiohttp.ClientError, TimeoutError, OSError):
        return False


async def monitor(
    check: HealthCheck,
    state: HealthState,
    published_port: Callable[[], int | None],
    client: aiohttp.ClientSession,
    on_failure: Callable[[], Awaitable[None]],
    on_change: Callable[[], None] = lambda: None,
) -> None:
    """Probe until the failure action fires (then return) or the task is cancelled, which the
    reconcile loop does when the container stops or is replaced; ``on_change`` is called when
    the status or its details change (the loop writes them into the cloud)."""
    await asyncio.sleep(check.initial_delay_s)
    while True:
        port = published_port()
        ok = port is not None and await probe(check, port, client)
        what = (
            f"{check.kind} {check.path} on port {check.port}"
            if check.kind == "HTTP"
            else (f"TCP on port {check.port}")
        )
        before = (state.status, state.details)
        state.details = f"{what}: {'passed' if ok else 'failed'}"
        act = state.record(check, ok)
        if (state.status, state.details) != before:
            on_change()
        if act:
            await on_failure()
            return
        await asyncio.sleep(check.interval_s)

"""An MCP client that calls `tools/call` (galley_environment) at a steady rate through the
gateway while a test changes the deployment, and records every call: when it started, how long
it took, what it got, and which step of the test was running. Bounded in count and in time.

Shared by tests/e2e/test_rollouts.py (which asserts) and benchmarks/rollouts.py (which prints
the figures).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

INTERVAL_S = 0.2
CALL_TIMEOUT_S = 10.0
BODY = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "galley_environment", "arguments": {}},
}
HEADERS = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-06-18"}


@dataclass(frozen=True)
class Credential:
    """How a call carries its token: in the URL's query, or as a Bearer header."""

    url: str
    bearer: str | None = None
    name: str = "current"


@dataclass(frozen=True)
class Call:
    step: str
    credential: str  # the Credential's name
    started_s: float  # since the client started
    duration_s: float
    status: int  # HTTP status; 0 = no HTTP answer
    detail: str  # why it failed, no token in it ("" when answered)

    @property
    def answered(self) -> bool:
        return not self.detail


@dataclass
class StepFigures:
    step: str
    answered: int = 0
    failed: int = 0
    failures: dict[str, int] = field(default_factory=dict)
    started_s: float = 0.0  # the step's first call, since the client started
    failed_from_s: float | None = None  # first and last failed call, since the step's first
    failed_until_s: float | None = None


def _outcome(response: httpx.Response) -> str:
    """ "" when the call got a tool result; else what went wrong, without the token."""
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    data = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
    try:
        message = json.loads(data[-1] if data else response.text)
    except ValueError:
        return "HTTP 200, not JSON-RPC"
    result = message.get("result") or {}
    if "error" in message or result.get("isError") is not False:
        return "HTTP 200, tool error"
    return ""


class CallingClient:
    """Calls every INTERVAL_S on a thread; `step` and `credential` may change while it runs."""

    def __init__(
        self, credential: Credential, ca: Path, max_calls: int, max_s: float, step: str
    ) -> None:
        self.credential = credential
        self.step = step
        self.calls: list[Call] = []
        self._ca = ca
        self._max_calls = max_calls
        self._max_s = max_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._t0 = 0.0

    def _run(self) -> None:
        verify = ssl.create_default_context(cafile=str(self._ca))
        # trust_env=False: a proxy configured for the machine must not capture loopback.
        with httpx.Client(verify=verify, trust_env=False, timeout=CALL_TIMEOUT_S) as http:
            next_at = time.monotonic()
            while not self._stop.is_set() and len(self.calls) < self._max_calls:
                if time.monotonic() - self._t0 > self._max_s:
                    break
                self.calls.append(self._call(http))
                next_at += INTERVAL_S
                self._stop.wait(max(0.0, next_at - time.monotonic()))

    def _call(self, http: httpx.Client) -> Call:
        step, credential = self.step, self.credential
        headers = dict(HEADERS)
        if credential.bearer is not None:
            headers["Authorization"] = f"Bearer {credential.bearer}"
        started, status = time.monotonic(), 0
        try:
            response = http.post(credential.url, json=BODY, headers=headers)
            status, detail = response.status_code, _outcome(response)
        except httpx.HTTPError as exc:
            detail = type(exc).__name__
        done = time.monotonic()
        return Call(step, credential.name, started - self._t0, done - started, status, detail)

    def start(self) -> CallingClient:
        self._t0 = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=CALL_TIMEOUT_S + 5)

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def figures(self) -> list[StepFigures]:
        """Answered and failed calls per step, in the order the steps ran."""
        by_step: dict[str, StepFigures] = {}
        for call in self.calls:
            if call.step not in by_step:
                by_step[call.step] = StepFigures(call.step, started_s=call.started_s)
            figures = by_step[call.step]
            if call.answered:
                figures.answered += 1
            else:
                figures.failed += 1
                figures.failures[call.detail] = figures.failures.get(call.detail, 0) + 1
                at = call.started_s - figures.started_s
                if figures.failed_from_s is None:
                    figures.failed_from_s = at
                figures.failed_until_s = at
        return list(by_step.values())

    def failed(self, credential: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if not c.answered and (credential is None or c.credential == credential)
        ]


@contextmanager
def calling(
    credential: Credential, ca: Path, max_calls: int, max_s: float, step: str
) -> Iterator[CallingClient]:
    """A client calling from the start of `step` (the first step's name) until the block ends."""
    client = CallingClient(credential, ca, max_calls, max_s, step).start()
    try:
        yield client
    finally:
        client.stop()


def report(client: CallingClient, durations: dict[str, float]) -> str:
    """One line a step: its apply's duration and the calls answered/failed meanwhile."""
    lines = []
    for figures in client.figures():
        took = durations.get(figures.step)
        took_text = f"{took:6.1f} s" if took is not None else "       -"
        why = ", ".join(f"{n}x {what}" for what, n in sorted(figures.failures.items()))
        if figures.failed_from_s is not None:
            why += f"; from {figures.failed_from_s:.1f} s to {figures.failed_until_s:.1f} s in"
        lines.append(
            f"{figures.step:<28} {took_text}  answered {figures.answered:4d}"
            f"  failed {figures.failed:3d}{'  (' + why + ')' if why else ''}"
        )
    return "\n".join(lines)

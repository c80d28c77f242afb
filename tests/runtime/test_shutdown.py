"""SIGTERM: /ready turns 503, in-flight requests finish, the process exits 0 within the grace."""

import os
import signal
import stat
import threading
import time
from pathlib import Path

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


def slow_terraform(bin_dir: Path, sleep_seconds: float) -> Path:
    """A `terraform` that marks when it starts, then answers `version -json` slowly."""
    bin_dir.mkdir()
    marker = bin_dir / "started"
    script = bin_dir / "terraform"
    script.write_text(
        "#!/bin/sh\n"
        f"touch '{marker}'\n"
        f"sleep {sleep_seconds}\n"
        'echo \'{"terraform_version": "0.0.0-slow"}\'\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return marker


def call_tool_in_background(url: str) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    async def call() -> None:
        async with (
            httpx2.AsyncClient(trust_env=False, timeout=60) as http,
            Client(streamable_http_client(url, http_client=http), mode="2026-07-28") as client,
        ):
            # Listing first lets the client validate the result without a second request,
            # which could reach the server after the drain had ended and find it closed.
            await client.list_tools()
            outcome["result"] = await client.call_tool("galley_environment", {})

    def run() -> None:
        try:
            anyio.run(call)
        except BaseException as exc:  # reported by the test
            outcome["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def wait_for(path: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} did not appear"
        time.sleep(0.05)


def test_idle_server_exits_cleanly_on_sigterm(start):
    server = start(GALLEY_SHUTDOWN_GRACE_SECONDS="5")
    server.proc.send_signal(signal.SIGTERM)
    assert server.proc.wait(timeout=15) == 0
    logs = server.logs()
    assert "SIGTERM received: draining" in logs
    assert "Application shutdown complete" in logs
    assert "Traceback" not in logs


def test_sigterm_drains_in_flight_requests(start, tmp_path):
    marker = slow_terraform(tmp_path / "bin", sleep_seconds=3)
    server = start(
        GALLEY_SHUTDOWN_GRACE_SECONDS="30",
        PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
    )
    thread, outcome = call_tool_in_background(server.mcp_url)
    wait_for(marker)

    server.proc.send_signal(signal.SIGTERM)
    # The handler runs on the server's next loop turn; the slow call still has ~3 s to go.
    deadline = time.monotonic() + 2
    ready = server.http.get("/ready", params={"token": server.token})
    while ready.status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.05)
        ready = server.http.get("/ready", params={"token": server.token})
    assert ready.status_code == 503, server.logs()
    assert ready.json() == {"status": "draining"}
    assert server.http.get("/health").status_code == 200

    thread.join(timeout=30)
    assert "error" not in outcome, f"{outcome.get('error')!r}\n{server.logs()}"
    report = outcome["result"].structured_content
    terraform = next(b for b in report["binaries"] if b["name"] == "terraform")
    assert terraform["version"] == "0.0.0-slow"
    assert server.proc.wait(timeout=15) == 0, server.logs()
    assert "Traceback" not in server.logs(), server.logs()


def test_grace_period_bounds_the_drain(start, tmp_path):
    # The slow terraform would keep the request busy for 60 s; a 1 s grace must not wait.
    marker = slow_terraform(tmp_path / "bin", sleep_seconds=60)
    server = start(
        GALLEY_SHUTDOWN_GRACE_SECONDS="1",
        PATH=f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}",
    )
    thread, outcome = call_tool_in_background(server.mcp_url)
    wait_for(marker)

    server.proc.send_signal(signal.SIGTERM)
    # Well below the tool's own 10 s probe timeout: the grace period cut the request off.
    assert server.proc.wait(timeout=8) == 0
    thread.join(timeout=30)
    assert "result" not in outcome
    assert "timeout graceful shutdown exceeded" in server.logs()

"""SIGTERM: /ready turns 503, in-flight requests finish, the process exits 0 within the grace."""

import os
import shutil
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import anyio
import httpx2
import pytest
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
    # Ended with a JSON-RPC error saying why, not cut off mid-stream (nor cancelled with a
    # traceback by uvicorn's own shutdown timeout).
    assert "Galley is shutting down" in repr(outcome["error"]), repr(outcome["error"])
    logs = server.logs()
    assert "Traceback" not in logs, logs
    assert "timeout graceful shutdown exceeded" not in logs


SIGTERM_BIT = 1 << (signal.SIGTERM - 1)


def catches_sigterm(pid: int) -> bool:
    """Whether `pid` has a SIGTERM handler installed (the SigCgt mask of /proc/PID/status)."""
    status = Path(f"/proc/{pid}/status").read_text()
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(mask, 16) & SIGTERM_BIT)


def unshare_works() -> bool:
    if shutil.which("unshare") is None:
        return False
    done = subprocess.run(["unshare", "-fp", "--mount-proc", "true"], capture_output=True)
    return done.returncode == 0


def galley_pid(proc: subprocess.Popen, under_unshare: bool, deadline: float) -> int:
    """The python process: `proc` itself, or the child `unshare --fork` made PID 1."""
    if not under_unshare:
        return proc.pid
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    while not children.read_text().split():
        assert time.monotonic() < deadline, "unshare started no child"
        time.sleep(0.005)
    return int(children.read_text().split()[0])


@pytest.mark.parametrize(
    "pid_one",
    [
        pytest.param(False, id="plain"),
        pytest.param(
            True,
            id="pid-1",
            marks=pytest.mark.skipif(
                not unshare_works(), reason="needs `unshare -fp --mount-proc` (root, util-linux)"
            ),
        ),
    ],
)
def test_sigterm_during_startup_exits_cleanly(tmp_path, server_env, pid_one):
    """SIGTERM before uvicorn serves (the ~1 s of imports) stops the process with status 0.

    The signal goes out as soon as the process catches SIGTERM: without the early handler that is
    only once uvicorn has installed its own, and the drain would then show in the log.
    """
    command = [sys.executable, "-m", "galley"]
    if pid_one:
        command = ["unshare", "-fp", "--mount-proc", *command]
    log = tmp_path / "galley.log"
    with log.open("w") as out:
        proc = subprocess.Popen(command, env=server_env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 10
        pid = galley_pid(proc, pid_one, deadline)
        while not catches_sigterm(pid):
            assert time.monotonic() < deadline, "galley never caught SIGTERM"
            time.sleep(0.005)
        os.kill(pid, signal.SIGTERM)
        assert proc.wait(timeout=10) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = log.read_text()
    assert "galley: SIGTERM during start-up: exiting" in output
    assert "draining" not in output
    assert "Traceback" not in output


def test_a_logging_service_that_hangs_does_not_hold_the_exit(start, tmp_path):
    """The audit trail's last batch is sent within what is left of the grace: an `oci` that
    never answers is stopped then, the process exits 0 long before OCI's SIGKILL, and says how
    many records it could not ship."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    oci = bin_dir / "oci"
    oci.write_text("#!/bin/sh\nsleep 600\n")
    oci.chmod(oci.stat().st_mode | stat.S_IXUSR)
    server = start(
        GALLEY_AUDIT_LOG_ID="ocid1.log.oc1.iad.amaaaaaaexamplelog0000000000000000000000000000000000000000",
        GALLEY_SHUTDOWN_GRACE_SECONDS="2",
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    )
    server.environment_report()  # one MCP request: its audit record is queued
    server.proc.send_signal(signal.SIGTERM)
    # Without the bound: three tries of up to 60 s each.
    assert server.proc.wait(timeout=20) == 0, server.logs()
    assert "audit records not shipped within the grace period" in server.logs()

"""As PID 1 (its container's entrypoint) Galley reaps the children a killed CLI leaves behind.

The server runs as PID 1 of its own PID namespace (`unshare`, as root); what it leaves is read
from this machine's /proc, where the namespace's processes appear under their host pids.
"""

import contextlib
import os
import shutil
import signal
import stat
import subprocess
import time
from pathlib import Path

import pytest

from galley.orphans import stat_fields

UNSHARE = shutil.which("unshare")
SLEEP = shutil.which("sleep")
CLIS = ("terraform", "oci", "kubectl")
PROBE_TIMEOUT = 0.5
# A command name that a /proc/<pid>/stat parser splitting at the first ')' or at spaces reads as
# a zombie whose parent and group are 1.
TRICKY_NAME = "a) Z 1 1 (b"

# Test-only knob, kept out of production: Galley has no setting for the probe timeout (10 s).
# Python imports `sitecustomize` at start-up from PYTHONPATH, which only this test sets, before
# `-m galley` imports the app, so the app builds its BinaryVersions with a short timeout.
SHORT_TIMEOUT_SITECUSTOMIZE = f"""
from galley import environment


class ShortTimeoutVersions(environment.BinaryVersions):
    def __init__(self) -> None:
        super().__init__(timeout={PROBE_TIMEOUT})


environment.BinaryVersions = ShortTimeoutVersions
"""


def proc_status(pid: int | str) -> dict[str, str]:
    """The fields of /proc/<pid>/status (read apart from the code under test's parser); empty
    once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return {}
    return dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)


def children(parent: int) -> list[tuple[int, str, str]]:
    """(pid, state, name) of the processes on this machine whose parent is `parent`."""
    found = []
    for entry in os.listdir("/proc"):
        status = proc_status(entry) if entry.isdigit() else {}
        if status.get("PPid") == str(parent):
            found.append((int(entry), status["State"], status["Name"]))
    return found


def only_child(parent: int, timeout: float = 30) -> int:
    deadline = time.monotonic() + timeout
    while not (found := children(parent)):
        assert time.monotonic() < deadline, f"process {parent} started no child"
        time.sleep(0.05)
    ((pid, _, _),) = found
    return pid


def pid_in_its_namespace(pid: int) -> int:
    return int(proc_status(pid)["NSpid"].split()[-1])


def forking_and_hanging_clis(tmp: Path) -> Path:
    """Fake CLIs that start children (one with a child of its own, one with a tricky name),
    record each child they start, then hang; returns their directory."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    tricky = tmp / TRICKY_NAME
    tricky.symlink_to(SLEEP)
    for name in CLIS:
        started = tmp / f"{name}.children"
        script = bin_dir / name
        script.write_text(
            "#!/bin/sh\n"
            f"'{tricky}' 300 &\necho $! >> '{started}'\n"
            f"sh -c \"'{SLEEP}' 300 & '{SLEEP}' 300\" &\necho $! >> '{started}'\n"
            f"'{SLEEP}' 300\n"
        )
        script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return bin_dir


@pytest.fixture
def galley_as_pid1(start, tmp_path):
    """A server that is PID 1 of a new PID namespace, and its pid on this machine."""
    if UNSHARE is None:
        pytest.skip("no unshare (util-linux) on this machine to start a PID namespace")
    wrapper = (UNSHARE, "--pid", "--fork", "--mount-proc", "--kill-child")
    check = subprocess.run([*wrapper, "true"], capture_output=True, text=True, check=False)
    if check.returncode != 0:  # e.g. not root, or a container without CAP_SYS_ADMIN
        pytest.skip(f"this machine cannot create a PID namespace: {check.stderr.strip()}")
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SHORT_TIMEOUT_SITECUSTOMIZE)
    bin_dir = forking_and_hanging_clis(tmp_path)
    server = start(
        wrapper,
        PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        PYTHONPATH=str(site),
    )
    galley_pid = only_child(server.proc.pid)
    try:
        yield server, galley_pid
    finally:
        # unshare blocks SIGTERM while it waits: the server itself is told to stop (before
        # `start` stops unshare), and --kill-child takes the namespace down should unshare be
        # killed instead.
        with contextlib.suppress(ProcessLookupError):
            os.kill(galley_pid, signal.SIGTERM)
            server.proc.wait(timeout=30)


def test_stat_fields_read_past_a_command_name_with_parentheses_and_spaces(tmp_path):
    tricky = tmp_path / TRICKY_NAME
    tricky.symlink_to(SLEEP)
    child = subprocess.Popen([tricky, "30"], start_new_session=True)
    try:
        text = Path(f"/proc/{child.pid}/stat").read_text()
        assert f"({TRICKY_NAME})" in text
        state, ppid, pgrp = stat_fields(text)
        assert (state in "RS", ppid, pgrp) == (True, os.getpid(), child.pid)
    finally:
        child.kill()
        child.wait()


def test_galley_as_pid1_reaps_what_killed_clis_leave(galley_as_pid1, tmp_path):
    server, galley_pid = galley_as_pid1
    assert pid_in_its_namespace(galley_pid) == 1

    report = server.environment_report()

    errors = {b["name"]: b["error"] for b in report["binaries"]}
    assert errors == dict.fromkeys(CLIS, f"timed out after {PROBE_TIMEOUT:g}s")
    for name in CLIS:
        # Each CLI did start its two children (and the grandchild) before it was killed.
        assert len((tmp_path / f"{name}.children").read_text().split()) == 2
    # Killed with their CLI, and as PID 1 Galley inherited them: none may stay a zombie.
    deadline = time.monotonic() + 5
    while left := children(galley_pid):
        assert time.monotonic() < deadline, f"Galley (PID 1) left these children: {left}"
        time.sleep(0.05)
    assert server.proc.poll() is None, server.logs()

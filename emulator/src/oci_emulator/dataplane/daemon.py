"""The data plane daemon: one per emulated cloud, in the background, like dockerd.

``start`` spawns ``python -m oci_emulator.dataplane.daemon run`` in a session of its own (so it
outlives the command that started it) and waits until its first reconcile is done; ``stop``
sends SIGTERM, and the daemon stops its listeners and containers (each within its grace) before
it exits. Its pidfile, log and status file live under ``<state dir>/dataplane``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import fcntl
import json
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oci_emulator.dataplane import status

# Seconds between reconcile steps while something is in flux / when idle (store and engine
# changes wake the loop at once either way).
RECONCILE_INTERVALS_S = (0.5, 5.0)
_MODULE = "oci_emulator.dataplane.daemon"


class DataPlaneUnavailable(RuntimeError):
    """No Docker engine answers: the emulator keeps its records-only behaviour."""


def docker_client() -> Any:
    """A connected docker SDK client; raises DataPlaneUnavailable saying why not."""
    try:
        import docker
        import docker.errors
    except ImportError as exc:
        raise DataPlaneUnavailable(
            f"the docker SDK is not installed ({exc.name}): install oci-emulator[dataplane]"
        ) from None
    try:
        client = docker.from_env(timeout=120)
        client.ping()
    except docker.errors.DockerException as exc:
        raise DataPlaneUnavailable(f"no Docker engine answers ({exc})") from None
    return client


def _alive(pid: int) -> bool:
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False
    # Guards against a reused pid: the process must be a data plane daemon.
    return _MODULE.encode() in cmdline and b"\0run\0" in cmdline + b"\0"


def running_pid(state_dir: Path) -> int | None:
    """The pid of this cloud's live daemon, or None."""
    try:
        pid = int(status.Paths(state_dir).pidfile.read_text().strip())
    except (OSError, ValueError):
        return None
    return pid if _alive(pid) else None


def read_status(state_dir: Path) -> dict[str, Any]:
    return status.read(status.Paths(state_dir).status)


def wait_for(
    state_dir: Path, predicate: Callable[[dict[str, Any]], bool], timeout_s: float
) -> dict[str, Any]:
    """Poll the status file until ``predicate`` holds; raise TimeoutError with the last one."""
    deadline = time.monotonic() + timeout_s
    current = read_status(state_dir)
    while not predicate(current):
        if time.monotonic() > deadline:
            raise TimeoutError(f"data plane status did not get there in {timeout_s:g}s: {current}")
        time.sleep(0.1)
        current = read_status(state_dir)
    return current


def start(state_dir: Path, timeout_s: float = 60.0) -> dict[str, Any]:
    """Start this cloud's daemon unless it runs; return its status once it is ready."""
    paths = status.Paths(state_dir)
    pid = running_pid(state_dir)
    if pid is None:
        docker_client()  # says why not before anything is spawned
        paths.root.mkdir(parents=True, exist_ok=True)
        with open(paths.log, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", _MODULE, "run", "--state-dir", str(paths.state_dir)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # survives the shell and the command that started it
            )
        pid = process.pid
        deadline = time.monotonic() + timeout_s
        while not _ready(read_status(state_dir), pid):
            if process.poll() is not None:
                tail = paths.log.read_text(errors="replace")[-3000:]
                raise DataPlaneUnavailable(f"the data plane daemon exited:\n{tail}")
            if time.monotonic() > deadline:
                process.terminate()
                raise DataPlaneUnavailable(f"the data plane daemon was not ready in {timeout_s:g}s")
            time.sleep(0.05)
    return wait_for(state_dir, lambda s: _ready(s, pid), timeout_s)


def _ready(current: dict[str, Any], pid: int) -> bool:
    return current.get("pid") == pid and current.get("ready") is True


def stop(state_dir: Path, timeout_s: float = 120.0) -> bool:
    """Stop this cloud's daemon (it stops its containers first); False if none ran."""
    pid = running_pid(state_dir)
    if pid is None:
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while _alive(pid):
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            break
        time.sleep(0.1)
    return True


# --- the daemon process --------------------------------------------------------------------------


async def _serve(state_dir: Path, paths: status.Paths, client: Any) -> None:
    import aiohttp

    from oci_emulator.dataplane.containers import Engine, cloud_key
    from oci_emulator.dataplane.reconcile import Reconciler
    from oci_emulator.store import Store

    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stopping.set)
    # trust_env=False: a proxy configured for the machine must never see loopback traffic.
    # auto_decompress=False: bodies pass through as the backend encoded them.
    connector = aiohttp.TCPConnector(limit=200, keepalive_timeout=30)
    async with aiohttp.ClientSession(
        connector=connector, trust_env=False, auto_decompress=False
    ) as http:
        reconciler = Reconciler(Store(state_dir), Engine(client, cloud_key(state_dir)), paths, http)

        def ready() -> None:
            status.write(paths.status, {**status.read(paths.status), "ready": True})
            logging.getLogger(_MODULE).info("data plane ready (CA: %s)", paths.ca_cert)

        try:
            await reconciler.run(stopping, RECONCILE_INTERVALS_S, ready, lambda: _owns(paths))
        finally:
            await reconciler.shutdown()


def _owns(paths: status.Paths) -> bool:
    try:
        return int(paths.pidfile.read_text().strip()) == os.getpid()
    except (OSError, ValueError):
        return False


def run(state_dir: Path) -> int:
    paths = status.Paths(state_dir)
    paths.root.mkdir(parents=True, exist_ok=True)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    for noisy in ("urllib3", "docker", "aiohttp"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    with open(paths.pidfile, "a+") as pidfile:
        try:
            fcntl.flock(pidfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            sys.stderr.write(f"a data plane daemon already serves {paths.state_dir}\n")
            return 1
        pidfile.seek(0)
        pidfile.truncate()
        pidfile.write(f"{os.getpid()}\n")
        pidfile.flush()
        try:
            client = docker_client()
        except DataPlaneUnavailable as exc:
            sys.stderr.write(f"data plane: {exc}\n")
            return 3
        status.write(paths.status, {"pid": os.getpid(), "ready": False, "ca": str(paths.ca_cert)})
        try:
            asyncio.run(_serve(paths.state_dir, paths, client))
        finally:
            if _owns(paths):
                status.write(paths.status, {"pid": None, "ready": False, "ca": str(paths.ca_cert)})
                with contextlib.suppress(OSError):
                    paths.pidfile.unlink()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=_MODULE, description=__doc__)
    parser.add_argument("command", choices=("run", "start", "stop", "status"))
    parser.add_argument("--state-dir", type=Path, required=True)
    args = parser.parse_args(argv)
    state_dir: Path = args.state_dir.resolve()
    if args.command == "run":
        return run(state_dir)
    try:
        if args.command == "start":
            print(json.dumps(start(state_dir), indent=1, sort_keys=True))
        elif args.command == "stop":
            print("stopped" if stop(state_dir) else "not running")
        else:
            pid = running_pid(state_dir)
            print(json.dumps({**read_status(state_dir), "running": pid is not None}, indent=1))
    except DataPlaneUnavailable as exc:
        sys.stderr.write(f"data plane: {exc}\n")
        return 3
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

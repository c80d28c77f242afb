"""The `galley_environment` report: what this deployment runs and whether it can store data."""

import contextlib
import json
import os
import platform
import shutil
import signal
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import anyio
from anyio import to_thread
from pydantic import BaseModel, Field

from galley import __version__
from galley.datadir import data_dir_problem
from galley.orphans import reap_killed_group, running_leaders

PROBE_TIMEOUT_SECONDS = 10.0  # the oci CLI alone needs a few seconds to start on a small shape


class BinaryVersion(BaseModel):
    name: str
    present: bool = Field(description="Found on PATH")
    version: str | None = Field(None, description="Version it reports, when it ran")
    error: str | None = Field(None, description="Why the version could not be read")


class DataDirStatus(BaseModel):
    path: str
    usable: bool = Field(description="Exists and a file can be written to it")
    problem: str | None = None
    free_bytes: int | None = None


class EnvironmentReport(BaseModel):
    galley_version: str
    python_version: str
    binaries: list[BinaryVersion]
    data_dir: DataDirStatus


def _terraform_version(out: str) -> str:
    return str(json.loads(out)["terraform_version"])


def _kubectl_version(out: str) -> str:
    return str(json.loads(out)["clientVersion"]["gitVersion"])


def _first_line(out: str) -> str:
    return out.strip().splitlines()[0]


@dataclass(frozen=True)
class Probe:
    name: str
    args: tuple[str, ...]
    parse: Callable[[str], str]


# Flags that print the local version only: plain `kubectl version` would call a cluster
# and `terraform version` would ask checkpoint.hashicorp.com (CHECKPOINT_DISABLE below).
PROBES = (
    Probe("terraform", ("version", "-json"), _terraform_version),
    Probe("oci", ("--version",), _first_line),
    Probe("kubectl", ("version", "--client", "-o", "json"), _kubectl_version),
)


def child_environment() -> dict[str, str]:
    """The environment for the CLIs Galley runs: its own without the GALLEY_* settings.

    GALLEY_URL_TOKEN above all: a child could print it, log it or pass it further on.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith("GALLEY_")}
    env["CHECKPOINT_DISABLE"] = "1"
    return env


async def _run_in_own_group(
    argv: list[str], env: dict[str, str], timeout: float
) -> tuple[int, str]:
    """Run `argv` and return its exit status and stdout; raise TimeoutError after `timeout`.

    The CLI runs as the leader of a new process group, and however the run ends (answered,
    failed, timed out, cancelled request) the whole group is killed: a CLI that started children
    of its own (the oci CLI is a Python program, a wrapper script may fork) must not leave them
    running, nor, once they exit, as zombies of Galley's when it is PID 1. Its stdin is
    /dev/null, so a CLI that would ask a question gets EOF instead of waiting.
    """
    process = await anyio.open_process(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
        start_new_session=True,
    )
    running_leaders.add(process.pid)
    try:
        with anyio.fail_after(timeout):
            assert process.stdout is not None
            out = b"".join([chunk async for chunk in process.stdout])
            status = await process.wait()
        return status, out.decode(errors="replace")
    finally:
        # The group outlives its leader while any member runs, so its id still names this
        # CLI's group here even if the leader itself has exited.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        with anyio.CancelScope(shield=True):
            await process.aclose()
            running_leaders.discard(process.pid)
            # As PID 1, Galley has inherited the group's other members: their zombies are its.
            await reap_killed_group(process.pid)


async def probe_binary(probe: Probe, timeout: float = PROBE_TIMEOUT_SECONDS) -> BinaryVersion:
    path = shutil.which(probe.name)
    if path is None:
        return BinaryVersion(name=probe.name, present=False)
    try:
        status, out = await _run_in_own_group([path, *probe.args], child_environment(), timeout)
    except TimeoutError:
        return BinaryVersion(name=probe.name, present=True, error=f"timed out after {timeout:g}s")
    except OSError as exc:
        return BinaryVersion(name=probe.name, present=True, error=f"cannot run: {exc.strerror}")
    if status != 0:
        return BinaryVersion(name=probe.name, present=True, error=f"exit status {status}")
    try:
        version = probe.parse(out)
    except (ValueError, KeyError, IndexError, TypeError):
        return BinaryVersion(name=probe.name, present=True, error="unrecognised version output")
    return BinaryVersion(name=probe.name, present=True, version=version)


def data_dir_status(path: Path) -> DataDirStatus:
    problem = data_dir_problem(path)
    free = shutil.disk_usage(path).free if problem is None else None
    return DataDirStatus(path=str(path), usable=problem is None, problem=problem, free_bytes=free)


@dataclass
class _Round:
    """One round of probes, shared by every call that arrives while it runs."""

    done: anyio.Event = field(default_factory=anyio.Event)
    answers: list[BinaryVersion] | None = None  # None when its leader was cancelled


class BinaryVersions:
    """The CLI versions, probed once per process: the image's binaries never change.

    The oci CLI alone takes 0.4-1.4 s to answer. Only answers are kept (a version, or absent);
    a probe that failed or timed out, e.g. on a cold start, is tried again by the next round.
    Calls that arrive while a round runs wait for that round and share its answers, so
    concurrent calls behind a hung CLI all return within one timeout.
    """

    def __init__(
        self, probes: tuple[Probe, ...] = PROBES, timeout: float = PROBE_TIMEOUT_SECONDS
    ) -> None:
        self._probes = probes
        self._timeout = timeout
        self._known: dict[str, BinaryVersion] = {}
        self._round: _Round | None = None

    async def get(self) -> list[BinaryVersion]:
        # Each pass waits for a different round, and only passes again when that round's leader
        # was cancelled (its request went away) before answering.
        while (running := self._round) is not None:
            await running.done.wait()
            if running.answers is not None:
                return running.answers
        led = self._round = _Round()
        try:
            led.answers = await self._probe_round()
        finally:
            self._round = None
            led.done.set()
        return led.answers

    async def _probe_round(self) -> list[BinaryVersion]:
        missing = [probe for probe in self._probes if probe.name not in self._known]
        results: dict[str, BinaryVersion] = {}

        async def run(probe: Probe) -> None:
            result = results[probe.name] = await probe_binary(probe, self._timeout)
            if result.error is None:
                # Kept as soon as it is in: a round cancelled later (its request went away)
                # must not throw away the answers it already had.
                self._known[probe.name] = result

        async with anyio.create_task_group() as tg:
            for probe in missing:
                tg.start_soon(run, probe)
        answers = {**self._known, **results}
        return [answers[probe.name] for probe in self._probes]


async def environment_report(data_dir: Path, versions: BinaryVersions) -> EnvironmentReport:
    return EnvironmentReport(
        galley_version=__version__,
        python_version=platform.python_version(),
        binaries=await versions.get(),
        data_dir=await to_thread.run_sync(data_dir_status, data_dir),
    )

"""The `galley_environment` report: what this deployment runs and whether it can store data."""

import json
import os
import platform
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import anyio
from anyio import to_thread
from pydantic import BaseModel, Field

from galley import __version__
from galley.datadir import data_dir_problem

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


async def probe_binary(probe: Probe, timeout: float = PROBE_TIMEOUT_SECONDS) -> BinaryVersion:
    path = shutil.which(probe.name)
    if path is None:
        return BinaryVersion(name=probe.name, present=False)
    env = child_environment()
    try:
        with anyio.fail_after(timeout):
            done = await anyio.run_process([path, *probe.args], check=False, env=env)
    except TimeoutError:
        return BinaryVersion(name=probe.name, present=True, error=f"timed out after {timeout:g}s")
    except OSError as exc:
        return BinaryVersion(name=probe.name, present=True, error=f"cannot run: {exc.strerror}")
    if done.returncode != 0:
        return BinaryVersion(name=probe.name, present=True, error=f"exit status {done.returncode}")
    try:
        version = probe.parse(done.stdout.decode(errors="replace"))
    except (ValueError, KeyError, IndexError, TypeError):
        return BinaryVersion(name=probe.name, present=True, error="unrecognised version output")
    return BinaryVersion(name=probe.name, present=True, version=version)


def data_dir_status(path: Path) -> DataDirStatus:
    problem = data_dir_problem(path)
    free = shutil.disk_usage(path).free if problem is None else None
    return DataDirStatus(path=str(path), usable=problem is None, problem=problem, free_bytes=free)


class BinaryVersions:
    """The CLI versions, probed once per process: the image's binaries never change.

    The oci CLI alone takes 0.4-1.4 s to answer. Only answers are kept (a version, or absent);
    a probe that failed or timed out, e.g. on a cold start, is tried again on the next call.
    """

    def __init__(self, probes: tuple[Probe, ...] = PROBES) -> None:
        self._probes = probes
        self._known: dict[str, BinaryVersion] = {}
        self._lock = anyio.Lock()  # concurrent first calls share one round of probes

    async def get(self) -> list[BinaryVersion]:
        async with self._lock:
            missing = [probe for probe in self._probes if probe.name not in self._known]
            results: dict[str, BinaryVersion] = {}

            async def run(probe: Probe) -> None:
                results[probe.name] = await probe_binary(probe)

            async with anyio.create_task_group() as tg:
                for probe in missing:
                    tg.start_soon(run, probe)
            answers = {**self._known, **results}
            self._known.update({name: r for name, r in results.items() if r.error is None})
            return [answers[probe.name] for probe in self._probes]


async def environment_report(data_dir: Path, versions: BinaryVersions) -> EnvironmentReport:
    return EnvironmentReport(
        galley_version=__version__,
        python_version=platform.python_version(),
        binaries=await versions.get(),
        data_dir=await to_thread.run_sync(data_dir_status, data_dir),
    )

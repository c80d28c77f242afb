"""Cold CI: `bash .ci/run` (that is, scripts/test) on a fresh clone of this repository's HEAD
with empty Go caches (and, with --prune-docker, an empty Docker image and build cache), as CI
runs it on a new machine.

    uv run python benchmarks/ci_cold.py                 # Go caches empty, Docker cache kept
    uv run python benchmarks/ci_cold.py --prune-docker  # and every unused image and build cache

Prints the whole run, the set-up part (tools, engine, packages) and the tests' part (pytest's
own figure), and the 40 slowest tests. Takes as long as CI (tens of minutes); run it on a quiet
machine. --prune-docker removes every image no container uses: the benchmark's cost, not CI's.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import NamedTuple

REPO = Path(__file__).resolve().parent.parent
GOAL_S = 12 * 60
BASELINE_S = 13 * 60 + 18  # issue 18, measured before its work
_PYTEST_SUMMARY = re.compile(r"=+ (.*) in ([\d.]+)s")


def fresh_clone(scratch: Path) -> Path:
    """The clone, with ../shared beside it as on a CI machine (the provider schemas)."""
    clone = scratch / "galley"
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(REPO), str(clone)], check=True)
    (scratch / "shared").symlink_to(REPO.parent / "shared")
    return clone


def prune_docker() -> None:
    subprocess.run(["docker", "system", "prune", "-af"], check=True, capture_output=True)
    subprocess.run(["docker", "builder", "prune", "-af"], check=True, capture_output=True)


def run_ci(clone: Path, scratch: Path, log: Path) -> tuple[float, int]:
    env = dict(
        os.environ,
        GOMODCACHE=str(scratch / "gomodcache"),
        GOCACHE=str(scratch / "gocache"),
        CI="true",
    )
    env.pop("GALLEY_TOOLS_DIR", None)
    started = time.perf_counter()
    with log.open("w") as out:
        done = subprocess.run(
            # .ci/run is exactly scripts/test; called here to pass pytest --durations.
            ["bash", "scripts/test", "--durations=40"],
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
        )
    return time.perf_counter() - started, done.returncode


class ColdRun(NamedTuple):
    total_s: float
    returncode: int
    tests_s: float  # pytest's own figure; nan without a pytest summary
    outcome: str
    log: Path


def measure(*, prune: bool = False, keep: bool = False) -> ColdRun:
    """One cold run: a fresh clone, empty Go caches (and Docker's with ``prune``)."""
    if prune:
        prune_docker()
    scratch = Path(tempfile.mkdtemp(prefix="ci-cold-"))
    log = Path(tempfile.gettempdir()) / f"ci-cold-{int(time.time())}.log"
    try:
        total, returncode = run_ci(fresh_clone(scratch), scratch, log)
    finally:
        if not keep:
            # The Go module cache is read-only by design; make it removable.
            subprocess.run(["chmod", "-R", "u+w", str(scratch)], check=False)
            shutil.rmtree(scratch, ignore_errors=True)
    summary = _PYTEST_SUMMARY.findall(log.read_text(errors="replace"))
    tests_s = float(summary[-1][1]) if summary else float("nan")
    outcome = summary[-1][0] if summary else "no pytest summary"
    return ColdRun(total, returncode, tests_s, outcome, log)


def report(run: ColdRun) -> None:
    print(f"cpus: {os.cpu_count()}  load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"scripts/test exit code: {run.returncode}  ({run.outcome})")
    print(
        f"cold CI: {run.total_s / 60:.1f} min (goal <= {GOAL_S / 60:.0f} min; "
        f"before: {BASELINE_S / 60:.1f} min, ratio {run.total_s / BASELINE_S:.2f})"
    )
    print(f"  set-up (tools, engine, packages): {(run.total_s - run.tests_s) / 60:.1f} min")
    print(f"  tests (pytest): {run.tests_s / 60:.1f} min")
    text = run.log.read_text(errors="replace")
    slowest = text.split("slowest 40 durations", 1)[-1].splitlines()[1:41]
    print("slowest tests:")
    for line in slowest:
        if line.strip() and not line.startswith("="):
            print(f"  {line.strip()}")
    print(f"full log: {run.log}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--prune-docker", action="store_true", help="empty the Docker cache too")
    parser.add_argument("--keep", action="store_true", help="keep the clone and caches")
    args = parser.parse_args()
    run = measure(prune=args.prune_docker, keep=args.keep)
    report(run)
    return run.returncode


if __name__ == "__main__":
    raise SystemExit(main())

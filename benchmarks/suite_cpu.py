"""Where the test suite's CPU goes: per test, per file and per engine, and how busy the machine was.

    PATH="$PWD/.tools/bin:$PATH" uv run python benchmarks/suite_cpu.py [pytest arguments]

Runs pytest as scripts/test does (3 workers per core, --dist loadgroup) with this file loaded as a
plugin. Each test is charged the CPU its worker used while it ran plus that of the processes the
worker reaped meanwhile (Terraform, OpenTofu, Terragrunt and what they start). Not charged: the
Docker engine and containers, and long-lived helpers until they are reaped (an emulator a fixture
keeps is charged to the test whose teardown stops it). The machine's own busy share over the run
(/proc/stat) says how much CPU was left idle: with a suite at ~100%, only less work makes it
faster.
"""

from __future__ import annotations

import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
OUT_ENV = "GALLEY_SUITE_CPU_DIR"


# --- the plugin (runs in each worker) ----------------------------------------------------------


def _cpu_seconds() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    started, cpu = time.monotonic(), _cpu_seconds()
    yield
    callspec = getattr(item, "callspec", None)
    record = {
        "id": item.nodeid,
        "wall": time.monotonic() - started,
        "cpu": _cpu_seconds() - cpu,
        # The engine matrix's parameter (tests/modules/engines.py and the tests that name it).
        "engine": callspec.params.get("engine") if callspec is not None else None,
    }
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    with (Path(os.environ[OUT_ENV]) / f"{worker}.jsonl").open("a") as out:
        out.write(json.dumps(record) + "\n")


# --- the run and its report --------------------------------------------------------------------


def _busy_jiffies() -> tuple[int, int]:
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def report(records: list[dict[str, Any]], wall_s: float, busy_share: float) -> None:
    total = sum(r["cpu"] for r in records)
    cpus = os.cpu_count() or 1
    print(f"tests: {len(records)}  wall: {wall_s / 60:.1f} min  cpus: {cpus}")
    print(
        f"machine busy: {100 * busy_share:.0f}% of {cpus * wall_s / 60:.1f} CPU-min; "
        f"charged to tests: {total / 60:.1f} CPU-min"
    )
    by_engine: dict[str, float] = collections.defaultdict(float)
    by_file: dict[str, list[float]] = collections.defaultdict(lambda: [0.0, 0.0, 0.0])
    for r in records:
        by_engine[r["engine"] or "(no engine)"] += r["cpu"]
        row = by_file[r["id"].split("::", 1)[0]]
        row[0] += r["cpu"]
        row[1] += 1
        row[2] += r["wall"]
    print("by engine parameter (CPU-min):")
    for engine, cpu in sorted(by_engine.items(), key=lambda kv: -kv[1]):
        print(f"  {cpu / 60:6.2f}  {engine}")
    print("by file (CPU-min, tests, summed wall min):")
    for path, (cpu, count, wall) in sorted(by_file.items(), key=lambda kv: -kv[1][0])[:25]:
        print(f"  {cpu / 60:6.2f}  {int(count):4d}  {wall / 60:6.1f}  {path}")
    print("by test (CPU s, wall s):")
    for r in sorted(records, key=lambda r: -r["cpu"])[:20]:
        print(f"  {r['cpu']:6.1f}  {r['wall']:6.1f}  {r['id'][:120]}")


def main(pytest_args: list[str]) -> int:
    out_dir = Path(tempfile.mkdtemp(prefix="suite-cpu-"))
    workers = os.environ.get("GALLEY_TEST_WORKERS", str((os.cpu_count() or 1) * 3))
    command = [
        sys.executable, "-m", "pytest", "-q", "-n", workers, "--dist", "loadgroup",
        "-p", "suite_cpu", *pytest_args,
    ]  # fmt: skip
    env = dict(os.environ, **{OUT_ENV: str(out_dir)})
    # The workers import this file as the plugin `suite_cpu`.
    env["PYTHONPATH"] = os.pathsep.join(
        filter(None, [str(Path(__file__).parent), env.get("PYTHONPATH")])
    )
    busy0, all0 = _busy_jiffies()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=REPO_ROOT, env=env, check=False)
    wall = time.perf_counter() - started
    busy1, all1 = _busy_jiffies()
    records = [json.loads(line) for f in out_dir.glob("*.jsonl") for line in f.open()]
    if not records:
        print(f"suite_cpu: pytest recorded no test (exit {done.returncode})", file=sys.stderr)
        return done.returncode or 1
    report(records, wall, (busy1 - busy0) / max(1, all1 - all0))
    print(f"records: {out_dir}")
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

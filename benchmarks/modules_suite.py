"""Wall time of the Terraform module suite (tests/modules) on the emulator, as CI runs it.

    uv run python benchmarks/modules_suite.py [--workers auto] [--include-deploy] [--engine E]

Prints the wall time of `pytest -n <workers> --dist loadgroup tests/modules` (goal: < 60 s on two
cores) and the slowest tests.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workers", default="auto")
    parser.add_argument("--include-deploy", action="store_true", help="also run tests/deploy")
    parser.add_argument(
        "--engine",
        choices=("terraform", "opentofu"),
        help="only the tests parametrized for this engine (tests/modules/conftest.py)",
    )
    args = parser.parse_args()
    paths = ["tests/modules"] + (["tests/deploy"] if args.include_deploy else [])
    other = {"terraform": "opentofu", "opentofu": "terraform"}.get(args.engine or "")
    select = ["-k", f"{args.engine} and not {other}"] if args.engine else []
    command = [
        sys.executable, "-m", "pytest", "-q", "-n", args.workers, "--dist", "loadgroup",
        "--durations=5", *select, *paths,
    ]  # fmt: skip
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    summary = [line for line in result.stdout.splitlines() if line.strip()][-8:]
    print("\n".join(summary))
    print(
        f"cpus: {os.cpu_count()}  workers: {args.workers}  paths: {' '.join(paths)}  "
        f"engine: {args.engine or 'both'}"
    )
    print(f"wall time: {wall:.1f} s (goal < 60 s on 2 cores)  exit: {result.returncode}")
    return result.returncode


if __name__ == "__main__":
    raise SystemExit(main())

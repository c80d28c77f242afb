"""How long scripts/install-tools takes: cold (empty tool folder, Go module and build caches) and
warm (everything there: version checks only).

    uv run python benchmarks/tool_setup.py            # warm only (the project's .tools)
    uv run python benchmarks/tool_setup.py --cold     # and a cold build (minutes, 2 cores)

The cold run builds into a temporary tool folder with temporary GOMODCACHE/GOCACHE, so it
downloads every module from the Go module proxy and compiles everything, as on a fresh machine;
the warm run is a second run on that same folder (or on .tools without --cold).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def install(env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(["bash", str(REPO / "scripts" / "install-tools")], env=env, check=True)
    return time.perf_counter() - started


def size_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cold", action="store_true", help="also time a build from nothing")
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f}")
    if not args.cold:
        print(f"warm setup (.tools): {install(dict(os.environ)):.1f} s")
        return 0
    with tempfile.TemporaryDirectory(prefix="tools-cold-") as scratch:
        root = Path(scratch)
        env = dict(
            os.environ,
            GALLEY_TOOLS_DIR=str(root / "tools"),
            GOMODCACHE=str(root / "gomodcache"),
            GOCACHE=str(root / "gocache"),
        )
        cold = install(env)
        warm = install(env)
        print(f"cold setup: {cold:.0f} s (terragrunt, tofu, tflint from the Go module proxy)")
        print(f"warm setup: {warm:.1f} s (version checks only)")
        sizes = {name: size_mb(root / name) for name in ("tools", "gomodcache", "gocache")}
        print(
            f"tool folder: {sizes['tools']:.0f} MB; module cache: {sizes['gomodcache']:.0f} MB; "
            f"build cache: {sizes['gocache']:.0f} MB"
        )
        # The module cache is read-only by design; make it removable.
        subprocess.run(["chmod", "-R", "u+w", str(root)], check=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""How long real Terragrunt takes on live/local against the emulator, per engine.

For Terraform and for OpenTofu, on a fresh copy of the live layer and a fresh emulated cloud
(reattach mode, as the tests): `run --all apply`, `run --all plan -- -detailed-exitcode` (no
changes), `run --all destroy`, each timed (goal: apply at most 10 s).

    uv run python benchmarks/terragrunt_live.py [--repeat 1]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from oci_emulator.harness import EmulatedCloud

REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / ".tools" / "bin"
os.environ.setdefault("OCI_EMULATOR_SCHEMA_DIR", str(REPO.parent / "shared" / "provider-schemas"))
ENGINES = {
    "terraform": shutil.which("terraform") or "terraform",
    "opentofu": str(TOOLS_BIN / "tofu"),
}
STEPS = (("apply", ["apply"]), ("plan", ["plan", "-detailed-exitcode"]), ("destroy", ["destroy"]))


def copy_layer(dest: Path) -> Path:
    for name in ("root.hcl", "mise.toml"):
        shutil.copy2(REPO / name, dest / name)
    ignore = shutil.ignore_patterns(".terragrunt-cache", ".terraform", "*.tfstate*")
    for name in ("live", "modules"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)
    return dest / "live" / "local"


def one_round(engine: str, scratch: Path) -> dict[str, float]:
    env_dir = copy_layer(scratch)
    times: dict[str, float] = {}
    with EmulatedCloud(scratch / "cloud") as cloud:
        env = dict(cloud.env, TG_TF_PATH=ENGINES[engine], TG_NON_INTERACTIVE="true")
        env["PATH"] = f"{TOOLS_BIN}{os.pathsep}{env['PATH']}"
        for step, args in STEPS:
            started = time.perf_counter()
            result = subprocess.run(
                [str(TOOLS_BIN / "terragrunt"), "run", "--all", "--", *args],
                cwd=env_dir,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            times[step] = time.perf_counter() - started
            if result.returncode != 0:
                raise SystemExit(
                    f"{engine} {step} failed:\n{(result.stdout + result.stderr)[-3000:]}"
                )
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    print(f"cpus: {os.cpu_count()}  load average: {os.getloadavg()[0]:.1f}  rounds: {args.repeat}")
    print(f"{'engine':<10} {'apply':>8} {'plan':>8} {'destroy':>8}   (median seconds, live/local)")
    for engine in ENGINES:
        rounds = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory(prefix=f"tg-{engine}-") as scratch:
                rounds.append(one_round(engine, Path(scratch)))
        medians = {step: statistics.median(r[step] for r in rounds) for step, _ in STEPS}
        cells = " ".join(f"{medians[step]:>8.1f}" for step, _ in STEPS)
        print(f"{engine:<10} {cells}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

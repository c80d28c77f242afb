"""Day two on the emulator's data plane: how long each rollout step of deploy/ (or live/local
through Terragrunt) takes, and how many of the calls a client made every 200 ms through the
gateway meanwhile were answered or failed; and the same for a tag change on the design before
day two (the modules at rollout_steps.PRE_ROLLOUT_COMMIT, replaced in place).

    uv run python benchmarks/rollouts.py [--paces 0.1 0.2] [--form deploy|live] [--skip-old]

Each step runs at every pace given (OCI_EMULATOR_PACE: 1 = OCI's pace, emulator/README.md
"Pace"). A step's time is a fixed part (Terraform, Terragrunt, the modules' own waits such as
the readiness time_sleep, which no pace scales) plus a part proportional to the pace (the
emulated work requests), so two paces give both parts, and the time at OCI's pace is estimated
as fixed + proportional part at pace 1. The emulated delays are OCI's where documented and
estimates where not (emulator/README.md marks which): so is the estimate.
Needs a Docker engine; builds (or reuses) the Galley image first, untimed.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests" / "e2e"))
sys.path.insert(0, str(REPO_ROOT / "tests" / "docker"))
sys.path.insert(0, str(REPO_ROOT / "scripts"))
os.environ.setdefault(
    "OCI_EMULATOR_SCHEMA_DIR", str(REPO_ROOT.parent / "shared" / "provider-schemas")
)
import deploy_local  # noqa: E402
import e2e_support as e2e  # noqa: E402
import galley_image_kit as kit  # noqa: E402
import rollout_client as rc  # noqa: E402
import rollout_steps as steps  # noqa: E402
from oci_emulator.dataplane import daemon  # noqa: E402


def run_new(form: str, image: Any, work: Path) -> tuple[rc.CallingClient, dict[str, float]]:
    if form == "live":
        stack = steps.LiveStack(work / "live", image)
        try:
            stack.apply("first deploy")
            return steps.day_two(stack, 1), stack.durations
        finally:
            stack.close()
    stack = e2e.Stack(work / "deploy", image)
    try:
        runner = steps.DeployRollout(
            stack,
            image_tag=steps.FIRST_TAG,
            url_token_generations='["1"]',
            iam_propagation_wait_seconds="2",
        )
        runner.apply("first deploy")
        return steps.day_two(runner, 0), runner.durations
    finally:
        stack.close()


def run_old(image: Any, work: Path) -> tuple[rc.CallingClient, dict[str, float]]:
    root = steps.git_export(steps.PRE_ROLLOUT_COMMIT, work / "old")
    stack = e2e.Stack(work / "old-stack", image, root)
    try:
        deploy_local.write_tfvars(root, stack.cloud.tenancy_id)
        runner = steps.DeployRollout(stack, image_tag=steps.FIRST_TAG)
        runner.apply("first deploy", attempts=3)  # no IAM wait in that design
        url = runner.current_url()
        runner.wait_answering(url)
        with rc.calling(
            rc.Credential(url), runner.ca, steps.MAX_CALLS, steps.MAX_S, "image tag changes"
        ) as client:
            runner.apply("image tag changes", client, image_tag=steps.SECOND_TAG)
            client.step = "after the last step"
            runner.wait_answering(url)
        return client, runner.durations
    finally:
        stack.close()


def estimate(by_pace: dict[float, dict[str, float]]) -> dict[str, float]:
    """Each step's time at pace 1 from two paces (fixed part + part proportional to the pace)."""
    if len(by_pace) < 2:
        return {}
    (p1, d1), (p2, d2) = sorted(by_pace.items())[:2]
    return {
        step: d1[step] + (d2[step] - d1[step]) / (p2 - p1) * (1 - p1) for step in d1 if step in d2
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paces", type=float, nargs="+", default=[0.1, 0.2])
    parser.add_argument("--form", choices=["deploy", "live"], default="deploy")
    parser.add_argument("--skip-old", action="store_true", help="only the new design")
    args = parser.parse_args()
    if any(p <= 0 for p in args.paces):
        raise SystemExit(f"--paces {args.paces}: every pace must be > 0 (no delay is removed)")
    image = kit.build_for_tests(daemon.docker_client(), e2e.IMAGE_TAG).image
    results: dict[str, dict[float, dict[str, float]]] = {"new": {}, "old": {}}
    for pace in args.paces:
        os.environ["OCI_EMULATOR_PACE"] = str(pace)
        with tempfile.TemporaryDirectory(prefix="galley-rollouts-") as tmp:
            client, durations = run_new(args.form, image, Path(tmp))
            print(f"\n{args.form}/ (create_before_destroy), pace {pace}:")
            print(rc.report(client, durations))
            results["new"][pace] = durations
            if not args.skip_old:
                client, durations = run_old(image, Path(tmp))
                print(f"\ndeploy/ at {steps.PRE_ROLLOUT_COMMIT} (in place), pace {pace}:")
                print(rc.report(client, durations))
                results["old"][pace] = durations
    for design, by_pace in results.items():
        for step, seconds in estimate(by_pace).items():
            print(f"estimated at OCI's pace, {design} design, {step}: {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Issue 18's figures in one run, each beside its goal and, where one was measured before the
work, the before/after ratio: the image (size, the bundled `oci`'s answer times, `docker run` ->
/health), the latency the emulated gateway adds, and optionally cold CI.

    uv run python benchmarks/goals.py                 # image and gateway: a few minutes
    uv run python benchmarks/goals.py --cold-ci       # and cold CI: as long as CI (tens of min)

Needs a Docker engine (scripts/start-dockerd). The image is built as tests/docker builds it (or
reused when its sources have not changed). Each part is the benchmark of its own script, called
here: image_figures.py, e2e_latency.py, ci_cold.py (their docstrings say how they measure).
Exit code 0 when every figure with a goal is within it, 1 when one is over.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import ci_cold
import docker
import e2e_latency
import image_figures
from image_figures import Figure

# No before/after ratio for the gateway: its code did not change in issue 18's work. The issue
# measured 2.0-3.4 ms p50 on a loaded machine; this script measures the same code at 0.7-0.8 ms
# on a lightly loaded one (docker/README.md), so the load, not the proxy, made the difference.
GATEWAY_GOAL_MS = 1.5


def gateway_figures(client: docker.DockerClient, requests: int) -> dict[str, Figure]:
    built = e2e_latency.galley_image.build_galley_image(
        client, "galley-bench/galley:e2e", reuse=True
    )
    with tempfile.TemporaryDirectory(prefix="galley-goals-") as tmp:
        *_, url, ca, port, cloud = e2e_latency.first_call_after_apply(Path(tmp), built.image)
        try:
            direct, gateway = e2e_latency.gateway_samples(url, ca, port, requests)
        finally:
            e2e_latency.stop_and_untag(cloud, client, built.image)
    d50 = e2e_latency.percentile(direct, 50)
    g50 = e2e_latency.percentile(gateway, 50)
    return {
        "Galley directly, p50": Figure(d50, None, "ms"),
        "through the gateway, p50": Figure(g50, None, "ms"),
        "gateway added latency, p50": Figure(g50 - d50, GATEWAY_GOAL_MS, "ms"),
    }


def cold_ci_figures(prune: bool) -> dict[str, Figure]:
    run = ci_cold.measure(prune=prune)
    minutes = run.total_s / 60
    print(f"cold CI: exit {run.returncode} ({run.outcome}); log {run.log}", flush=True)
    return {
        "cold CI (fresh clone, empty Go caches)": Figure(
            minutes, ci_cold.GOAL_S / 60, "min", ci_cold.BASELINE_S / 60
        ),
        "  of which tests (pytest)": Figure(run.tests_s / 60, None, "min"),
        "  cold CI exit code": Figure(float(run.returncode), 0.0, ""),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="samples per median (default 5)")
    parser.add_argument("--requests", type=int, default=2000, help="gateway samples per side")
    parser.add_argument("--image", help="measure this image (e.g. an older build) instead")
    parser.add_argument("--cold-ci", action="store_true", help="also run CI cold (tens of min)")
    parser.add_argument(
        "--prune-docker", action="store_true", help="with --cold-ci: empty Docker's cache first"
    )
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")
    if args.requests < 100:
        parser.error(f"--requests must be at least 100, got {args.requests}")
    if args.prune_docker and not args.cold_ci:
        parser.error("--prune-docker goes with --cold-ci")

    client = docker.from_env(timeout=1800)
    base = client.images.get(image_figures.kit.local_base_image(client))
    if args.image:
        image = client.images.get(args.image)
    else:
        image = image_figures.kit.build_for_tests(client, image_figures.TAG).image
    found = image_figures.figures(client, image, base=base, runs=args.runs)
    found = {name: f for name, f in found.items() if not name.startswith("layer ")}
    found |= gateway_figures(client, args.requests)
    if args.cold_ci:
        found |= cold_ci_figures(args.prune_docker)

    print(f"\nimage {image.short_id}; medians of {args.runs}; {args.requests} gateway requests")
    image_figures.report(found)
    over = [name for name, f in found.items() if f.goal is not None and f.value > f.goal]
    if over:
        print(f"over their goal: {', '.join(over)}")
    return 1 if over else 0


if __name__ == "__main__":
    raise SystemExit(main())

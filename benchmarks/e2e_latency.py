"""End to end on the emulator's data plane: time from `terraform apply` of deploy/ to the first
successful MCP call through the gateway (image already built), and the latency the emulated API
gateway adds to a request compared with calling Galley directly (loopback, keep-alive).

    uv run python benchmarks/e2e_latency.py [--requests 2000]

The apply runs at deploy-local's pace (OCI_EMULATOR_PACE, else 0.1 of OCI's delays) with its
waits; issue 9's 15 s goal for it predates OCI's pace in the emulator. Goal: gateway p50
overhead <= 1.5 ms (issue 18).
Needs a Docker engine; builds (or reuses) the Galley image first, untimed.
"""

from __future__ import annotations

import argparse
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import httpx

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "scripts"))
os.environ.setdefault(
    "OCI_EMULATOR_SCHEMA_DIR", str(REPO_ROOT.parent / "shared" / "provider-schemas")
)
import deploy_local  # noqa: E402
import galley_image  # noqa: E402
import mcp_check  # noqa: E402
from oci_emulator.dataplane import daemon, endpoints  # noqa: E402
from oci_emulator.harness import EmulatedCloud  # noqa: E402


def terraform(root: Path, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        ["terraform", *args, "-no-color"], cwd=root, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"terraform {args[0]} failed:\n{done.stdout[-2000:]}{done.stderr}")
    return done.stdout


def first_call_after_apply(work: Path, image):
    """(apply s, apply -> first MCP call s, local URL, CA, Galley's published port, cloud)."""
    # At deploy-local's pace and with its waits: the figure a newcomer sees, not OCI's minutes.
    deploy_local.set_pace(float(os.environ.get(deploy_local.PACE_ENV, deploy_local.DEFAULT_PACE)))
    cloud = EmulatedCloud(work / "cloud", data_plane=True).start()
    if not cloud.data_plane:
        raise SystemExit(f"no data plane: {cloud.data_plane_off_reason}")
    root = deploy_local.sync_sources(work / "work")
    deploy_local.write_tfvars(root, cloud.tenancy_id)
    terraform(root, cloud.env, "init", "-input=false")
    # The deployment's rate limit (per client IP) would answer most of the burst below 429.
    limit = "-var=rate_limit_requests_per_second=10000"
    waits = deploy_local.paced_waits()
    terraform(root, cloud.env, "plan", "-input=false", "-out=tfplan", limit, *waits)
    plan = json.loads(terraform(root, cloud.env, "show", "-json", "tfplan"))
    for reference in deploy_local.planned_images(plan):
        repository, _, tag = reference.rpartition(":")
        image.tag(repository, tag)
    started = time.monotonic()
    terraform(root, cloud.env, "apply", "-input=false", "tfplan")
    applied = time.monotonic() - started
    remote = json.loads(terraform(root, cloud.env, "output", "-json"))["mcp_endpoint_url"]["value"]
    url = endpoints.wait_for_local_url(cloud.state_dir, remote, 30)
    ca = endpoints.ca_path(cloud.state_dir)
    for _ in range(600):  # at most ~60 s
        try:
            trip = anyio.run(mcp_check.round_trip, url, ca, 5.0)
            if not trip.is_error:
                break
        except Exception:  # not up yet: connection refused, 502, ...
            time.sleep(0.1)
    else:
        raise SystemExit("no successful MCP call within 60 s")
    first_call = time.monotonic() - started
    (instance,) = daemon.read_status(cloud.state_dir)["instances"].values()
    port = int(instance["containers"][0]["ports"]["8000"])
    return applied, first_call, url, ca, port, cloud


def stop_and_untag(cloud: EmulatedCloud, client: Any, image: Any) -> None:
    """Stop the emulated cloud and drop the OCIR tags first_call_after_apply gave the image (the
    ones the plan asked for), keeping the build's own tags."""
    cloud.stop()
    for reference in client.images.get(image.id).tags:
        if reference.startswith("ocir."):
            client.images.remove(reference, noprune=True)


def latencies(client: httpx.Client, url: str, count: int) -> list[float]:
    samples = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url.split('?')[0]}: HTTP {response.status_code}")
    return samples


def gateway_samples(
    url: str, ca: Path, port: int, requests: int
) -> tuple[list[float], list[float]]:
    """Milliseconds per GET /health: Galley directly (plain HTTP on its published port) and
    through the gateway (TLS), keep-alive, in interleaved rounds so that load from other work on
    the machine hits both alike."""
    direct = f"http://127.0.0.1:{port}/health"
    gateway = url.replace("/mcp?", "/health?")
    verify = ssl.create_default_context(cafile=str(ca))
    with (
        httpx.Client(trust_env=False) as plain,
        httpx.Client(trust_env=False, verify=verify) as tls,
    ):
        latencies(plain, direct, 200)  # warm-up: connections, caches
        latencies(tls, gateway, 200)
        d: list[float] = []
        g: list[float] = []
        for _ in range(4):
            d += latencies(plain, direct, requests // 4)
            g += latencies(tls, gateway, requests // 4)
    return d, g


def percentile(samples: list[float], q: float) -> float:
    return statistics.quantiles(samples, n=100)[int(q) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()
    client = daemon.docker_client()
    print("building (or reusing) the Galley image ...", flush=True)
    built = galley_image.build_galley_image(client, "galley-bench/galley:e2e", reuse=True)
    with tempfile.TemporaryDirectory(prefix="galley-e2e-bench-") as tmp:
        applied, first_call, url, ca, port, cloud = first_call_after_apply(Path(tmp), built.image)
        try:
            print(f"terraform apply (deploy/, 20 resources):   {applied:6.2f} s")
            print(f"apply -> first successful MCP call:        {first_call:6.2f} s")
            d, g = gateway_samples(url, ca, port, args.requests)
            print(f"GET /health, {len(d)} requests each, keep-alive, loopback:")
            for name, samples in (("Galley directly (HTTP)", d), ("through the gateway", g)):
                print(
                    f"  {name:<26} p50 {percentile(samples, 50):6.3f} ms  "
                    f"p90 {percentile(samples, 90):6.3f} ms  p99 {percentile(samples, 99):6.3f} ms"
                )
            added = percentile(g, 50) - percentile(d, 50)
            print(f"gateway added latency, p50: {added:6.3f} ms  (goal <= 1.5 ms, issue 18)")
        finally:
            stop_and_untag(cloud, client, built.image)


if __name__ == "__main__":
    main()

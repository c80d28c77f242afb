"""Image figures: size (and the biggest layers), build times, container start -> healthy.

    uv run python benchmarks/image_build.py [--runs 3] [--skip-cold]

Builds docker/Dockerfile on the local engine exactly as tests/docker does (Debian-made stand-in
for python:3.12-slim, local Terraform/kubectl mirror, the machine's CA bundle for PyPI through the
egress proxy). Builds:
- cold-ish: nocache=True with the base image present (every stage rebuilt, PyPI downloads again);
- cached: the same build again, nothing changed;
- source change: one extra file under src/galley (only the app stage's last step and the runtime
  COPY rerun).
Start -> healthy is measured with the image's own HEALTHCHECK timing and with a 1 s interval
(what a tight orchestrator would see), next to start -> first HTTP 200 from /health.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import docker
import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "docker"))
import galley_image_kit as kit

TAG = "galley-bench/galley:latest"
TOKEN = "tok-benchmark-0123456789abcdef"


def timed(label: str, fn):
    start = time.monotonic()
    result = fn()
    elapsed = time.monotonic() - start
    print(f"{label:<44} {elapsed:8.1f} s", flush=True)
    return result, elapsed


def start_to_healthy(client: docker.DockerClient, image_id: str, interval_s: float | None):
    healthcheck = None if interval_s is None else {"test": [], "interval": int(interval_s * 1e9)}
    with httpx.Client(trust_env=False, timeout=2) as http:
        start = time.monotonic()
        container = client.containers.run(
            image_id,
            detach=True,
            environment={"GALLEY_URL_TOKEN": TOKEN},
            ports={"8000/tcp": ("127.0.0.1", None)},
            healthcheck=healthcheck,
        )
        try:
            port = kit.published_port(container)
            first_200 = None
            while first_200 is None and time.monotonic() - start < 60:
                try:
                    if http.get(f"http://127.0.0.1:{port}/health").status_code == 200:
                        first_200 = time.monotonic() - start
                except httpx.TransportError:
                    time.sleep(0.05)
            status = kit.wait_for_health(container, 120)
            healthy = time.monotonic() - start
        finally:
            container.remove(force=True)
    if status != "healthy":
        raise RuntimeError(f"container ended {status}, not healthy")
    return first_200, healthy


def tool_times(client: docker.DockerClient, image_id: str) -> dict[str, float]:
    script = (
        "import subprocess, time, json\n"
        "out = {}\n"
        "for cmd in (['oci', '--version'], ['terraform', 'version'],"
        " ['kubectl', 'version', '--client'], ['python', '-m', 'galley', '--version']):\n"
        "    t = time.monotonic(); subprocess.run(cmd, capture_output=True, check=True)\n"
        "    out[' '.join(cmd)] = time.monotonic() - t\n"
        "print(json.dumps(out))\n"
    )
    output = client.containers.run(
        image_id, ["-c", script], entrypoint=["python"], remove=True, environment={}
    )
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="container starts per setting")
    parser.add_argument("--skip-cold", action="store_true", help="skip the nocache build")
    args = parser.parse_args()

    client = docker.from_env(timeout=1800)
    base, _ = timed(
        "base image (mmdebstrap + import, or cached)", lambda: kit.ensure_base_image(client)
    )
    work = Path("/tmp/galley-bench-kubectl")
    kubectl = kit.debian_kubectl(work)
    extra_ca = kit.SYSTEM_CA_BUNDLE.read_bytes()
    with kit.ReleaseMirror(kit.terraform_release(), kubectl, kit.host_arch()) as mirror:
        build_args = {"BASE_IMAGE": base, "TARGETARCH": kit.host_arch(), **mirror.build_args()}

        def build(**kw):
            return kit.build_image(client, TAG, build_args, extra_ca=extra_ca, **kw)

        if not args.skip_cold:
            timed("build, cold-ish (nocache, base present)", lambda: build(nocache=True))
        image, _ = timed("build, cached (no change)", build)
        timed(
            "build, one source file changed",
            lambda: build(extra_files={"src/galley/_bench_touch.py": str(time.time()).encode()}),
        )
        image, _ = timed("build, back to the checkout", build)

    image.reload()
    base_size = client.images.get(base).attrs["Size"]
    print(
        f"\nimage size: {image.attrs['Size'] / 1e6:.0f} MB "
        f"(base stand-in {base_size / 1e6:.0f} MB; python:3.12-slim is smaller)"
    )
    layers = sorted(image.history(), key=lambda layer: layer["Size"], reverse=True)
    for layer in layers[:5]:
        created_by = layer["CreatedBy"].replace("/bin/sh -c #(nop) ", "") or "(base image)"
        # A COPY's line ends with its destination, the part that tells layers apart.
        created_by = created_by if len(created_by) <= 70 else "..." + created_by[-67:]
        print(f"  {layer['Size'] / 1e6:7.1f} MB  {created_by}")

    print(f"\nstart -> first /health 200 and -> Docker 'healthy' (median of {args.runs}):")
    for label, interval in (("image HEALTHCHECK timing", None), ("1 s interval", 1.0)):
        results = [start_to_healthy(client, image.id, interval) for _ in range(args.runs)]
        first = statistics.median(r[0] for r in results)
        healthy = statistics.median(r[1] for r in results)
        print(f"  {label:<26} first 200 {first:5.2f} s   healthy {healthy:5.2f} s")

    print("\ncommand times inside the container (one run each):")
    for cmd, seconds in tool_times(client, image.id).items():
        print(f"  {cmd:<32} {seconds:5.2f} s")


if __name__ == "__main__":
    main()

"""The image's figures for issue 18, each beside its goal: size, the biggest layers, how fast the
bundled `oci` answers inside the running container, and `docker run` -> first `/health` 200.

    uv run python benchmarks/image_figures.py [--runs 5] [--image <tag or id>]

Without --image it builds docker/Dockerfile as tests/docker does (Debian-made stand-in for
python:3.12-slim, local Terraform/kubectl mirror; an image built from the same sources is reused).
`oci` times are medians of --runs `docker exec` calls as the image's user, minus the median of as
many `docker exec <c> true` (what docker exec itself costs); one unmeasured call of each goes
first. The machine is shared: rerun when a figure looks off; the medians are what to compare.

`figures()` returns the same figures as a dict for a combined benchmark.
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from pathlib import Path
from typing import NamedTuple

import docker
import httpx
from docker.models.containers import Container
from docker.models.images import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "docker"))
import galley_image_kit as kit

TAG = "galley-bench/galley:figures"
TOKEN = "tok-image-figures-0123456789abcdef"
# The digest form, as modules/container-instance sets it: GALLEY_URL_TOKEN would make Galley start
# a second time to drop the plaintext from its environment.
ENVIRONMENT = {"GALLEY_URL_TOKEN_SHA256": hashlib.sha256(TOKEN.encode()).hexdigest()}
MB = 1e6

OCI_COMMANDS = {
    "oci --version": ["oci", "--version"],
    "oci os ns get --help": ["oci", "os", "ns", "get", "--help"],
}


class Figure(NamedTuple):
    value: float
    goal: float | None  # upper bound; None: reported for context, no goal
    unit: str
    baseline: float | None = None  # measured before issue 18's work, same method


# The image before issue 18's work (commit 19a040d), measured like the figures here, on the same
# lightly loaded machine on the same day: `benchmarks/goals.py --image <that image>`.
BASELINE = {
    "image size": 742.5,
    "oci --version": 0.39,
    "oci os ns get --help": 0.44,
    "docker run -> /health 200": 0.74,
}
GOALS = {
    "image size": 600.0,
    "oci --version": 0.25,
    "oci os ns get --help": 0.25,
    "docker run -> /health 200": 0.8,
}


def layer_sizes(image: Image, base: Image | None) -> dict[str, float]:
    """MB per layer that adds files, named by what made it; the base image's layers as one."""
    history = image.history()  # newest first
    own = history[: len(history) - len(base.history())] if base is not None else history
    sizes: dict[str, float] = {}
    if base is not None:
        sizes["base image"] = base.attrs["Size"] / MB
    for layer in reversed(own):
        if layer["Size"] < 0.1 * MB:  # metadata steps and a symlink: nothing to weigh
            continue
        created_by = layer["CreatedBy"].replace("/bin/sh -c #(nop) ", "").strip()
        # A COPY's line ends with its destination, which is what tells the layers apart.
        name = created_by.rsplit(" in ", 1)[-1] if created_by.startswith("COPY") else created_by
        sizes[name[:60] or "(unnamed)"] = layer["Size"] / MB
    return sizes


def _exec_seconds(container: Container, cmd: list[str]) -> float:
    start = time.perf_counter()
    code, output = container.exec_run(cmd)
    elapsed = time.perf_counter() - start
    if code != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {code}: {output.decode(errors='replace')}")
    return elapsed


def exec_medians(container: Container, runs: int) -> dict[str, float]:
    """Median seconds per command, net of `docker exec` (the median of `true`), and the latter."""
    commands = {"docker exec true": ["true"], **OCI_COMMANDS}
    samples: dict[str, list[float]] = {name: [] for name in commands}
    for cmd in commands.values():
        _exec_seconds(container, cmd)  # first call: page cache, not what a user waits for
    for _ in range(runs):  # interleaved, so a burst of load on the machine hits every command
        for name, cmd in commands.items():
            samples[name].append(_exec_seconds(container, cmd))
    overhead = statistics.median(samples.pop("docker exec true"))
    return {"docker exec true": overhead} | {
        name: statistics.median(values) - overhead for name, values in samples.items()
    }


def run_to_health(client: docker.DockerClient, image_id: str, timeout: float = 60) -> float:
    """Seconds from `docker run` to the first 200 from /health on a 127.0.0.1 port."""
    with httpx.Client(trust_env=False, timeout=2) as http:
        start = time.perf_counter()
        container = client.containers.run(
            image_id,
            detach=True,
            environment=ENVIRONMENT,
            ports={"8000/tcp": ("127.0.0.1", None)},
        )
        try:
            url = f"http://127.0.0.1:{kit.published_port(container)}/health"
            while time.perf_counter() - start < timeout:
                try:
                    if http.get(url).status_code == 200:
                        return time.perf_counter() - start
                except httpx.TransportError:
                    pass
                time.sleep(0.01)
        finally:
            container.remove(force=True)
    raise RuntimeError(f"no /health 200 within {timeout} s")


def figures(
    client: docker.DockerClient, image: Image, *, base: Image | None = None, runs: int = 5
) -> dict[str, Figure]:
    """Every figure: name -> (value, goal, unit, baseline). Layers carry no goal of their own."""
    found: dict[str, Figure] = {
        "image size": Figure(
            image.attrs["Size"] / MB, GOALS["image size"], "MB", BASELINE["image size"]
        )
    }
    for name, size in layer_sizes(image, base).items():
        found[f"layer {name}"] = Figure(size, None, "MB")

    container = client.containers.run(image.id, detach=True, environment=ENVIRONMENT)
    try:
        times = exec_medians(container, runs)
    finally:
        container.remove(force=True)
    found["docker exec true"] = Figure(times.pop("docker exec true"), None, "s")
    for name, seconds in times.items():
        found[name] = Figure(seconds, GOALS[name], "s", BASELINE[name])

    start = statistics.median(run_to_health(client, image.id) for _ in range(runs))
    name = "docker run -> /health 200"
    found[name] = Figure(start, GOALS[name], "s", BASELINE[name])
    return found


def report(found: dict[str, Figure]) -> None:
    for name, figure in found.items():
        line = f"{name:<40} {figure.value:8.2f} {figure.unit:<2}"
        if figure.goal is not None:
            verdict = "ok" if figure.value <= figure.goal else "OVER"
            line += f"   goal <= {figure.goal:g} {figure.unit}: {verdict}"
        if figure.baseline:
            line += f"   before {figure.baseline:g} ({figure.value / figure.baseline:.2f}x)"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="samples per median (default 5)")
    parser.add_argument("--image", help="measure this image instead of building one")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error(f"--runs must be at least 1, got {args.runs}")

    client = docker.from_env(timeout=1800)
    base_ref = kit.local_base_image(client)
    image = client.images.get(args.image) if args.image else kit.build_for_tests(client, TAG).image
    print(f"image {args.image or TAG} ({image.short_id}), base {base_ref}, medians of {args.runs}")
    report(figures(client, image, base=client.images.get(base_ref), runs=args.runs))


if __name__ == "__main__":
    main()

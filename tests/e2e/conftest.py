"""End to end: the deployed stack on the emulator's data plane, with a real Docker engine, the
Galley image that docker/Dockerfile builds, and real MCP clients.

The image is built once per session under a file lock (scripts/galley_image.py), with the same
build inputs as tests/docker, so whichever worker builds second finds every layer cached.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import docker
import docker.errors
import pytest
from docker.models.images import Image

sys.path.insert(0, str(Path(__file__).resolve().parent))
import e2e_support as e2e
import galley_image_kit as kit
from oci_emulator.dataplane import daemon


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    """The engine on /var/run/docker.sock, started by scripts/start-dockerd when it is down."""
    try:
        return daemon.docker_client()
    except daemon.DataPlaneUnavailable:
        done = subprocess.run(
            ["bash", str(e2e.REPO_ROOT / "scripts" / "start-dockerd")],
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.fail(f"no Docker engine and scripts/start-dockerd failed:\n{done.stderr}")
        return daemon.docker_client()


@pytest.fixture(scope="session")
def e2e_image(docker_client: docker.DockerClient) -> Image:
    try:
        built = kit.build_for_tests(docker_client, e2e.IMAGE_TAG)
    except docker.errors.BuildError as exc:
        log = "".join(str(entry.get("stream", entry)) for entry in exc.build_log)
        pytest.fail(f"image build failed: {exc.msg}\n{log[-6000:]}")
    return built.image


@pytest.fixture
def stack_factory(tmp_path: Path, e2e_image: Image) -> Iterator[Any]:
    made: list[e2e.Stack] = []

    def make(name: str = "stack", root: Path | None = None) -> e2e.Stack:
        stack = e2e.Stack(tmp_path / name, e2e_image, root)
        made.append(stack)
        return stack

    yield make
    for stack in made:
        stack.close()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, e2e_image: Image) -> Iterator[e2e.Stack]:
    """deploy/ applied once for the tests that only read from it."""
    stack = e2e.Stack(tmp_path_factory.mktemp("deployed"), e2e_image)
    try:
        done = stack.apply()
        assert done.returncode == 0, done.stdout + done.stderr
        stack.wait_healthy(stack.local_url())
        yield stack
    finally:
        stack.close()

"""Fixtures that build docker/Dockerfile on the real engine and run the image.

Everything the build downloads comes from Debian's archive, PyPI or a local mirror made here, so
the tests run on a machine with no image registry and no HashiCorp/Kubernetes downloads.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import docker
import docker.errors
import httpx
import pytest
from docker.models.containers import Container
from docker.models.images import Image

sys.path.insert(0, str(Path(__file__).parent))
import galley_image_kit as kit

IMAGE_TAG = "galley-test/galley:pytest"
TOKEN = "tok-docker-tests-3f9a1c0d5e7b"  # >= 16 characters, unlikely to occur by chance
GALLEY_UID = 10001
HEALTH_TIMEOUT_SECONDS = 90


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    """The engine on /var/run/docker.sock, started by scripts/start-dockerd when it is down."""
    try:
        client = docker.from_env(timeout=900)
        client.ping()
    except docker.errors.DockerException:
        done = subprocess.run(
            [str(kit.REPO_ROOT / "scripts" / "start-dockerd")], capture_output=True, text=True
        )
        if done.returncode != 0:
            pytest.fail(f"no Docker engine and scripts/start-dockerd failed:\n{done.stderr}")
        client = docker.from_env(timeout=900)
        client.ping()
    return client


@pytest.fixture(scope="session")
def base_image(docker_client: docker.DockerClient) -> str:
    return kit.ensure_base_image(docker_client)


@pytest.fixture(scope="session")
def release_binaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    return {
        "terraform": kit.terraform_release(),
        "kubectl": kit.debian_kubectl(tmp_path_factory.mktemp("kubectl")),
    }


@pytest.fixture(scope="session")
def extra_ca() -> bytes:
    """The machine's CA bundle (it holds the egress proxy's CA, which PyPI downloads need) and a
    marker CA that exists nowhere else, so a leak of the extra-CA file is detectable."""
    return kit.SYSTEM_CA_BUNDLE.read_bytes() + kit.marker_ca_pem()


def build_args(base_image: str, mirror: kit.ReleaseMirror) -> dict[str, str]:
    # No TARGETARCH: the SDK drives the classic builder, which leaves it empty, so the build
    # must find the host's architecture itself (the mirror only has the host's binaries).
    return {"BASE_IMAGE": base_image, **mirror.build_args()}


@dataclass(frozen=True)
class BuiltImage:
    image: Image
    terraform_version: str
    kubectl_version: str
    extra_ca: bytes
    base_image: str


@pytest.fixture(scope="session")
def galley_image(
    docker_client: docker.DockerClient,
    base_image: str,
    release_binaries: dict[str, tuple[Path, str]],
    extra_ca: bytes,
) -> BuiltImage:
    mirror = kit.ReleaseMirror(
        release_binaries["terraform"], release_binaries["kubectl"], kit.host_arch()
    )
    with mirror:
        try:
            image = kit.build_image(
                docker_client, IMAGE_TAG, build_args(base_image, mirror), extra_ca=extra_ca
            )
        except docker.errors.BuildError as exc:
            log = "".join(str(entry.get("stream", entry)) for entry in exc.build_log)
            pytest.fail(f"image build failed: {exc.msg}\n{log[-6000:]}")
    return BuiltImage(
        image=image,
        terraform_version=mirror.terraform_version,
        kubectl_version=mirror.kubectl_version,
        extra_ca=extra_ca,
        base_image=base_image,
    )


@dataclass(frozen=True)
class RunningGalley:
    container: Container
    port: int
    token: str
    health: str

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def http(self) -> httpx.Client:
        # trust_env=False: a proxy configured for the machine must not capture loopback.
        return httpx.Client(base_url=self.base_url, trust_env=False, timeout=30)


@pytest.fixture(scope="session")
def galley_container(
    docker_client: docker.DockerClient, galley_image: BuiltImage
) -> Iterator[RunningGalley]:
    container = docker_client.containers.run(
        galley_image.image.id,
        detach=True,
        environment={"GALLEY_URL_TOKEN": TOKEN},
        ports={"8000/tcp": ("127.0.0.1", None)},
        # Test left empty: the image's own HEALTHCHECK command runs, only more often.
        healthcheck={"test": [], "interval": 1_000_000_000, "start_period": 1_000_000_000},
    )
    try:
        health = kit.wait_for_health(container, HEALTH_TIMEOUT_SECONDS)
        yield RunningGalley(container, kit.published_port(container), TOKEN, health)
    finally:
        container.remove(force=True)

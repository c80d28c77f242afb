"""Inspect the Galley image in tests; building it lives in scripts/galley_image.py (shared with
scripts/deploy-local), re-exported here so tests and benchmarks keep one import."""

from __future__ import annotations

import datetime
import hashlib
import sys
import tarfile
import time
from collections.abc import Mapping
from pathlib import Path
from typing import IO

import docker
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.x509.oid import NameOID
from docker.models.containers import Container
from docker.models.images import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "scripts"))
from galley_image import (
    BASE_CHANGES,
    BASE_CUSTOMIZE_HOOK,
    BASE_PACKAGES,
    BASE_REPOSITORY,
    BASE_SUITE,
    DOCKERFILE,
    EXTRA_CA_PATH,
    LOCK_PATH,
    REPO_ROOT,
    SOURCE_LABEL,
    SYSTEM_CA_BUNDLE,
    BuiltGalley,
    ReleaseMirror,
    base_recipe_tag,
    build_context,
    build_galley_image,
    build_image,
    debian_kubectl,
    dockerfile_default,
    ensure_base_image,
    host_arch,
    local_base_image,
    machine_lock,
    terraform_release,
)

__all__ = [
    "BASE_CHANGES",
    "BASE_CUSTOMIZE_HOOK",
    "BASE_PACKAGES",
    "BASE_REPOSITORY",
    "BASE_SUITE",
    "DOCKERFILE",
    "EXTRA_CA_PATH",
    "LOCK_PATH",
    "REPO_ROOT",
    "SOURCE_LABEL",
    "SYSTEM_CA_BUNDLE",
    "BuiltGalley",
    "ReleaseMirror",
    "base_recipe_tag",
    "build_context",
    "build_for_tests",
    "build_galley_image",
    "build_image",
    "debian_kubectl",
    "dockerfile_default",
    "ensure_base_image",
    "host_arch",
    "local_base_image",
    "machine_lock",
    "marker_ca_pem",
    "published_port",
    "read_image_file",
    "saved_image_hits",
    "terraform_release",
    "wait_for_health",
]


# --- running and inspecting -------------------------------------------------------------------
def wait_for_health(container: Container, timeout: float) -> str:
    """Poll Docker's health status until it leaves `starting`; return the final status."""
    deadline = time.monotonic() + timeout
    status = "starting"
    while time.monotonic() < deadline:
        container.reload()
        state = container.attrs["State"]
        status = state.get("Health", {}).get("Status", "none")
        if status != "starting" or not state["Running"]:
            return status
        time.sleep(0.25)
    return status


def read_image_file(client: docker.DockerClient, image: str, path: Path) -> bytes:
    """A file's contents as the image has it."""
    output = client.containers.run(image, ["cat", str(path)], remove=True)
    assert isinstance(output, bytes)
    return output


def published_port(container: Container, port: str = "8000/tcp") -> int:
    container.reload()
    return int(container.attrs["NetworkSettings"]["Ports"][port][0]["HostPort"])


def saved_image_hits(image: Image, needles: Mapping[str, bytes], workdir: Path) -> list[str]:
    """Export the image (`docker save`) and report every needle found in any file of it.

    Layer tars are scanned whole (uncompressed tar keeps file contents verbatim), as are the
    image config (which carries the history) and the manifest. Returns "<needle> in <member>".
    """
    saved = workdir / "image.tar"
    with saved.open("wb") as out:
        for chunk in image.save(named=True):
            out.write(chunk)
    hits: list[str] = []
    with tarfile.open(saved) as outer:
        for member in outer.getmembers():
            if not member.isfile():
                continue
            stream = outer.extractfile(member)
            assert stream is not None
            hits += [f"{name} in {member.name}" for name in _scan(stream, needles)]
    saved.unlink()
    return hits


def _scan(stream: IO[bytes], needles: Mapping[str, bytes], chunk_size: int = 8 << 20) -> set[str]:
    overlap = max(len(n) for n in needles.values()) - 1
    found: set[str] = set()
    tail = b""
    while chunk := stream.read(chunk_size):
        window = tail + chunk
        found |= {name for name, needle in needles.items() if needle in window}
        tail = window[-overlap:] if overlap else b""
    return found


def marker_ca_pem() -> bytes:
    """A CA certificate that exists nowhere else, to follow the extra-CA path through the build.

    Byte-identical on every call (Ed25519 key from a fixed seed, deterministic signature, fixed
    dates), so adding it to the build context does not defeat the layer cache.
    """
    key = ed25519.Ed25519PrivateKey.from_private_bytes(
        hashlib.sha256(b"galley image tests: marker CA").digest()
    )
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "galley image tests marker CA")])
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(0x6A11E7)
        .not_valid_before(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
        .not_valid_after(datetime.datetime(2036, 1, 1, tzinfo=datetime.UTC))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, None)
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


# The tag tests/e2e and tests/deploy run the image under.
E2E_IMAGE_TAG = "galley-test/galley:e2e"


def build_for_tests(client: docker.DockerClient, tag: str) -> BuiltGalley:
    """The Galley image with the build inputs tests/docker uses (the marker CA included), so
    the layers are shared; an image already built from the same inputs is reused."""
    return build_galley_image(
        client,
        tag,
        base_image=ensure_base_image(client),
        extra_ca=SYSTEM_CA_BUNDLE.read_bytes() + marker_ca_pem(),
        reuse=True,
    )


if __name__ == "__main__":
    # scripts/setup --test-image: the image built before the tests, beside the tool builds,
    # rather than by the first test that needs it while every e2e worker waits on the build lock.
    from oci_emulator.dataplane import daemon

    built = build_for_tests(daemon.docker_client(), E2E_IMAGE_TAG)
    print(f"galley_image_kit: {E2E_IMAGE_TAG} ready ({'reused' if built.reused else 'built'})")

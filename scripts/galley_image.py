"""Build the Galley image on a machine with no image registry and no release downloads.

Shared by scripts/deploy-local, tests/docker and tests/e2e (through tests/docker/
galley_image_kit.py) and the benchmarks:
- a stand-in for `python:3.12-slim` made from Debian's archive only (mmdebstrap + docker import),
  cached in the engine under a tag derived from its recipe;
- a local release mirror serving Terraform (the machine's own binary, zipped, with a
  SHA256SUMS file in HashiCorp's format) and kubectl (Debian's kubernetes-client binary) with
  their checksum files, laid out like releases.hashicorp.com and dl.k8s.io;
- a build context made from the repository honouring .dockerignore, plus an optional extra CA
  certificate placed where docker/Dockerfile looks for it (the working tree is never touched);
- `build_galley_image`: all of the above in one call, builds serialised between processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import http.server
import io
import json
import re
import shutil
import subprocess
import tarfile
import tempfile
import threading
import zipfile
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import docker
import docker.errors
import docker.utils
import docker.utils.build
from docker.models.images import Image

REPO_ROOT = Path(__file__).resolve().parents[1]
DOCKERFILE = "docker/Dockerfile"
EXTRA_CA_PATH = "docker/extra-ca/build-proxy.crt"
SYSTEM_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")

# --- the base-image stand-in -------------------------------------------------------------------
BASE_SUITE = "trixie"  # Python 3.13; bookworm's 3.11 is below the image's "3.12+".
BASE_PACKAGES = ("python3", "python3-venv", "python3-pip", "ca-certificates")
# Make it look like python:3.12-slim where the Dockerfile relies on it: python/python3/pip in
# /usr/local/bin, pip allowed to install outside a venv, no apt caches.
BASE_CUSTOMIZE_HOOK = (
    'for n in python python3; do ln -sf /usr/bin/python3 "$1/usr/local/bin/$n"; done; '
    'ln -sf /usr/bin/pip3 "$1/usr/local/bin/pip"; '
    'rm -f "$1"/usr/lib/python3*/EXTERNALLY-MANAGED; '
    'rm -rf "$1"/var/cache/apt/*.bin "$1"/var/lib/apt/lists/*_*'
)
# `docker import` keeps no environment; python:3.12-slim sets these.
BASE_CHANGES = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "ENV LANG=C.UTF-8",
    'CMD ["python3"]',
)
BASE_REPOSITORY = "galley-test/python-standin"
LOCK_PATH = Path(tempfile.gettempdir()) / "galley-image-kit.lock"
# A second lock for builds: processes that build at once (pytest workers, a benchmark,
# deploy-local) take turns, so the second finds every layer in the cache instead of building too.
BUILD_LOCK_PATH = Path(tempfile.gettempdir()) / "galley-image-build.lock"


def base_recipe_tag() -> str:
    recipe = json.dumps([BASE_SUITE, BASE_PACKAGES, BASE_CUSTOMIZE_HOOK, BASE_CHANGES])
    return f"{BASE_REPOSITORY}:{hashlib.sha256(recipe.encode()).hexdigest()[:16]}"


@contextlib.contextmanager
def machine_lock(path: Path = LOCK_PATH) -> Iterator[None]:
    """Serialise base-image and kubectl preparation between processes (tests, benchmark)."""
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_base_image(client: docker.DockerClient) -> str:
    """Return the tag of the Debian-made base image, building it when the engine lacks it."""
    tag = base_recipe_tag()
    with machine_lock():
        with contextlib.suppress(docker.errors.ImageNotFound):
            client.images.get(tag)
            return tag
        with tempfile.TemporaryDirectory(prefix="galley-base-") as tmp:
            rootfs = Path(tmp) / "rootfs.tar"
            subprocess.run(
                [
                    "mmdebstrap",
                    "--quiet",
                    "--variant=minbase",
                    f"--include={','.join(BASE_PACKAGES)}",
                    f"--customize-hook={BASE_CUSTOMIZE_HOOK}",
                    BASE_SUITE,
                    str(rootfs),
                ],
                check=True,
            )
            repository, version = tag.split(":")
            client.api.import_image(
                src=str(rootfs), repository=repository, tag=version, changes=list(BASE_CHANGES)
            )
    return tag


# --- release binaries for the mirror ----------------------------------------------------------
def host_arch() -> str:
    return subprocess.run(
        ["dpkg", "--print-architecture"], check=True, capture_output=True, text=True
    ).stdout.strip()


@functools.cache
def terraform_release() -> tuple[Path, str]:
    """The machine's own Terraform binary and its version."""
    binary = shutil.which("terraform")
    if binary is None:
        raise RuntimeError("terraform is not on PATH; the image tests serve it from a local mirror")
    out = subprocess.run(
        [binary, "version", "-json"], check=True, capture_output=True, text=True
    ).stdout
    return Path(binary), json.loads(out)["terraform_version"]


def debian_kubectl(workdir: Path) -> tuple[Path, str]:
    """kubectl from Debian's kubernetes-client package (bookworm: 1.20.2), and its version.

    Downloaded with apt (not installed: on some machines /usr/bin/kubectl belongs to another
    package) and unpacked with dpkg-deb.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    with machine_lock():
        debs = sorted(workdir.glob("kubernetes-client_*.deb"))
        if not debs:
            # Sandbox user root: as root, apt's _apt user could not write into workdir.
            download = ["apt-get", "download", "-q", "-o", "APT::Sandbox::User=root"]
            download.append("kubernetes-client")
            if subprocess.run(download, cwd=workdir, check=False).returncode != 0:
                # A fresh machine may have no package lists yet.
                subprocess.run(["apt-get", "update", "-qq"], check=True)
                subprocess.run(download, cwd=workdir, check=True)
            debs = sorted(workdir.glob("kubernetes-client_*.deb"))
        binary = workdir / "kubectl"
        if not binary.exists():
            fs_tar = subprocess.run(
                ["dpkg-deb", "--fsys-tarfile", str(debs[-1])], check=True, capture_output=True
            ).stdout
            with tarfile.open(fileobj=io.BytesIO(fs_tar)) as tf:
                member = tf.extractfile("./usr/bin/kubectl")
                assert member is not None
                binary.write_bytes(member.read())
            binary.chmod(0o755)
    out = subprocess.run(
        [str(binary), "version", "--client", "-o", "json"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    git_version = json.loads(out)["clientVersion"]["gitVersion"]  # "v1.20.2"
    match = re.fullmatch(r"v(\d+\.\d+\.\d+)", git_version)
    if match is None:
        raise RuntimeError(f"unexpected kubectl version {git_version!r} from {debs[-1].name}")
    return binary, match.group(1)


# --- the local release mirror -----------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


class ReleaseMirror:
    """Serves Terraform and kubectl releases on 127.0.0.1 with upstream's URL layout.

    corrupt names the tools ("terraform", "kubectl") whose published digest is wrong.
    Builds reach it with network_mode="host".
    """

    def __init__(
        self,
        terraform: tuple[Path, str],
        kubectl: tuple[Path, str],
        arch: str,
        *,
        corrupt: Collection[str] = (),
    ) -> None:
        self.terraform_version = terraform[1]
        self.kubectl_version = kubectl[1]
        self._tmp = tempfile.TemporaryDirectory(prefix="galley-mirror-")
        root = Path(self._tmp.name)
        self._publish_terraform(root / "terraform", terraform[0], arch, "terraform" in corrupt)
        self._publish_kubectl(
            root / "kubernetes" / "release", kubectl[0], arch, "kubectl" in corrupt
        )
        handler = functools.partial(_QuietHandler, directory=str(root))
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _publish_terraform(self, root: Path, binary: Path, arch: str, corrupt: bool) -> None:
        version = self.terraform_version
        folder = root / version
        folder.mkdir(parents=True)
        zip_name = f"terraform_{version}_linux_{arch}.zip"
        with zipfile.ZipFile(folder / zip_name, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.write(binary, "terraform")
        digest = _digest(folder / zip_name, corrupt)
        (folder / f"terraform_{version}_SHA256SUMS").write_text(f"{digest}  {zip_name}\n")

    def _publish_kubectl(self, root: Path, binary: Path, arch: str, corrupt: bool) -> None:
        folder = root / f"v{self.kubectl_version}" / "bin" / "linux" / arch
        folder.mkdir(parents=True)
        shutil.copy2(binary, folder / "kubectl")
        (folder / "kubectl.sha256").write_text(_digest(folder / "kubectl", corrupt))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def build_args(self) -> dict[str, str]:
        return {
            "TERRAFORM_VERSION": self.terraform_version,
            "TERRAFORM_BASE_URL": f"{self.base_url}/terraform",
            "KUBECTL_VERSION": self.kubectl_version,
            "KUBECTL_BASE_URL": f"{self.base_url}/kubernetes/release",
        }

    def __enter__(self) -> ReleaseMirror:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._tmp.cleanup()


def _digest(path: Path, corrupt: bool) -> str:
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    # Flip the first hex digit: still a well-formed digest, just not this file's.
    return f"{int(digest[0], 16) ^ 1:x}{digest[1:]}" if corrupt else digest


# --- build context and build ------------------------------------------------------------------
def dockerfile_default(arg: str) -> str:
    """The default of `ARG <arg>=...` in docker/Dockerfile (the one place versions are set)."""
    text = (REPO_ROOT / DOCKERFILE).read_text()
    match = re.search(rf"^ARG {re.escape(arg)}=(\S+)$", text, re.MULTILINE)
    if match is None:
        raise LookupError(f"{DOCKERFILE} declares no default for ARG {arg}")
    return match.group(1)


def _context_excludes() -> list[str]:
    lines = (REPO_ROOT / ".dockerignore").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def context_digest() -> str:
    """Changes whenever a file the build context holds changes (path or content)."""
    digest = hashlib.sha256()
    included = docker.utils.build.exclude_paths(
        str(REPO_ROOT), _context_excludes(), dockerfile=DOCKERFILE
    )
    for relative in sorted(included):
        path = REPO_ROOT / relative
        if path.is_file():
            digest.update(relative.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def build_context(extra_files: Mapping[str, bytes]) -> IO[bytes]:
    """The repository as `docker build` sends it, plus `extra_files` (context path -> bytes)."""
    context = docker.utils.tar(
        str(REPO_ROOT), exclude=_context_excludes(), dockerfile=(DOCKERFILE, None)
    )
    context.seek(0)
    with tarfile.open(fileobj=context, mode="a") as tf:
        for name, content in extra_files.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            info.mode = 0o644
            tf.addfile(info, io.BytesIO(content))
    context.seek(0)
    return context


def build_image(
    client: docker.DockerClient,
    tag: str,
    build_args: Mapping[str, str],
    *,
    extra_ca: bytes | None,
    extra_files: Mapping[str, bytes] | None = None,
    nocache: bool = False,
    labels: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Image:
    """Build docker/Dockerfile with the classic builder (what the docker SDK drives).

    extra_ca goes where the Dockerfile looks for extra CA certificates (docker/extra-ca/).
    network_mode="host": the build reaches the mirror on 127.0.0.1 and PyPI as the host does.
    Raises docker.errors.BuildError when a step fails.
    """
    files = dict(extra_files or {})
    if extra_ca is not None:
        files[EXTRA_CA_PATH] = extra_ca
    with machine_lock(BUILD_LOCK_PATH):
        image, _logs = client.images.build(
            fileobj=build_context(files),
            custom_context=True,
            dockerfile=DOCKERFILE,
            tag=tag,
            buildargs=dict(build_args),
            network_mode="host",
            forcerm=True,
            rm=True,
            nocache=nocache,
            labels=dict(labels or {}),
            platform=platform,
        )
    return image


# --- everything in one call -------------------------------------------------------------------
OFFICIAL_BASE = "python:3.12-slim"


@dataclass(frozen=True)
class BuiltGalley:
    image: Image
    base_image: str
    terraform_version: str
    kubectl_version: str
    reused: bool = False


def local_base_image(client: docker.DockerClient) -> str:
    """python:3.12-slim when the engine already has it, else the Debian-made stand-in.

    Nothing is pulled: on machines without an image registry a pull can only fail.
    """
    with contextlib.suppress(docker.errors.ImageNotFound):
        client.images.get(OFFICIAL_BASE)
        return OFFICIAL_BASE
    return ensure_base_image(client)


SOURCE_LABEL = "org.galley.build-inputs"
# Each build is also tagged here under its inputs' digest, and reuse looks up that tag: the label
# alone is inherited by every image built FROM this one, so a user's derived image (or a test's)
# would be taken for the build.
BUILDS_REPOSITORY = "galley-build/galley"


def build_galley_image(
    client: docker.DockerClient,
    tag: str,
    *,
    base_image: str | None = None,
    extra_ca: bytes | None = None,
    workdir: Path | None = None,
    reuse: bool = False,
) -> BuiltGalley:
    """Build docker/Dockerfile as `tag` with Terraform and kubectl from a local mirror.

    extra_ca defaults to the machine's CA bundle (it holds a TLS-intercepting proxy's CA, which
    PyPI downloads then need); it reaches builder stages only, never the runtime image.
    With reuse, an image built here from the same inputs (the build context's files, base image
    and tool versions: recorded in a label, and in a BUILDS_REPOSITORY tag that images built FROM
    it do not inherit) is tagged `tag` and returned: even a fully cached build costs seconds.
    Raises docker.errors.BuildError when a step fails.
    """
    base = base_image or local_base_image(client)
    cache = workdir or Path(tempfile.gettempdir()) / "galley-image-kubectl"
    kubectl = debian_kubectl(cache)
    terraform = terraform_release()
    inputs = hashlib.sha256(
        json.dumps([context_digest(), base, terraform[1], kubectl[1]]).encode()
    ).hexdigest()
    built_tag = inputs[:32]
    if reuse:
        with contextlib.suppress(docker.errors.ImageNotFound):
            image = client.images.get(f"{BUILDS_REPOSITORY}:{built_tag}")
            repository, _, name = tag.rpartition(":")
            image.tag(repository, name)
            return BuiltGalley(client.images.get(tag), base, terraform[1], kubectl[1], True)
    ca = extra_ca if extra_ca is not None else SYSTEM_CA_BUNDLE.read_bytes()
    with ReleaseMirror(terraform, kubectl, host_arch()) as mirror:
        image = build_image(
            client,
            tag,
            {"BASE_IMAGE": base, **mirror.build_args()},
            extra_ca=ca,
            labels={SOURCE_LABEL: inputs},
        )
    image.tag(BUILDS_REPOSITORY, built_tag)
    return BuiltGalley(image, base, terraform[1], kubectl[1])

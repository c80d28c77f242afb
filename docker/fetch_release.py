"""Download a Terraform or kubectl release binary and verify it against the published SHA-256.

Runs inside a builder stage of docker/Dockerfile (stdlib only: the slim base has no curl or
unzip). Exits non-zero, naming the file and both digests, when the checksum does not match, so
the image build fails instead of shipping an unverified binary.

    python fetch_release.py terraform --version 1.11.4 --arch amd64 \
        --base-url https://releases.hashicorp.com/terraform --dest /opt/tools/bin
    python fetch_release.py kubectl --version 1.34.1 --arch auto \
        --base-url https://dl.k8s.io/release --dest /opt/tools/bin

`--arch auto` fetches for the architecture of the system it runs on (the build stage's own).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import platform
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

ARCHES = ("amd64", "arm64")
AUTO_ARCH = "auto"
# platform.machine() names, for systems without dpkg.
MACHINE_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}
VERSION_RE = re.compile(r"^\d+\.\d+\.\d+$")
SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
ATTEMPTS = 3


class FetchError(Exception):
    """A release file could not be fetched or did not verify."""


def download(url: str) -> bytes:
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (https or mirror)
                return response.read()
        except urllib.error.HTTPError as exc:
            # A 404 will not get better by asking again.
            raise FetchError(f"GET {url} answered {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            if attempt == ATTEMPTS:
                raise FetchError(f"GET {url} failed after {ATTEMPTS} attempts: {exc}") from exc
            time.sleep(2 * attempt)
    raise AssertionError("unreachable")


def verify(name: str, data: bytes, expected: str) -> None:
    expected = expected.strip().lower()
    if not SHA256_RE.match(expected):
        raise FetchError(f"published checksum for {name} is not a SHA-256 hex digest: {expected!r}")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise FetchError(f"checksum mismatch for {name}: published {expected}, downloaded {actual}")


def terraform_binary(version: str, arch: str, base_url: str) -> bytes:
    zip_name = f"terraform_{version}_linux_{arch}.zip"
    sums_name = f"terraform_{version}_SHA256SUMS"
    sums = download(f"{base_url}/{version}/{sums_name}").decode()
    # HashiCorp's format is sha256sum's: "<hex>  <file name>" per line.
    published = {
        parts[1]: parts[0]
        for parts in (line.split() for line in sums.splitlines())
        if len(parts) == 2
    }
    if zip_name not in published:
        raise FetchError(f"{sums_name} has no line for {zip_name}")
    archive = download(f"{base_url}/{version}/{zip_name}")
    verify(zip_name, archive, published[zip_name])
    with zipfile.ZipFile(io.BytesIO(archive)) as zf:
        return zf.read("terraform")


def kubectl_binary(version: str, arch: str, base_url: str) -> bytes:
    url = f"{base_url}/v{version}/bin/linux/{arch}/kubectl"
    # kubectl.sha256 holds the bare digest; tolerate a trailing file name as well.
    published = download(f"{url}.sha256").decode().split()
    if not published:
        raise FetchError(f"{url}.sha256 is empty")
    binary = download(url)
    verify(f"kubectl v{version} linux/{arch}", binary, published[0])
    return binary


FETCHERS = {"terraform": terraform_binary, "kubectl": kubectl_binary}


def system_arch() -> str:
    """The Debian name of this system's architecture (amd64, arm64, ...).

    dpkg knows the userland the binaries must run on: the build stage's, which is the image
    platform even where the classic builder leaves TARGETARCH empty (it builds for its host).
    """
    dpkg = shutil.which("dpkg")
    if dpkg is not None:
        done = subprocess.run(
            [dpkg, "--print-architecture"], capture_output=True, text=True, check=False
        )
        if done.returncode == 0 and done.stdout.strip():
            return done.stdout.strip()
    machine = platform.machine().lower()
    return MACHINE_ARCHES.get(machine, machine)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tool", choices=sorted(FETCHERS))
    parser.add_argument("--version", required=True, help="release version without 'v', e.g. 1.11.4")
    parser.add_argument(
        "--arch",
        required=True,
        help=f"one of {', '.join(ARCHES)}, or {AUTO_ARCH} for this system's architecture",
    )
    parser.add_argument("--base-url", required=True, help="release base URL (upstream or mirror)")
    parser.add_argument("--dest", required=True, type=Path, help="directory for the binary")
    args = parser.parse_args(argv)

    if not VERSION_RE.match(args.version):
        parser.error(f"--version {args.version!r} is not a release version like 1.11.4")
    if args.arch == AUTO_ARCH:
        args.arch = system_arch()
        if args.arch not in ARCHES:
            parser.error(
                f"--arch auto found this system's architecture {args.arch!r}, which has no "
                f"release here; expected one of {', '.join(ARCHES)}"
            )
    if args.arch not in ARCHES:
        parser.error(f"--arch {args.arch!r} is not supported; expected one of {', '.join(ARCHES)}")

    try:
        binary = FETCHERS[args.tool](args.version, args.arch, args.base_url.rstrip("/"))
    except FetchError as exc:
        print(f"fetch_release: {args.tool}: {exc}", file=sys.stderr)
        return 1
    args.dest.mkdir(parents=True, exist_ok=True)
    target = args.dest / args.tool
    target.write_bytes(binary)
    target.chmod(0o755)
    print(f"fetch_release: {args.tool} {args.version} linux/{args.arch} verified -> {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

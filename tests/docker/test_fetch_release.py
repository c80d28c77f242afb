"""docker/fetch_release.py against the local release mirror (no Docker engine needed)."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import galley_image_kit as kit

spec = importlib.util.spec_from_file_location(
    "fetch_release", kit.REPO_ROOT / "docker" / "fetch_release.py"
)
assert spec is not None and spec.loader is not None
fetch_release = importlib.util.module_from_spec(spec)
spec.loader.exec_module(fetch_release)

TERRAFORM_BYTES = b"#!/bin/sh\necho fake terraform\n"
KUBECTL_BYTES = b"#!/bin/sh\necho fake kubectl\n"


@pytest.fixture
def binaries(tmp_path):
    terraform = tmp_path / "terraform-bin"
    terraform.write_bytes(TERRAFORM_BYTES)
    kubectl = tmp_path / "kubectl-bin"
    kubectl.write_bytes(KUBECTL_BYTES)
    return (terraform, "1.11.4"), (kubectl, "1.36.4")


def fetch(mirror: kit.ReleaseMirror, tool: str, dest: Path, arch: str = "amd64") -> int:
    args = mirror.build_args()
    prefix = tool.upper()
    return fetch_release.main(
        [
            tool,
            "--version",
            args[f"{prefix}_VERSION"],
            "--arch",
            arch,
            "--base-url",
            args[f"{prefix}_BASE_URL"],
            "--dest",
            str(dest),
        ]
    )


@pytest.mark.parametrize(
    ("tool", "content"), [("terraform", TERRAFORM_BYTES), ("kubectl", KUBECTL_BYTES)]
)
def test_verified_binary_lands_executable(binaries, tmp_path, tool, content):
    with kit.ReleaseMirror(*binaries, "amd64") as mirror:
        assert fetch(mirror, tool, tmp_path / "bin") == 0
    target = tmp_path / "bin" / tool
    assert target.read_bytes() == content
    assert target.stat().st_mode & 0o111 == 0o111


@pytest.mark.parametrize("tool", ["terraform", "kubectl"])
def test_checksum_mismatch_fails_and_writes_nothing(binaries, tmp_path, capsys, tool):
    with kit.ReleaseMirror(*binaries, "amd64", corrupt={tool}) as mirror:
        assert fetch(mirror, tool, tmp_path / "bin") == 1
    err = capsys.readouterr().err
    assert f"fetch_release: {tool}: checksum mismatch" in err
    content = TERRAFORM_BYTES if tool == "terraform" else KUBECTL_BYTES
    if tool == "kubectl":
        # The published digest covers the binary itself; it is named in the message.
        assert hashlib.sha256(content).hexdigest() in err
    assert not (tmp_path / "bin" / tool).exists()


def test_arch_missing_from_sha256sums_is_named(binaries, tmp_path, capsys):
    with kit.ReleaseMirror(*binaries, "amd64") as mirror:
        assert fetch(mirror, "terraform", tmp_path / "bin", arch="arm64") == 1
    assert "has no line for terraform_1.11.4_linux_arm64.zip" in capsys.readouterr().err


def test_missing_release_reports_the_url_and_status(binaries, tmp_path, capsys):
    with kit.ReleaseMirror(*binaries, "amd64") as mirror:
        assert fetch(mirror, "kubectl", tmp_path / "bin", arch="arm64") == 1
        err = capsys.readouterr().err
        assert f"{mirror.base_url}/kubernetes/release/v1.36.4/bin/linux/arm64/kubectl" in err
    assert "answered 404" in err


@pytest.mark.parametrize(
    ("flag", "value", "expected"),
    [("--version", "v1.11", "is not a release version"), ("--arch", "x86_64", "not supported")],
)
def test_bad_arguments_are_refused_with_the_value(tmp_path, capsys, flag, value, expected):
    options = {"--version": "1.11.4", "--arch": "amd64", "--base-url": "http://127.0.0.1:9"}
    options[flag] = value
    argv = ["terraform", "--dest", str(tmp_path), *(x for kv in options.items() for x in kv)]
    with pytest.raises(SystemExit) as exit_info:
        fetch_release.main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert repr(value) in err
    assert expected in err


@pytest.fixture
def dpkg_says(tmp_path, monkeypatch):
    """Make PATH hold only a fake `dpkg --print-architecture` answering the given architecture."""

    def _say(arch: str | None) -> None:
        bin_dir = tmp_path / "dpkg-bin"
        bin_dir.mkdir(exist_ok=True)
        if arch is not None:
            dpkg = bin_dir / "dpkg"
            dpkg.write_text(f'#!/bin/sh\n[ "$1" = --print-architecture ] && echo {arch}\n')
            dpkg.chmod(0o755)
        monkeypatch.setenv("PATH", str(bin_dir))

    return _say


def test_auto_arch_on_an_arm64_system_fetches_arm64(binaries, tmp_path, capsys, dpkg_says):
    # The classic builder on an arm64 host: TARGETARCH is empty, the stage itself is arm64.
    dpkg_says("arm64")
    with kit.ReleaseMirror(*binaries, "arm64") as mirror:
        assert fetch(mirror, "terraform", tmp_path / "bin", arch="auto") == 0
        assert fetch(mirror, "kubectl", tmp_path / "bin", arch="auto") == 0
    out = capsys.readouterr().out
    assert "terraform 1.11.4 linux/arm64 verified" in out
    assert "kubectl 1.36.4 linux/arm64 verified" in out


@pytest.mark.parametrize(("machine", "expected"), [("aarch64", "arm64"), ("x86_64", "amd64")])
def test_auto_arch_without_dpkg_reads_the_machine(monkeypatch, dpkg_says, machine, expected):
    dpkg_says(None)
    monkeypatch.setattr(fetch_release.platform, "machine", lambda: machine)
    assert fetch_release.system_arch() == expected


def test_auto_arch_without_a_release_is_refused(tmp_path, capsys, dpkg_says):
    dpkg_says("riscv64")
    argv = ["kubectl", "--version", "1.36.4", "--arch", "auto", "--base-url", "http://127.0.0.1:9"]
    with pytest.raises(SystemExit) as exit_info:
        fetch_release.main([*argv, "--dest", str(tmp_path)])
    assert exit_info.value.code == 2
    assert "--arch auto found this system's architecture 'riscv64'" in capsys.readouterr().err


def test_dockerfile_falls_back_to_the_stages_own_architecture():
    """An empty TARGETARCH (classic builder) must not mean amd64 on an arm64 host."""
    fetch_lines = [
        line
        for line in (kit.REPO_ROOT / kit.DOCKERFILE).read_text().splitlines()
        if "--arch" in line
    ]
    assert len(fetch_lines) == 2
    assert all('--arch "${TARGETARCH:-auto}"' in line for line in fetch_lines)
    assert "amd64" not in (kit.REPO_ROOT / kit.DOCKERFILE).read_text()

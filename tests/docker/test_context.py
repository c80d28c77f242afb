"""What .dockerignore lets into the build context (no Docker engine needed)."""

from __future__ import annotations

import re
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import galley_image_kit as kit


def context_files() -> dict[str, int]:
    with tarfile.open(fileobj=kit.build_context({})) as tf:
        return {m.name: m.size for m in tf.getmembers() if m.isfile()}


def test_context_holds_what_the_dockerfile_copies():
    names = set(context_files())
    assert {
        "docker/Dockerfile",
        "docker/fetch_release.py",
        "docker/extra-ca/README.md",
        "pyproject.toml",
        "uv.lock",
        "README.md",
        "emulator/pyproject.toml",
        "src/galley/__init__.py",
        "src/galley/__main__.py",
    } <= names


def test_context_leaves_out_vcs_envs_tests_and_terraform_state():
    files = context_files()
    unwanted = (".git/", ".venv/", "tests/", "modules/", "live/", "deploy/", "emulator/src/")
    assert [n for n in files if n.startswith(unwanted)] == []
    parts = {part for name in files for part in Path(name).parts}
    assert not parts & {".terraform", ".terragrunt-cache", "__pycache__", ".local"}
    assert not [n for n in files if n.endswith((".tfstate", ".tfvars", ".pyc"))]
    assert sum(files.values()) < 2_000_000  # uv.lock is most of it


def test_checkov_passes_on_the_dockerfile(checkov_command):
    options = ["--framework", "dockerfile", "--quiet", "--compact"]
    result = subprocess.run(
        [*checkov_command, "-f", kit.DOCKERFILE, *options],
        cwd=kit.REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    assert "Passed checks:" in result.stdout


def test_image_terraform_default_matches_the_pinned_tool_version():
    # mise.toml pins the tool versions users run; the image must ship the same Terraform.
    pinned = tomllib.loads((kit.REPO_ROOT / "mise.toml").read_text())["tools"]["terraform"]
    dockerfile = (kit.REPO_ROOT / kit.DOCKERFILE).read_text()
    (default,) = re.findall(r"^ARG TERRAFORM_VERSION=(\S+)$", dockerfile, re.MULTILINE)
    assert default == pinned

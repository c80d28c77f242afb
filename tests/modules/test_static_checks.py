"""Formatting and security scanning of all HCL (modules and stack)."""

from __future__ import annotations

import importlib.metadata
import re
import shutil
import subprocess

import pytest
import tf_support as tfs

_SKIP = re.compile(r"#checkov:skip=(CKV_[A-Z0-9_]+)(.*)")


def test_terraform_fmt():
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", "modules", "stack"],
        cwd=tfs.REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _checkov_command() -> list[str]:
    # checkov's own hcl2 fork (bc-python-hcl2) and python-hcl2 install the same `hcl2` package,
    # so the project venv's checkov may not import; uvx runs the locked version in its own env.
    version = importlib.metadata.version("checkov")
    if shutil.which("uvx") is None:
        pytest.skip("uvx is not installed")
    return ["uvx", "--quiet", "--from", f"checkov=={version}", "checkov"]


def test_checkov_passes():
    dirs = [f"modules/{m}" for m in tfs.MODULE_NAMES] + ["stack"]
    command = _checkov_command() + [a for d in dirs for a in ("-d", d)]
    result = subprocess.run(
        [*command, "--framework", "terraform", "--quiet", "--compact", "--skip-download"],
        cwd=tfs.REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_every_checkov_skip_says_why():
    for path in [*tfs.MODULES_DIR.rglob("*.tf"), *tfs.STACK_DIR.rglob("*.tf")]:
        for match in _SKIP.finditer(path.read_text()):
            reason = match.group(2).lstrip(":").strip()
            assert len(reason) > 20, f"{path}: {match.group(1)} skipped without a reason"

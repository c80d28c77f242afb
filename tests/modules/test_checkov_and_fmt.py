"""Security scanning (checkov) and formatting of all HCL (modules and deploy). The file name sorts
early so that the slow checkov run starts first under pytest-xdist."""

from __future__ import annotations

import re
import subprocess

import pytest
import tf_support as tfs

_SKIP = re.compile(r"#checkov:skip=(CKV_[A-Z0-9_]+)(.*)")


def test_terraform_fmt():
    result = subprocess.run(
        ["terraform", "fmt", "-check", "-recursive", "-diff", "modules", "deploy", "tests"],
        cwd=tfs.REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_checkov_passes(checkov_command):
    dirs = [f"modules/{m}" for m in tfs.MODULE_NAMES] + ["deploy"]
    command = checkov_command + [a for d in dirs for a in ("-d", d)]
    result = subprocess.run(
        [*command, "--framework", "terraform", "--quiet", "--compact"],
        cwd=tfs.REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]


def test_every_checkov_skip_says_why():
    for path in [*tfs.MODULES_DIR.rglob("*.tf"), *tfs.DEPLOY_DIR.rglob("*.tf")]:
        for match in _SKIP.finditer(path.read_text()):
            reason = match.group(2).lstrip(":").strip()
            assert len(reason) > 20, f"{path}: {match.group(1)} skipped without a reason"


@pytest.mark.parametrize("module", tfs.MODULE_NAMES)
def test_module_layout_and_provider_requirements(module):
    module_dir = tfs.MODULES_DIR / module
    for name in ("versions.tf", "variables.tf", "outputs.tf", "main.tf", "README.md"):
        assert (module_dir / name).is_file(), f"modules/{module}/{name} is missing"
    code = "\n".join(p.read_text() for p in module_dir.glob("*.tf"))
    versions = (module_dir / "versions.tf").read_text()
    assert re.search(r'required_version = ">= 1\.5"', versions)
    # Bounded above: a new major release of the provider may break the modules.
    assert re.search(r'source\s+= "oracle/oci"\s+version\s+= ">= 6\.0, < 9\.0"', versions)
    # A module that composes others (source "../<module>") uses what they use.
    children = re.findall(r'source\s+= "\.\./([\w-]+)"', code)
    used = "\n".join(
        [code, *(p.read_text() for c in children for p in (tfs.MODULES_DIR / c).glob("*.tf"))]
    )
    uses_random = re.search(r'^resource "random_', used, re.MULTILINE) is not None
    declares_random = re.search(
        r'source\s+= "hashicorp/random"\s+version\s+= ">= 3\.0, < 4\.0"', versions
    )
    assert uses_random == bool(declares_random)
    assert not re.search(r'^provider "', code, re.MULTILINE), "modules take providers from callers"


def test_no_legacy_provider_address():
    for path in [*tfs.MODULES_DIR.rglob("*.tf"), *tfs.DEPLOY_DIR.rglob("*.tf")]:
        assert "hashicorp/oci" not in path.read_text(), path

"""deploy-local's Terragrunt form (scripts/deploy_local_terragrunt.py), run on a copy of the
repository as a user runs it: apply, apply again (no change), destroy."""

import json
import os
import re
import shutil
import subprocess
import sys

import pytest
import tf_support as tfs

# What the script reads: itself and its helpers, the pins, and the live layer.
COPIED = (
    "scripts/deploy_local_terragrunt.py",
    "scripts/outputs_display.py",
    "scripts/local_emulator.py",
    "mise.toml",
    "root.hcl",
)
OUTPUTS = (
    "api_gateway_hostname",
    "backend_url",
    "container_instance_id",
    "dynamic_group_matching_rule",
    "home_region",
    "mcp_endpoint_url",
    "object_storage_bucket",
    "object_storage_namespace",
    "policy_name",
    "url_token",
)


def _copy(dest):
    for name in COPIED:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(tfs.REPO_ROOT / name, dest / name)
    tfs.copy_sources(dest, "live", "modules")
    return dest


def _deploy(repo, *args):
    env = dict(os.environ, GALLEY_TOOLS_DIR=str(tfs.TOOLS_BIN.parent))
    result = subprocess.run(
        [sys.executable, str(repo / "scripts/deploy_local_terragrunt.py"), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("flag", ["--terragrunt", "--tofu"])
def test_terragrunt_form_applies_live_local_and_prints_the_plain_outputs(tmp_path, flag):
    repo = _copy(tmp_path / "repo")
    first = _deploy(repo, flag)
    engine = "terraform" if flag == "--terragrunt" else "tofu"
    assert f"terragrunt run --all apply in {repo / 'live/local'} with {engine}" in first
    assert re.search(r"api-gateway: Apply complete! Resources: [1-9]\d* added", first), first
    printed = dict(re.findall(r"^(\w+) = (.*)$", first, re.MULTILINE))
    assert sorted(printed) == sorted(OUTPUTS)
    assert printed["url_token"] == '"********"'
    assert re.fullmatch(r'"https://[\w.-]+/galley/mcp\?token=\*{8}"', printed["mcp_endpoint_url"])
    assert printed["home_region"] == '"us-ashburn-1"'  # looked up by the iam unit
    assert printed["object_storage_bucket"] == '"galley-local-data"'
    # Local state and caches stay in the copy; the emulator's lock files stay in the caches.
    assert (repo / ".local/terragrunt-state/live/local/iam/terraform.tfstate").is_file()
    assert list((repo / "live/local").glob("*/.terraform.lock.hcl")) == []

    again = _deploy(repo, flag)
    assert again.count("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.") == 5
    assert dict(re.findall(r"^(\w+) = (.*)$", again, re.MULTILINE)) == printed

    gone = _deploy(repo, flag, "--destroy")
    assert "api-gateway: Destroy complete!" in gone
    cloud = json.loads((repo / ".local/terragrunt-cloud/cloud.json").read_text())
    assert cloud["resources"] == {}


@pytest.mark.parametrize("flag", ["--terragrunt", "--tofu"])
def test_deploy_local_hands_its_terragrunt_flags_to_the_terragrunt_form(flag):
    result = subprocess.run(
        [sys.executable, str(tfs.REPO_ROOT / "scripts/deploy_local.py"), flag, "--help"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage: deploy-local --terragrunt|--tofu" in result.stdout

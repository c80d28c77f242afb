"""deploy-local's Terragrunt form (scripts/deploy_local_terragrunt.py), run on a copy of the
repository as a user runs it: apply, apply again (no change), destroy; with Docker, the data plane
serves the stack as in the plain form (--check through the gateway, --destroy leaves nothing)."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys

import pytest
import tf_support as tfs
from oci_emulator.dataplane import daemon
from oci_emulator.dataplane.containers import LABEL_CLOUD, cloud_key

sys.path.insert(0, str(tfs.REPO_ROOT / "tests" / "docker"))
import galley_image_kit as kit

# What the script reads: itself and its helpers, the pins, and the live layer.
COPIED = (
    "scripts/deploy_local_terragrunt.py",
    "scripts/deploy_local.py",
    "scripts/galley_image.py",
    "scripts/mcp_check.py",
    "scripts/outputs_display.py",
    "scripts/local_emulator.py",
    "mise.toml",
    "root.hcl",
)
OUTPUTS = (
    "api_gateway_hostname",
    "authorization_header",
    "backend_url",
    "container_instance_id",
    "current_token_name",
    "dynamic_group_matching_rule",
    "home_region",
    "image_repository_id",
    "mcp_endpoint_url",
    "mcp_endpoint_urls",
    "mcp_url",
    "object_storage_bucket",
    "object_storage_namespace",
    "policy_name",
    "public_hostname",
    "token_transport",
    "url_token",
)
# The deploy/ outputs' names, which the Terragrunt form composes from the units' outputs; the
# optional budget, alarms and audit log outputs are deploy/'s alone (the form prints none).
PLAIN_OUTPUTS = tuple(
    sorted(
        set(re.findall(r'^output "(\w+)"', (tfs.REPO_ROOT / "deploy/outputs.tf").read_text(), re.M))
        - {"budget_id", "alarm_topic_id", "audit_log_id"}
    )
)
LOCAL_URL = re.compile(r"mcp_endpoint_url \(local\) = (https://127\.0\.0\.1:(\d+)/galley/mcp\?\S+)")
# Whole-repository copy for the data plane's image build (its context hash finds the image the
# tests built), without caches, state and tools.
_NOT_COPIED = shutil.ignore_patterns(
    ".git", ".local", ".venv", ".tools", ".terragrunt-cache", ".terraform", "__pycache__",
    ".pytest_cache", ".ruff_cache", "node_modules", "*.tfstate*",
)  # fmt: skip


def _copy(dest):
    for name in COPIED:
        (dest / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(tfs.REPO_ROOT / name, dest / name)
    tfs.copy_sources(dest, "live", "modules")
    return dest


def _deploy(repo, *args, timeout=600):
    env = dict(os.environ, GALLEY_TOOLS_DIR=str(tfs.TOOLS_BIN.parent))
    result = subprocess.run(
        [sys.executable, str(repo / "scripts/deploy_local_terragrunt.py"), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@pytest.mark.parametrize("flag", ["--terragrunt", "--tofu"])
def test_terragrunt_form_applies_live_local_and_prints_the_plain_outputs(tmp_path, flag):
    repo = _copy(tmp_path / "repo")
    first = _deploy(repo, flag, "--no-data-plane")
    # deploy-local's default pace is the environment's (tests/conftest.py's), else 0.1.
    assert f"emulator pace: {float(os.environ['OCI_EMULATOR_PACE']):g}x OCI" in first
    assert "data plane: off (--no-data-plane); resources are records only" in first
    engine = "terraform" if flag == "--terragrunt" else "tofu"
    assert f"terragrunt run --all apply in {repo / 'live/local'} with {engine}" in first
    assert re.search(r"service: Apply complete! Resources: [1-9]\d* added", first), first
    printed = dict(re.findall(r"^(\w+) = (.*)$", first, re.MULTILINE))
    assert sorted(printed) == sorted(OUTPUTS) == list(PLAIN_OUTPUTS)
    assert printed["url_token"] == printed["authorization_header"] == '"********"'
    assert re.fullmatch(r'"https://[\w.-]+/galley/mcp"', printed["mcp_url"])
    assert re.fullmatch(r'"https://[\w.-]+/galley/mcp\?token=\*{8}"', printed["mcp_endpoint_url"])
    assert printed["home_region"] == '"us-ashburn-1"'  # looked up by the iam unit
    assert printed["object_storage_bucket"] == '"galley-local-data"'
    assert re.fullmatch(r'"ocid1\.containerrepo\.oc1\.iad\.\w+"', printed["image_repository_id"])
    # Local state and caches stay in the copy; the emulator's lock files stay in the caches.
    assert (repo / ".local/terragrunt-state/live/local/iam/terraform.tfstate").is_file()
    assert list((repo / "live/local").glob("*/.terraform.lock.hcl")) == []

    again = _deploy(repo, flag, "--no-data-plane")
    # One line per unit: network, audit-log, iam, image-repository, object-storage, service
    # (alarms and budget are left out in live/local).
    assert again.count("Apply complete! Resources: 0 added, 0 changed, 0 destroyed.") == 6
    assert dict(re.findall(r"^(\w+) = (.*)$", again, re.MULTILINE)) == printed

    gone = _deploy(repo, flag, "--destroy")
    assert "service: Destroy complete!" in gone
    cloud = json.loads((repo / ".local/terragrunt-cloud/cloud.json").read_text())
    # What the units made is gone; step 2's dynamic group, tag namespace and tag key are the
    # tenancy's, made outside them.
    left = {r["type"]: r for r in cloud["resources"].values()}
    assert sorted(left) == [
        "oci_identity_dynamic_group",
        "oci_identity_tag",
        "oci_identity_tag_namespace",
    ]
    # Step 2's rule is the one the iam unit outputs: it requires Galley's instance tag.
    rule = left["oci_identity_dynamic_group"]["attrs"]["matching_rule"]
    assert json.loads(printed["dynamic_group_matching_rule"]) == rule
    assert rule.endswith(", tag.galley.role.value='galley-instance'}")


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


@pytest.mark.docker
@pytest.mark.xdist_group("e2e-deploy-local-terragrunt")
@pytest.mark.parametrize("flag", ["--terragrunt", "--tofu"])
def test_terragrunt_form_serves_mcp_until_destroyed(tmp_path, flag):
    """The card's path alive: run --all apply brings up the container behind the gateway on
    127.0.0.1, --check makes an MCP round trip through it, the hints show the header form, and
    --destroy leaves no container, listener or daemon."""
    repo = tmp_path / "repo"
    shutil.copytree(tfs.REPO_ROOT, repo, ignore=_NOT_COPIED, symlinks=True)
    state_dir = (repo / ".local/terragrunt-cloud").resolve()
    kit.build_for_tests(daemon.docker_client(), kit.E2E_IMAGE_TAG)
    try:
        first = _deploy(repo, flag, "--check", "--pace", "0.05", timeout=1800)
        assert "emulator pace: 0.05x OCI" in first
        assert re.search(r"data plane: running \(pid \d+", first)
        url, port = LOCAL_URL.search(first).groups()
        assert "token=********" in url
        assert (
            f"claude mcp add --transport http galley https://127.0.0.1:{port}/galley/mcp "
            '--header "Authorization: Bearer ********"'
        ) in first
        assert "tools/list: galley_environment" in first
        assert re.search(r"tools/call galley_environment: ok; galley \S+; terraform \S+", first)
        assert daemon.running_pid(state_dir) is not None  # outlives the script

        gone = _deploy(repo, flag, "--destroy", timeout=900)
        assert "service: Destroy complete!" in gone
        assert "data plane: stopped (no container, no listener left)" in gone
        assert daemon.running_pid(state_dir) is None
        label = f"{LABEL_CLOUD}={cloud_key(state_dir)}"
        assert daemon.docker_client().containers.list(all=True, filters={"label": label}) == []
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", int(port)), timeout=5).close()
    finally:
        daemon.stop(state_dir)

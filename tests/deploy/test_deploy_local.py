"""scripts/deploy-local: deploys the stack onto the emulated cloud, idempotently, token masked; with
Docker its data plane makes it answer MCP on a local HTTPS URL that outlives the script."""

from __future__ import annotations

import hashlib
import os
import re
import socket
import subprocess
import sys

import pytest
import tf_support as tfs
from oci_emulator.dataplane import daemon
from oci_emulator.harness import EmulatedCloud

sys.path.insert(0, str(tfs.REPO_ROOT / "tests" / "docker"))
import galley_image_kit as kit

SCRIPT = tfs.REPO_ROOT / "scripts" / "deploy-local"
LOCAL_URL = re.compile(r"mcp_endpoint_url \(local\) = (https://127\.0\.0\.1:(\d+)/galley/mcp\?\S+)")


def _deploy(tmp_path, *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [str(SCRIPT), "--state-dir", str(tmp_path / "cloud"), "--work-dir", str(tmp_path / "work"),
         *args],
        capture_output=True, text=True, check=False, timeout=timeout,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_deploy_local_is_idempotent_and_masks_the_token(tmp_path):
    # mirror mode: terraform installs and starts the providers itself, as from the registry
    first = _deploy(tmp_path, "--mode", "mirror", "--no-data-plane")
    assert "data plane: off (--no-data-plane); resources are records only" in first
    assert re.search(r"Apply complete! Resources: \d+ added, 0 changed, 0 destroyed\.", first)
    assert 'url_token = "********"' in first
    assert re.search(r'mcp_endpoint_url = "https://[^"]+/galley/mcp\?token=\*{8}"', first)

    second = _deploy(tmp_path, "--mode", "mirror", "--no-data-plane", "--show-token")
    assert "Resources: 0 added, 0 changed, 0 destroyed." in second
    token = re.search(r'url_token = "([^"*]+)"', second).group(1)
    assert f'/galley/mcp?token={token}"' in second
    assert token not in first
    (instance,) = EmulatedCloud(tmp_path / "cloud").resources(
        "oci_container_instances_container_instance"
    )
    env = instance["attrs"]["containers"][0]["environment_variables"]
    assert env["GALLEY_URL_TOKEN_SHA256"] == hashlib.sha256(token.encode()).hexdigest()

    destroyed = _deploy(tmp_path, "--mode", "mirror", "--destroy")
    assert re.search(r"Destroy complete! Resources: \d+ destroyed\.", destroyed)
    # What Terraform made is gone; step 2's dynamic group, tag namespace and tag key are the
    # tenancy's, made outside it.
    left = EmulatedCloud(tmp_path / "cloud").resources()
    assert sorted(r["type"] for r in left) == [
        "oci_identity_dynamic_group",
        "oci_identity_tag",
        "oci_identity_tag_namespace",
    ]


def test_deploy_local_without_schemas_says_what_is_missing(tmp_path):
    missing = tmp_path / "no-schemas"
    result = subprocess.run(
        [str(SCRIPT), "--state-dir", str(tmp_path / "cloud"), "--work-dir", str(tmp_path / "w")],
        capture_output=True, text=True, check=False, timeout=120,
        env={**os.environ, "OCI_EMULATOR_SCHEMA_DIR": str(missing)},
    )  # fmt: skip
    assert result.returncode != 0
    assert f"provider schema directory {missing} not found" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.docker
@pytest.mark.xdist_group("e2e-deploy-local")
def test_deploy_local_serves_mcp_until_destroyed(tmp_path):
    """--check's round trip, an idempotent re-run on the same URL with the daemon still up
    after the script exits, and --destroy leaving no container, listener or daemon."""
    state_dir = tmp_path / "cloud"
    # Built with tests/docker's inputs first, deploy-local finds it by its inputs' tag and
    # reuses it instead of building again with the machine's CA only.
    kit.build_for_tests(daemon.docker_client(), kit.E2E_IMAGE_TAG)
    try:
        first = _deploy(tmp_path, "--check", timeout=1800)
        url, port = LOCAL_URL.search(first).groups()
        assert "token=********" in url
        # deploy-local's default pace is the environment's (tests/conftest.py's), else 0.1.
        assert f"emulator pace: {float(os.environ['OCI_EMULATOR_PACE']):g}x OCI" in first
        assert (
            f"claude mcp add --transport http galley https://127.0.0.1:{port}/galley/mcp "
            '--header "Authorization: Bearer ********"'
        ) in first
        assert "initialize: protocol 2025-11-25, server galley" in first
        assert "tools/list: galley_environment" in first
        assert re.search(r"tools/call galley_environment: ok; galley \S+; terraform \S+", first)
        assert f"NODE_EXTRA_CA_CERTS={state_dir.resolve()}/dataplane/ca/ca.pem" in first
        pid = daemon.running_pid(state_dir)
        assert pid is not None  # the data plane outlives the script
        # deploy-local made README step 2's dynamic group in the emulated tenancy: Galley's own
        # `oci` calls (resource principal) hold the rights deploy/'s policy grants.
        from oci_emulator.dataplane.containers import LABEL_CLOUD, cloud_key

        label = f"{LABEL_CLOUD}={cloud_key(state_dir)}"
        (galley,) = daemon.docker_client().containers.list(filters={"label": label})
        listing = 'oci os object list --bucket-name "$GALLEY_BUCKET_NAME" 2>&1'
        code, out = galley.exec_run(["sh", "-c", listing])
        assert code == 0, out.decode(errors="replace")

        again = _deploy(tmp_path, "--check", "--show-token")
        assert "Resources: 0 added, 0 changed, 0 destroyed." in again
        shown, same_port = LOCAL_URL.search(again).groups()
        assert same_port == port
        assert "token=********" not in shown
        assert '--header "Authorization: Bearer ********"' not in again
        assert daemon.running_pid(state_dir) == pid
        assert "tools/list: galley_environment" in again

        destroyed = _deploy(tmp_path, "--destroy")
        assert "data plane: stopped (no container, no listener left)" in destroyed
        assert daemon.running_pid(state_dir) is None
        client = daemon.docker_client()
        assert client.containers.list(all=True, filters={"label": label}) == []
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", int(port)), timeout=5).close()
    finally:
        daemon.stop(state_dir)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3", "argument --pace: 3 is out of range; expected 0 to 1"),
        ("fast", "'fast' is not a number"),
    ],
)
def test_deploy_local_refuses_a_bad_pace(value, expected):
    result = subprocess.run(
        [sys.executable, str(tfs.REPO_ROOT / "scripts/deploy_local.py"), "--pace", value],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert expected in result.stderr

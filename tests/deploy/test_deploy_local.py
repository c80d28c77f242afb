"""scripts/deploy-local: deploys the stack onto the emulated cloud, idempotently, token masked."""

from __future__ import annotations

import os
import re
import subprocess

import tf_support as tfs
from oci_emulator.harness import EmulatedCloud

SCRIPT = tfs.REPO_ROOT / "scripts" / "deploy-local"


def _deploy(tmp_path, *args: str) -> str:
    result = subprocess.run(
        # mirror mode: terraform installs and starts the providers itself, as from the registry
        [str(SCRIPT), "--mode", "mirror", "--state-dir", str(tmp_path / "cloud"),
         "--work-dir", str(tmp_path / "work"), *args],
        capture_output=True, text=True, check=False, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_deploy_local_is_idempotent_and_masks_the_token(tmp_path):
    first = _deploy(tmp_path)
    assert re.search(r"Apply complete! Resources: 17 added, 0 changed, 0 destroyed\.", first)
    assert 'url_token = "********"' in first
    assert re.search(r'mcp_endpoint_url = "https://[^"]+/galley/mcp\?token=\*{8}"', first)

    (instance,) = EmulatedCloud(tmp_path / "cloud").resources(
        "oci_container_instances_container_instance"
    )
    token = instance["attrs"]["containers"][0]["environment_variables"]["GALLEY_URL_TOKEN"]
    assert token not in first

    second = _deploy(tmp_path, "--show-token")
    assert "Resources: 0 added, 0 changed, 0 destroyed." in second
    assert f'url_token = "{token}"' in second
    assert f'/galley/mcp?token={token}"' in second

    destroyed = _deploy(tmp_path, "--destroy")
    assert "Destroy complete! Resources: 17 destroyed." in destroyed
    assert EmulatedCloud(tmp_path / "cloud").resources() == []


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

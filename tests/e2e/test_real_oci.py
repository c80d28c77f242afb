"""The same end-to-end run against a real OCI tenancy, when asked (GALLEY_E2E_OCI_PROFILE and
GALLEY_E2E_OCI_TFVARS): apply deploy/, wait for the endpoint with a bounded back-off, one MCP
round trip, and always destroy. What can be checked offline (its inputs) is tested here too."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import anyio
import httpx
import mcp_check
import pytest
import real_oci
from e2e_support import REPO_ROOT


def terraform(root, env, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["terraform", *args, "-input=false", "-no-color"],
        cwd=root, env=env, capture_output=True, text=True, timeout=3600, check=False,
    )  # fmt: skip


def test_real_tenancy_apply_round_trip_destroy(tmp_path):
    reason = real_oci.skip_reason(os.environ)
    if reason:
        pytest.skip(reason)
    inputs = real_oci.inputs_from(os.environ)
    for name in ("deploy", "modules"):
        shutil.copytree(
            REPO_ROOT / name,
            tmp_path / name,
            ignore=shutil.ignore_patterns(".terraform*", "*.tfstate*"),
        )
    root = tmp_path / "deploy"
    init = terraform(root, inputs.env, "init")
    assert init.returncode == 0, init.stderr
    try:
        applied = terraform(root, inputs.env, "apply", "-auto-approve", *inputs.var_args)
        assert applied.returncode == 0, applied.stdout[-3000:] + applied.stderr
        url = terraform(root, inputs.env, "output", "-raw", "mcp_endpoint_url").stdout.strip()
        health = url.replace("/mcp?", "/health?")
        last = "no answer"
        for delay in real_oci.backoff():
            try:
                response = httpx.get(health, timeout=10)
                if response.status_code == 200:
                    break
                last = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            time.sleep(delay)
        else:
            pytest.fail(f"the endpoint did not answer within the back-off (last: {last})")
        trip = anyio.run(mcp_check.round_trip, url, None)
        assert trip.is_error is False
        assert trip.tools == ["galley_environment"]
    finally:
        destroyed = terraform(root, inputs.env, "destroy", "-auto-approve", *inputs.var_args)
        assert destroyed.returncode == 0, destroyed.stderr


# --- offline: how the run builds its inputs -------------------------------------------------


def write_tfvars(path, **values):
    path.write_text("".join(f'{k} = "{v}"\n' for k, v in values.items()))
    return path


FULL = {
    "tenancy_id": "ocid1.tenancy.oc1..aaaa",
    "compartment_id": "ocid1.compartment.oc1..aaaa",
    "region": "eu-frankfurt-1",
    "dynamic_group_id": "ocid1.dynamicgroup.oc1..aaaa",
}


def test_without_either_variable_the_run_skips_saying_how_to_ask():
    reason = real_oci.skip_reason({})
    assert real_oci.PROFILE_ENV in reason and real_oci.TFVARS_ENV in reason
    assert real_oci.skip_reason({real_oci.PROFILE_ENV: "p"}) is None


def test_inputs_name_what_is_missing_or_wrong(tmp_path):
    config = tmp_path / "config"
    config.write_text("[DEFAULT]\nregion = eu-frankfurt-1\n[galley]\nregion = eu-frankfurt-1\n")
    base = {"OCI_CLI_CONFIG_FILE": str(config)}
    with pytest.raises(real_oci.RealOciInputError, match=real_oci.TFVARS_ENV):
        real_oci.inputs_from({**base, real_oci.PROFILE_ENV: "galley"})
    absent = tmp_path / "absent.tfvars"
    with pytest.raises(real_oci.RealOciInputError, match=r"absent\.tfvars.*no such file"):
        real_oci.inputs_from(
            {**base, real_oci.PROFILE_ENV: "galley", real_oci.TFVARS_ENV: str(absent)}
        )
    partial = write_tfvars(tmp_path / "partial.tfvars", region="eu-frankfurt-1")
    with pytest.raises(real_oci.RealOciInputError, match="tenancy_id, compartment_id"):
        real_oci.inputs_from(
            {**base, real_oci.PROFILE_ENV: "galley", real_oci.TFVARS_ENV: str(partial)}
        )
    full = write_tfvars(tmp_path / "full.tfvars", **FULL)
    with pytest.raises(real_oci.RealOciInputError, match=r"'nope'.*no such profile"):
        real_oci.inputs_from({**base, real_oci.PROFILE_ENV: "nope", real_oci.TFVARS_ENV: str(full)})


def test_inputs_drop_the_emulator_and_pass_the_profile_and_tfvars(tmp_path):
    config = tmp_path / "config"
    config.write_text("[galley]\nregion = eu-frankfurt-1\n")
    full = write_tfvars(tmp_path / "full.tfvars", **FULL)
    environ = {
        "OCI_CLI_CONFIG_FILE": str(config),
        real_oci.PROFILE_ENV: "galley",
        real_oci.TFVARS_ENV: str(full),
        "TF_REATTACH_PROVIDERS": "{}",
        "TF_CLI_CONFIG_FILE": "/emulator/terraform.rc",
        "OCI_EMULATOR_STATE_DIR": "/cloud",
        "PATH": "/usr/bin",
    }
    inputs = real_oci.inputs_from(environ)
    assert inputs.var_args == (f"-var-file={full}", "-var=config_file_profile=galley")
    assert "TF_REATTACH_PROVIDERS" not in inputs.env
    assert "TF_CLI_CONFIG_FILE" not in inputs.env
    assert not [k for k in inputs.env if k.startswith("OCI_EMULATOR_")]
    assert inputs.env["PATH"] == "/usr/bin"
    assert inputs.env["OCI_CLI_CONFIG_FILE"] == str(config)


def test_backoff_grows_is_capped_and_bounded_in_total():
    delays = real_oci.backoff(total_s=300, first_s=5, cap_s=60)
    assert delays[:3] == [5, 7.5, 11.25]
    assert max(delays) == 60
    assert sum(delays) <= 300
    assert sum(delays) + 60 > 300  # nothing more would fit

"""The card's use, through real Terragrunt on Terraform and on OpenTofu, against the OCI emulator:
`run --all apply`, a plan with no changes, outputs, `run --all destroy`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import tf_support as tfs
from live_checks import UNITS, env_values
from live_layer import edit
from terragrunt_cli import Terragrunt
from tf_support import ENGINES

# Terragrunt's summary line for a unit whose dependency has no outputs yet.
MOCKS_USED = "mock outputs provided and returning those in dependency output"
EXISTING_NETWORK_KEYS = ("vcn_id", "public_subnet_id", "private_subnet_id")


def _terragrunt(cloud, engine: str | None, **extra_env: str) -> Terragrunt:
    return Terragrunt(cloud.env, engine=engine, extra_env=extra_env)


def _mock_values(tg: Terragrunt, env_dir: Path) -> set[str]:
    """Every stand-in string of _envcommon/mock_outputs.hcl (each names itself "mock")."""
    values: set[str] = set()
    for unit in UNITS:
        for dep in (tg.render(env_dir / unit).get("dependency") or {}).values():
            for value in dep["mock_outputs"].values():  # an object output: its leaves
                leaves = value.values() if isinstance(value, dict) else [value]
                values.update(str(v) for v in leaves if "mock" in str(v))
    return values


def _offline(layer: Path, env: str, tenancy_id: str) -> Path:
    """live/<env> filled in as its users fill it, with the emulated tenancy's OCID (the iam unit
    looks up that tenancy's home region)."""
    env_file = layer / "live" / env / "env.hcl"
    text = env_file.read_text()
    placeholder = text.split('tenancy_id       = "', 1)[1].split('"', 1)[0]
    edit(env_file, placeholder, tenancy_id)
    return layer / "live" / env


def _attrs_json(resources: list[dict[str, Any]]) -> str:
    return json.dumps([r["attrs"] for r in resources])


@pytest.mark.slow
@pytest.mark.parametrize("engine", list(ENGINES))
def test_local_environment_apply_plan_output_destroy(layer: Path, oci_cloud, engine: str) -> None:
    tg = _terragrunt(oci_cloud, engine)
    env_dir = layer / "live" / "local"
    # Every unit, the optional ones too (live/local leaves alarms and budget out).
    edit(
        env_dir / "env.hcl", "alarms_enabled            = false", "alarms_enabled            = true"
    )
    edit(
        env_dir / "env.hcl",
        "alarm_notification_emails = []",
        'alarm_notification_emails = ["ops@example.com"]',
    )
    edit(env_dir / "env.hcl", "budget_monthly_amount   = null", "budget_monthly_amount   = 25")
    edit(env_dir / "env.hcl", 'bucket_versioning = "Enabled"', 'bucket_versioning = "Disabled"')
    edit(
        env_dir / "env.hcl",
        "retention_rules   = []",
        'retention_rules   = [{ display_name = "keep-1-day", time_amount = 1 }]',
    )

    # live/README.md, "First deployment": the repository alone first, then (after the push)
    # everything; the second run leaves the repository as it is.
    tg.run(env_dir, "run", "--all", "--filter", "./image-repository", "--", "apply")
    (repository,) = oci_cloud.resources("oci_artifacts_container_repository")
    assert {r["type"] for r in oci_cloud.resources()} == {"oci_artifacts_container_repository"}

    applied = tg.run_all(env_dir, "apply")
    # One engine for the units and for the dependency outputs read between them.
    assert tg.engines_run(applied) == {ENGINES[engine]}, applied.output[-4000:]
    for unit in UNITS:  # one local state per unit, under the git-ignored .local/
        assert (layer / ".local/terragrunt-state/live/local" / unit / "terraform.tfstate").is_file()
    # Local state keeps the emulator's lock files out of the unit folders.
    assert list(env_dir.glob("*/.terraform.lock.hcl")) == []

    # A second plan finds nothing to change (-detailed-exitcode: 2 would mean changes).
    plan = tg.run_all(env_dir, "plan", "-detailed-exitcode", check=False)
    assert plan.returncode == 0, plan.output[-4000:]

    outputs = {unit: tg.output(env_dir / unit) for unit in UNITS}
    endpoint = tg.run(env_dir / "service", "output", "-raw", "endpoint_base_url").stdout
    assert endpoint == outputs["service"]["endpoint_base_url"]
    assert endpoint.startswith("https://") and endpoint.endswith("/galley")

    # Outputs are wired from unit to unit, never from the mocks.
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    assert instance["id"] == outputs["service"]["container_instance_id"]
    assert instance["attrs"]["vnics"][0]["subnet_id"] == outputs["network"]["private_subnet_id"]
    (gateway,) = oci_cloud.resources("oci_apigateway_gateway")
    assert gateway["attrs"]["subnet_id"] == outputs["network"]["public_subnet_id"]
    (deployment,) = oci_cloud.resources("oci_apigateway_deployment")
    backend_ip = outputs["service"]["private_ip"]
    routes = deployment["attrs"]["specification"][0]["routes"]
    assert routes and all(f"http://{backend_ip}:" in r["backend"][0]["url"] for r in routes)
    bucket = outputs["object-storage"]["bucket_name"]
    assert bucket == "galley-local-data"
    assert f"target.bucket.name='{bucket}'" in " ".join(outputs["iam"]["policy_statements"])
    # The repository the pull right names, where it names it; created once.
    assert oci_cloud.resources("oci_artifacts_container_repository") == [repository]
    assert repository["id"] == outputs["image-repository"]["repository_id"]
    assert repository["attrs"]["display_name"] == outputs["image-repository"]["repository_name"]
    pull = [s for s in outputs["iam"]["policy_statements"] if "read repos" in s]
    assert len(pull) == 1 and "target.repo.name='galley'" in pull[0], pull
    assert f"compartment id {repository['attrs']['compartment_id']} " in pull[0], pull
    # The alarms watch what service deployed; the budget tracks the Galley compartment.
    alarms = oci_cloud.resources("oci_monitoring_alarm")
    assert {a["id"] for a in alarms} == set(outputs["alarms"]["alarm_ids"].values())
    dimensions = " ".join(a["attrs"]["query"] for a in alarms)
    assert instance["id"] in dimensions and gateway["id"] in dimensions, dimensions
    (subscription,) = oci_cloud.resources("oci_ons_subscription")
    assert subscription["attrs"]["endpoint"] == "ops@example.com"
    assert subscription["attrs"]["topic_id"] == outputs["alarms"]["topic_id"]
    (budget,) = oci_cloud.resources("oci_budget_budget")
    assert budget["id"] == outputs["budget"]["budget_id"]
    assert budget["attrs"]["compartment_id"] == oci_cloud.tenancy_id
    assert budget["attrs"]["targets"] == [instance["attrs"]["compartment_id"]]
    assert budget["attrs"]["amount"] == 25
    (bucket_resource,) = oci_cloud.resources("oci_objectstorage_bucket")
    (rule,) = bucket_resource["attrs"]["retention_rules"]
    assert rule["display_name"] == "keep-1-day" and rule["duration"][0]["time_amount"] == "1"
    leaked = [m for m in _mock_values(tg, env_dir) if m in _attrs_json(oci_cloud.resources())]
    assert leaked == []

    tg.run_all(env_dir, "destroy")
    assert oci_cloud.resources() == []
    assert tg.deprecations() == []


@pytest.mark.slow(minutes=2)
@pytest.mark.parametrize("engine", list(ENGINES))
def test_dev_applies_and_destroys_offline_with_its_home_region(
    layer: Path, oci_cloud, engine: str
) -> None:
    """dev with the offline switch: state in local files, its units in eu-frankfurt-1 and its
    iam unit in the tenancy's home region, found by the lookup (the emulated tenancy's home is
    us-ashburn-1, and the emulator refuses IAM writes elsewhere with 403-NotAllowed)."""
    env_dir = _offline(layer, "dev", oci_cloud.tenancy_id)
    tg = _terragrunt(oci_cloud, engine, GALLEY_STATE_BACKEND="local")

    tg.run_all(env_dir, "apply")
    assert (layer / ".local/terragrunt-state/live/dev/iam/terraform.tfstate").is_file()
    (vcn,) = oci_cloud.resources("oci_core_vcn")
    assert vcn["id"].startswith("ocid1.vcn.oc1.fra."), vcn["id"]  # eu-frankfurt-1's key
    policies = oci_cloud.resources("oci_identity_policy")
    assert {p["attrs"]["name"] for p in policies} >= {"galley-dev-policy"}

    tg.run_all(env_dir, "destroy")
    assert oci_cloud.resources() == []
    assert tg.deprecations() == []


@pytest.mark.parametrize("engine", list(ENGINES))
@pytest.mark.parametrize("env", ["dev", "prod"])
def test_fresh_environment_plans_on_mocks(layer: Path, oci_cloud, engine: str, env: str) -> None:
    env_dir = _offline(layer, env, oci_cloud.tenancy_id)
    tg = _terragrunt(oci_cloud, engine, GALLEY_STATE_BACKEND="local")
    result = tg.run_all(env_dir, "plan")
    assert MOCKS_USED in result.output
    # Every unit but the ones env.hcl leaves out (exclude blocks).
    values = env_values(tg, layer / "live")[env]
    left_out = {"alarms"} if not values["alarms_enabled"] else set()
    left_out |= {"budget"} if values["budget_monthly_amount"] is None else set()
    left_out |= {"audit-log"} if not values["audit_log_enabled"] else set()
    assert result.output.count("Plan: ") == len(set(UNITS) - left_out)
    assert oci_cloud.resources() == []


@pytest.mark.parametrize("env", ["local", "dev"])
def test_no_engine_chosen_with_both_installed_runs_no_engine(
    layer: Path, oci_cloud, env: str
) -> None:
    """Both engines on PATH and TG_TF_PATH unset: Terragrunt 1.1.3 would run the units with
    root.hcl's Terraform and read dependency outputs with OpenTofu (its own default), which for
    a remote state (dev on the s3 backend here) initialises another engine's backend and reads
    another state. The run stops before any engine runs and says how to choose one. The s3
    endpoint's proxy is a closed port on loopback: nothing leaves the machine."""
    env_dir = _offline(layer, env, oci_cloud.tenancy_id) if env != "local" else layer / "live/local"
    remote = {
        "GALLEY_STATE_BACKEND": "s3",
        "AWS_ACCESS_KEY_ID": "not-a-key",
        "AWS_SECRET_ACCESS_KEY": "not-a-secret",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    tg = _terragrunt(oci_cloud, None, **(remote if env != "local" else {}))
    run_env = tg.env()
    assert "TG_TF_PATH" not in run_env
    assert all(shutil.which(tool, path=run_env["PATH"]) for tool in ENGINES.values())
    result = tg.run_all(env_dir, "apply", check=False)
    assert result.returncode != 0
    assert "TG_TF_PATH is unset" in result.output, result.output[-4000:]
    assert "export TG_TF_PATH=terraform" in result.output
    assert tg.engines_run(result) == set(), result.output[-4000:]
    assert oci_cloud.resources() == []


def test_opentofu_says_what_to_set_for_the_oci_backend(layer: Path, oci_cloud) -> None:
    """Without the offline switch, OpenTofu on dev stops at plan with the guard's message, not
    at init with "There is no backend type named oci"."""
    env_dir = _offline(layer, "dev", oci_cloud.tenancy_id)
    tg = _terragrunt(oci_cloud, "opentofu")
    result = tg.run(env_dir / "network", "plan", check=False)
    assert result.returncode != 0
    assert "OpenTofu has no `oci` state backend" in result.output
    assert 'set state_backend = "s3" in that env.hcl' in result.output
    assert "no backend type" not in result.output


def test_destroy_works_on_a_fresh_environment(layer: Path, oci_cloud) -> None:
    result = _terragrunt(oci_cloud, "terraform").run_all(layer / "live" / "local", "destroy")
    assert MOCKS_USED in result.output
    assert oci_cloud.resources() == []


def test_destroy_works_on_a_half_applied_environment(layer: Path, oci_cloud) -> None:
    """A first apply that stopped after iam and network: destroy still runs every unit."""
    tg = _terragrunt(oci_cloud, "terraform")
    env_dir = layer / "live" / "local"
    for unit in ("network", "audit-log", "iam"):  # iam reads the audit log's group
        tg.run(env_dir / unit, "apply", "-auto-approve")
    assert oci_cloud.resources("oci_core_vcn") and oci_cloud.resources("oci_identity_policy")
    tg.run_all(env_dir, "destroy")
    assert oci_cloud.resources() == []


def test_apply_never_uses_mocks(layer: Path, oci_cloud) -> None:
    """A unit whose dependencies are not applied is not applied with their stand-ins."""
    tg = _terragrunt(oci_cloud, "terraform")
    result = tg.run(layer / "live/local/service", "apply", "-auto-approve", check=False)
    assert result.returncode != 0
    assert "is a dependency of" in result.output and "but detected no outputs" in result.output
    assert oci_cloud.resources("oci_container_instances_container_instance") == []


@pytest.mark.slow
@pytest.mark.parametrize("engine", list(ENGINES))
def test_local_environment_in_an_existing_network(
    layer: Path, oci_cloud, engine: str, tmp_path: Path
) -> None:
    """live/local with env.hcl's existing_network naming a VCN made beforehand: the network
    unit only reads it and adds Galley's NSGs, the gateway and the instance sit in its subnets
    and NSGs, a second plan changes nothing, and after `run --all destroy` the pre-existing
    network is as it was, attribute for attribute."""
    theirs, network = tfs.existing_network(oci_cloud, tmp_path / "theirs")
    before = tfs.network_snapshot(oci_cloud)
    env_dir = layer / "live" / "local"
    edit(
        env_dir / "env.hcl",
        "  existing_network = null\n",
        "  existing_network = {\n"
        + "".join(f'    {k} = "{network[k]}"\n' for k in EXISTING_NETWORK_KEYS)
        + "  }\n",
    )
    tg = _terragrunt(oci_cloud, engine)

    tg.run_all(env_dir, "apply")
    plan = tg.run_all(env_dir, "plan", "-detailed-exitcode", check=False)
    assert plan.returncode == 0, plan.output[-4000:]
    assert tfs.network_snapshot(oci_cloud) == before
    unit = tg.output(env_dir / "network")
    (gateway,) = oci_cloud.resources("oci_apigateway_gateway")
    assert gateway["attrs"]["subnet_id"] == network["public_subnet_id"]
    assert gateway["attrs"]["network_security_group_ids"] == [unit["gateway_nsg_id"]]
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    (vnic,) = instance["attrs"]["vnics"]
    assert (vnic["subnet_id"], vnic["nsg_ids"]) == (
        network["private_subnet_id"],
        [unit["instance_nsg_id"]],
    )

    tg.run_all(env_dir, "destroy")
    assert tfs.network_snapshot(oci_cloud) == before
    assert {r["type"] for r in oci_cloud.resources()} <= set(tfs.NETWORK_TYPES)
    theirs.destroy(tf_vars=tfs.SHARED_NETWORK)
    assert oci_cloud.resources() == []

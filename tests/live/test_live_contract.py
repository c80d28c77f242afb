"""The live layer of this repository, as real Terragrunt renders it, against the real modules."""

from __future__ import annotations

import json
import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest
from live_checks import (
    ENV_INPUTS,
    ENVIRONMENTS,
    OPENTOFU_OCI_GUARD,
    UNITS,
    check_live,
    env_values,
)
from live_layer import REPO, copy_layer, edit
from terragrunt_cli import Terragrunt, TerragruntError
from tf_support import ENGINES, tool_path

LIVE = REPO / "live"
# Arguments of Terraform's `oci` backend (Terraform >= 1.12), as documented at
# https://developer.hashicorp.com/terraform/language/backend/oci; bucket and namespace required.
OCI_BACKEND_ARGUMENTS = {
    "bucket",
    "namespace",
    "key",
    "region",
    "workspace_key_prefix",
    "auth",
    "config_file_profile",
    "tenancy_ocid",
    "user_ocid",
    "fingerprint",
    "private_key",
    "private_key_path",
    "private_key_password",
    "kms_key_id",
    "sse_customer_key",
    "sse_customer_key_sha256",
    "sse_customer_algorithm",
}
OCI_BACKEND_REQUIRED = {"bucket", "namespace"}


def _generated(rendered: dict, block: str) -> dict:
    return json.loads(rendered["generate"][block]["contents"])


def test_live_layer_has_no_contract_problems(
    layer: Path, tg: Terragrunt, provider_attrs: set[str]
) -> None:
    """Every environment: inputs are module variables and cover the required ones, mocks are
    outputs and never reach apply, env.hcl values reach their inputs, providers, backends,
    order; the pins and the README agree; Terragrunt warns of no deprecation."""
    assert check_live(tg, layer, provider_attrs) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_unit_graph_runs_in_the_intended_order(tg: Terragrunt, env: str) -> None:
    entries = tg.find(LIVE / env)
    graph = {e["path"]: set(e.get("dependencies") or []) for e in entries}
    assert graph == {
        "network": set(),
        # The scope of Galley's log-content right: the audit log's group.
        "iam": {"audit-log"},
        "audit-log": set(),
        # Applied alone before the first push; no unit reads it (the names come from env.hcl).
        "image-repository": set(),
        # The bucket's lifecycle rules need iam's Object Storage service policy first.
        "object-storage": {"iam"},
        # The image pull and the bucket access need iam's Galley policy first.
        "service": {"network", "object-storage", "iam", "audit-log"},
        # Alarms name the gateway, deployment and instance service deployed.
        "alarms": {"service"},
        "budget": set(),
    }
    order = [e["path"] for e in entries]  # --dag lists dependencies first
    for unit, needs in graph.items():
        assert all(order.index(dep) < order.index(unit) for dep in needs), order


def test_dag_graph_draws_the_same_edges(tg: Terragrunt) -> None:
    dot = tg.run(LIVE / "dev", "dag", "graph").stdout
    edges = set(re.findall(r'"([\w-]+)" -> "([\w-]+)"', dot))
    assert edges == {
        ("object-storage", "iam"),
        ("service", "network"),
        ("service", "object-storage"),
        ("service", "iam"),
        ("alarms", "service"),
        ("iam", "audit-log"),
        ("service", "audit-log"),
    }


def test_run_from_the_repository_root_finds_only_units(tmp_path: Path, tg: Terragrunt) -> None:
    """root.hcl is no unit: `run --all` from the repository root would run exactly the
    environments' units (a root terragrunt.hcl was taken for one)."""
    layer = copy_layer(tmp_path / "repo")
    paths = {e["path"] for e in json.loads(tg.run(layer, "find", "--json").stdout)}
    assert paths == {f"live/{env}/{unit}" for env in ENVIRONMENTS for unit in UNITS}
    assert not (REPO / "terragrunt.hcl").exists()


@pytest.mark.parametrize("env", ["dev", "prod", "local"])
def test_iam_alone_gets_the_derived_home_region(tg: Terragrunt, env: str) -> None:
    """home_region = null: the iam unit's provider region is the region of the tenancy's
    home_region_key, read through a provider in `region`; every other unit runs in `region`."""
    values = env_values(tg, LIVE)[env]
    assert values["home_region"] is None
    iam = _generated(tg.render(LIVE / env / "iam"), "provider")
    (default,) = [c for c in iam["provider"]["oci"] if "alias" not in c]
    assert default["region"] == "${data.oci_identity_regions.galley_home_region.regions[0].name}"
    tenancy = iam["data"]["oci_identity_tenancy"]["galley_home_region"]
    assert tenancy["tenancy_id"] == values["tenancy_id"]
    for unit in set(UNITS) - {"iam"}:
        content = _generated(tg.render(LIVE / env / unit), "provider")
        assert content == {
            "provider": {"oci": {"region": values["region"], "config_file_profile": "DEFAULT"}}
        }


def test_explicit_home_region_is_used_as_is(layer: Path, tg: Terragrunt) -> None:
    edit(layer / "live/dev/env.hcl", "home_region = null", 'home_region = "us-ashburn-1"')
    iam = _generated(tg.render(layer / "live/dev/iam"), "provider")
    assert iam == {
        "provider": {"oci": {"region": "us-ashburn-1", "config_file_profile": "DEFAULT"}}
    }
    network = _generated(tg.render(layer / "live/dev/network"), "provider")
    assert network["provider"]["oci"]["region"] == "eu-frankfurt-1"


def test_existing_network_switches_the_network_units_module(
    layer: Path, tg: Terragrunt, provider_attrs: set[str]
) -> None:
    """env.hcl's existing_network: the network unit runs modules/existing-network with the three
    OCIDs as inputs, the layer stays consistent (every input a variable of that module, every
    required one set), and the service unit reads the NSGs from the unit's outputs."""
    ids = {
        "vcn_id": "ocid1.vcn.oc1.fra.aaaaaaaashared",
        "public_subnet_id": "ocid1.subnet.oc1.fra.aaaaaaaapublic",
        "private_subnet_id": "ocid1.subnet.oc1.fra.aaaaaaaaprivate",
    }
    block = "".join(f'    {key} = "{value}"\n' for key, value in ids.items())
    edit(layer / "live/dev/env.hcl", "  existing_network = null\n",
         f"  existing_network = {{\n{block}  }}\n")  # fmt: skip
    rendered = tg.render(layer / "live/dev/network")
    assert rendered["terraform"]["source"].endswith("/modules//existing-network")
    assert {k: rendered["inputs"].get(k) for k in ids} == ids
    assert rendered["inputs"]["allowed_ingress_cidrs"] == ["0.0.0.0/0"]
    assert tg.render(layer / "live/prod/network")["terraform"]["source"].endswith(
        "/modules//network"
    )
    service = (layer / "live/_envcommon/service.hcl").read_text()
    assert "dependency.network.outputs.gateway_nsg_id" in service
    assert "dependency.network.outputs.instance_nsg_id" in service
    assert check_live(tg, layer, provider_attrs) == []


def test_every_env_value_reaches_its_input(layer: Path, tg: Terragrunt) -> None:
    """Each env.hcl value set to a value of its own reaches exactly the inputs meant for it (so
    two inputs wired to two different null locals cannot pass for each other)."""
    env_file = layer / "live/dev/env.hcl"
    text = env_file.read_text()
    for local in {local for wiring in ENV_INPUTS.values() for local in wiring.values()}:
        text, count = re.subn(
            rf"^(\s*{local}\s*=\s*).*$", rf'\g<1>"own-{local}"', text, count=1, flags=re.M
        )
        assert count == 1, f"env.hcl has no line for {local}"
    env_file.write_text(text)
    for unit, wiring in ENV_INPUTS.items():
        inputs = tg.render(layer / "live/dev" / unit)["inputs"]
        assert {key: inputs.get(key) for key in wiring} == {
            key: f"own-{local}" for key, local in wiring.items()
        }, unit


def test_one_image_repository_and_execution_logs_in_prod_only(tg: Terragrunt) -> None:
    for env in ENVIRONMENTS:
        iam = tg.render(LIVE / env / "iam")["inputs"]
        service = tg.render(LIVE / env / "service")["inputs"]
        repo = tg.render(LIVE / env / "image-repository")["inputs"]
        assert iam["image_repository_name"] == service["image_repository_name"] == "galley"
        assert repo["repository_name"] == "galley"
        # Created where the pull right names it (image_repository_compartment_id is null).
        assert iam["image_repository_compartment_id"] is None
        assert repo["compartment_id"] == iam["compartment_id"], env
        assert repo["is_immutable"] is (env == "prod"), env
        assert service["image_digest"] is None, env
        assert service["execution_log_enabled"] is (env == "prod"), env


def test_image_repository_follows_the_repository_compartment(layer: Path, tg: Terragrunt) -> None:
    """With image_repository_compartment_id set, the repository goes there, where iam's pull
    right names it; create_image_repository = false leaves the unit out of every run."""
    other = "ocid1.compartment.oc1..aaaaaaaaimagerepositorycompartment00000000000000000000000"
    env_file = layer / "live/dev/env.hcl"
    edit(
        env_file,
        "image_repository_compartment_id = null",
        f'image_repository_compartment_id = "{other}"',
    )
    repo = tg.render(layer / "live/dev/image-repository")
    iam = tg.render(layer / "live/dev/iam")["inputs"]
    assert repo["inputs"]["compartment_id"] == iam["image_repository_compartment_id"] == other
    assert repo["exclude"]["if"] is False
    edit(env_file, "create_image_repository = true", "create_image_repository = false")
    assert tg.render(layer / "live/dev/image-repository")["exclude"] == {
        "if": True,
        "actions": ["all"],
        "exclude_dependencies": False,
        "no_run": False,
    }


@pytest.mark.parametrize(("env", "kind"), [("dev", "oci"), ("prod", "oci"), ("local", "local")])
def test_backend_kind_per_environment(tg: Terragrunt, env: str, kind: str) -> None:
    backends = {}
    for unit in UNITS:
        rendered = tg.render(LIVE / env / unit)
        backends[unit] = _generated(rendered, "backend")["terraform"]["backend"]
        assert list(backends[unit]) == [kind]
        # Local state (the emulator's provider hashes) keeps its lock file in the cache.
        assert rendered["terraform"]["copy_terraform_lock_file"] is (kind != "local")
    if kind == "local":
        path = Path(backends["service"]["local"]["path"])
        assert path == REPO / ".local/terragrunt-state/live/local/service/terraform.tfstate"


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_oci_backend_uses_documented_arguments(tg: Terragrunt, env: str) -> None:
    """The real backend blocks of dev and prod stay Terraform's `oci` backend, with its
    documented arguments only (no Terraform here has it: the machine's is 1.11)."""
    for unit in UNITS:
        config = _generated(tg.render(LIVE / env / unit), "backend")["terraform"]["backend"]["oci"]
        assert set(config) <= OCI_BACKEND_ARGUMENTS, unit
        assert {k for k, v in config.items() if v} >= OCI_BACKEND_REQUIRED, unit
        assert config["key"] == f"live/{env}/{unit}/terraform.tfstate"


def test_opentofu_reads_a_plan_time_error_instead_of_the_oci_backend(tg: Terragrunt) -> None:
    """OpenTofu has no `oci` backend: backend.tofu.json (which it reads instead of
    backend.tf.json) has no backend, but a variable whose validation fails at plan and says
    what to set."""
    rendered = tg.render(LIVE / "dev" / "network")
    assert rendered["generate"]["backend_opentofu"]["path"] == "backend.tofu.json"
    tofu = _generated(rendered, "backend_opentofu")
    assert "terraform" not in tofu
    variable = tofu["variable"][OPENTOFU_OCI_GUARD]
    assert variable["default"] == "oci"
    message = variable["validation"]["error_message"]
    for remedy in (
        'state_backend = "s3"',
        "live/dev/env.hcl",
        "TG_TF_PATH",
        "GALLEY_STATE_BACKEND=local",
    ):
        assert remedy in message


def test_state_switch_puts_any_environment_in_local_files(tg: Terragrunt) -> None:
    local = Terragrunt(tg.base_env, extra_env={"GALLEY_STATE_BACKEND": "local"})
    rendered = local.render(LIVE / "prod" / "iam")
    backend = _generated(rendered, "backend")
    assert backend == {
        "terraform": {
            "backend": {
                "local": {
                    "path": str(REPO / ".local/terragrunt-state/live/prod/iam/terraform.tfstate")
                }
            }
        }
    }
    assert _generated(rendered, "backend_opentofu") == backend
    assert rendered["terraform_version_constraint"] == ">= 1.5.0"


def test_unknown_state_backend_is_refused_naming_it(tg: Terragrunt) -> None:
    wrong = Terragrunt(tg.base_env, extra_env={"GALLEY_STATE_BACKEND": "gcs"})
    with pytest.raises(TerragruntError, match=r'"gcs"') as failure:
        wrong.render(LIVE / "dev" / "network")
    assert "backends" in str(failure.value)


def test_units_only_include_and_name_their_module() -> None:
    """Shared settings live once in _envcommon; units differ only by the file they include."""
    template = (LIVE / "dev" / "network" / "terragrunt.hcl").read_text()
    for env in ENVIRONMENTS:
        for unit in UNITS:
            text = (LIVE / env / unit / "terragrunt.hcl").read_text()
            assert text == template.replace("_envcommon/network.hcl", f"_envcommon/{unit}.hcl")


def test_tools_are_the_pinned_builds() -> None:
    """scripts/setup built the versions mise.toml pins (the tests run exactly these)."""
    pins = tomllib.loads((REPO / "mise.toml").read_text())["tools"]
    expected = {
        "terragrunt": (["--version"], f"terragrunt version v{pins['terragrunt']}"),
        "tofu": (["version"], f"OpenTofu v{pins['opentofu']}"),
        "tflint": (["--version"], f"TFLint version {pins['tflint']}"),
    }
    for tool, (args, first_line) in expected.items():
        out = subprocess.run(
            [tool_path(tool), *args], capture_output=True, text=True, check=True, timeout=60
        ).stdout
        assert first_line in out.splitlines(), (tool, out)


def test_hcl_is_formatted_and_inputs_match_the_modules(
    layer: Path, tg: Terragrunt, oci_cloud
) -> None:
    """`terragrunt hcl fmt --check` and, per environment, `hcl validate --strict --inputs`
    (every input a module variable, every required variable set)."""
    tg.run(layer, "hcl", "fmt", "--check")
    in_cloud = Terragrunt(oci_cloud.env)
    for env in ENVIRONMENTS:
        result = in_cloud.run(layer / "live" / env, "hcl", "validate", "--strict", "--inputs")
        assert result.output.count("All required inputs are passed in by terragrunt") == len(UNITS)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_generated_s3_backend_is_accepted_by_the_engine(
    tmp_path: Path, tg: Terragrunt, engine: str
) -> None:
    """The s3 fallback: each engine decodes the settings and gets as far as calling the
    endpoint. A misspelt or removed setting fails in decoding. The proxy is a closed port on
    loopback: the engine's request for the endpoint goes there and is refused, so nothing is
    ever sent towards the real service, whatever this machine's DNS resolves."""
    s3 = Terragrunt(tg.base_env, extra_env={"GALLEY_STATE_BACKEND": "s3"})
    contents = s3.render(LIVE / "dev" / "network")["generate"]["backend"]["contents"]
    (tmp_path / "backend.tf.json").write_text(contents)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "not-a-key",
        "AWS_SECRET_ACCESS_KEY": "not-a-secret",
        "CHECKPOINT_DISABLE": "1",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
    }
    result = subprocess.run(
        [tool_path(ENGINES[engine]), "init", "-input=false", "-no-color"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output  # no real bucket or credentials here
    for decoding_error in (
        "Extraneous JSON object property",
        "Unsupported argument",
        "no backend type",
    ):
        assert decoding_error not in output, output
    assert "compat.objectstorage.eu-frankfurt-1.oci.customer-oci.com" in output, output
    assert "127.0.0.1:9" in output, output  # refused at the loopback proxy, not sent out

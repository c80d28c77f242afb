"""The live layer of this repository against the real modules (variables.tf, outputs.tf)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
from live_checks import (
    ENVIRONMENTS,
    MOCK_COMMANDS_ALLOWED,
    UNITS,
    check_backend,
    check_env,
    check_graph,
    check_readme,
    check_tool_pins,
    load_env,
    read_module,
    unit_graph,
)
from terragrunt_model import load_unit, read_locals

REPO = Path(__file__).resolve().parents[2]
LIVE = REPO / "live"


def _provider_attrs() -> set[str] | None:
    schema_dir = os.environ.get("OCI_EMULATOR_SCHEMA_DIR")
    path = (
        Path(schema_dir or REPO.parent / "shared" / "provider-schemas") / "oracle-oci-8.28.0.json"
    )
    if not path.is_file():
        return None
    schema = json.loads(path.read_text())["provider_schemas"]["registry.terraform.io/oracle/oci"]
    return set(schema["provider"]["block"]["attributes"])


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_has_every_unit_and_env_file(env: str) -> None:
    env_dir = LIVE / env
    assert (env_dir / "env.hcl").is_file()
    assert sorted(p.parent.name for p in env_dir.glob("*/terragrunt.hcl")) == sorted(UNITS)


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environment_matches_module_interfaces(env: str) -> None:
    """Sources resolve, inputs are variables, required variables are set, outputs exist."""
    attrs = _provider_attrs()
    assert attrs is not None, "oracle/oci provider schema not found (OCI_EMULATOR_SCHEMA_DIR)"
    assert check_env(LIVE / env, REPO / "modules", attrs) == []


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_unit_graph_is_acyclic_in_intended_order(env: str) -> None:
    units, problems = load_env(LIVE / env)
    assert problems == []
    assert check_graph(units) == []
    assert unit_graph(units) == {
        "network": set(),
        "object-storage": set(),
        "iam": {"object-storage"},
        # iam passes no output to container-instance; the dependencies block orders them.
        "container-instance": {"network", "object-storage", "iam"},
        "api-gateway": {"network", "container-instance"},
    }
    assert units["container-instance"].dependency_paths == ["../iam"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_mocks_never_reach_apply_or_destroy(env: str) -> None:
    units, _ = load_env(LIVE / env)
    for name, unit in units.items():
        for dep in unit.dependencies.values():
            assert dep.mock_outputs, f"{name}: dependency {dep.name} has no mock_outputs"
            assert set(dep.allowed_commands or []) == MOCK_COMMANDS_ALLOWED, (name, dep.name)


def test_modules_declare_oracle_oci_never_hashicorp() -> None:
    for unit in UNITS:
        assert read_module(REPO / "modules" / unit).provider_sources.get("oci") == "oracle/oci"
    for path in [REPO / "terragrunt.hcl", *LIVE.rglob("*.hcl")]:
        assert "hashicorp/oci" not in path.read_text(), path


@pytest.mark.parametrize(("env", "kind"), [("dev", "oci"), ("prod", "oci"), ("local", "local")])
def test_backend_kind_per_environment(env: str, kind: str) -> None:
    env_values = read_locals(LIVE / env / "env.hcl")
    assert env_values["state_backend"] == kind
    for unit in UNITS:
        loaded = load_unit(LIVE / env / unit)
        assert check_backend(unit, loaded, env_values) == []
        backend = json.loads(loaded.generate["backend"]["contents"])["terraform"]["backend"]
        assert list(backend) == [kind]
    if kind == "local":
        path = Path(backend["local"]["path"])
        # Offline state lives under the git-ignored .local/, outside any .terragrunt-cache.
        assert path.is_relative_to(REPO / ".local")
        assert ".terragrunt-cache" not in path.parts


def _live_copy(tmp_path: Path, env: str, old: str, new: str) -> Path:
    """terragrunt.hcl and live/ in tmp_path, with `old` replaced by `new` in env's env.hcl."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "terragrunt.hcl", tmp_path)
    shutil.copytree(LIVE, tmp_path / "live")
    env_file = tmp_path / "live" / env / "env.hcl"
    text = env_file.read_text()
    assert old in text
    env_file.write_text(text.replace(old, new, 1))
    return tmp_path / "live" / env


def test_iam_unit_gets_the_home_region(tmp_path: Path) -> None:
    _live_copy(tmp_path, "dev", 'home_region = "eu-frankfurt-1"', 'home_region = "us-ashburn-1"')

    def region(unit: str) -> str:
        loaded = load_unit(tmp_path / "live" / "dev" / unit)
        return json.loads(loaded.generate["provider"]["contents"])["provider"]["oci"]["region"]

    assert region("iam") == "us-ashburn-1"
    assert {region(u) for u in UNITS if u != "iam"} == {"eu-frankfurt-1"}


def test_units_only_include_and_name_their_module() -> None:
    """Shared settings live once in _envcommon; units differ only by the module they name."""
    for env in ENVIRONMENTS:
        for unit in UNITS:
            text = (LIVE / env / unit / "terragrunt.hcl").read_text()
            assert f'_envcommon/{unit}.hcl"' in text
            assert text == (LIVE / "dev" / "network" / "terragrunt.hcl").read_text().replace(
                "_envcommon/network.hcl", f"_envcommon/{unit}.hcl"
            )


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_repository_compartment_reaches_iam(tmp_path: Path, env: str) -> None:
    """env.hcl's image_repository_compartment_id is what the iam module receives."""
    assert load_unit(LIVE / env / "iam").inputs["image_repository_compartment_id"] is None
    ocid = "ocid1.compartment.oc1..aaaaaaaasharedregistrycompartment000000000000000000000000"
    env_dir = _live_copy(
        tmp_path,
        env,
        "image_repository_compartment_id = null",
        f'image_repository_compartment_id = "{ocid}"',
    )
    assert load_unit(env_dir / "iam").inputs["image_repository_compartment_id"] == ocid


def test_tool_pins_and_readme_table_match_the_configuration() -> None:
    assert check_tool_pins(REPO, list(ENVIRONMENTS)) == []
    assert check_readme(REPO) == []


def _terraform_version() -> tuple[int, ...]:
    raw = subprocess.run(
        ["terraform", "version", "-json"], capture_output=True, text=True, check=True
    ).stdout
    return tuple(int(x) for x in json.loads(raw)["terraform_version"].split(".")[:3])


def test_terraform_version_per_backend() -> None:
    """The root asks each backend's minimum: live/local (local state) runs on this machine's
    Terraform, dev and prod (oci) need >= 1.12, which mise.toml pins."""
    installed = _terraform_version()
    for env, minimum in (("local", (1, 5)), ("dev", (1, 12)), ("prod", (1, 12))):
        constraint = load_unit(LIVE / env / "network").terraform_version_constraint
        match = re.fullmatch(r">= (\d+)\.(\d+)\.\d+", constraint or "")
        assert match, constraint
        assert (int(match[1]), int(match[2])) == minimum, (env, constraint)
    assert installed[:2] >= (1, 5)
    pinned = tomllib.loads((REPO / "mise.toml").read_text())["tools"]["terraform"]
    assert tuple(int(x) for x in pinned.split(".")) >= (1, 12, 0)


def _terraform_init(tmp_path: Path, backend_json: str) -> str:
    (tmp_path / "backend.tf.json").write_text(backend_json)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "AWS_ACCESS_KEY_ID": "not-a-key",
        "AWS_SECRET_ACCESS_KEY": "not-a-secret",
        "CHECKPOINT_DISABLE": "1",
    }
    result = subprocess.run(
        ["terraform", "init", "-input=false", "-no-color"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output  # no real bucket or credentials here
    return output


@pytest.mark.skipif(
    _terraform_version() < (1, 12), reason="the oci backend needs Terraform >= 1.12"
)
def test_generated_oci_backend_is_accepted_by_terraform(tmp_path: Path) -> None:
    """Terraform knows the backend and every setting the root generates for it."""
    unit = load_unit(LIVE / "dev" / "network")
    output = _terraform_init(tmp_path, unit.generate["backend"]["contents"])
    for decoding_error in (
        "Unsupported backend type",
        "Extraneous JSON object property",
        "Unsupported argument",
    ):
        assert decoding_error not in output, output


def test_generated_s3_backend_is_accepted_by_terraform(tmp_path: Path) -> None:
    """The s3 fallback: Terraform decodes the settings and gets as far as calling the endpoint.

    A misspelt or removed setting fails in decoding ("Extraneous JSON object property"). The
    placeholder namespace resolves nowhere, so nothing is sent to a real service.
    """
    env_dir = _live_copy(
        tmp_path / "repo", "dev", 'state_backend   = "oci"', 'state_backend   = "s3"'
    )
    output = _terraform_init(
        tmp_path, load_unit(env_dir / "network").generate["backend"]["contents"]
    )
    assert "Extraneous JSON object property" not in output, output  # unknown setting
    assert "compat.objectstorage.eu-frankfurt-1.oci.customer-oci.com/galley-tfstate" in output, (
        output
    )

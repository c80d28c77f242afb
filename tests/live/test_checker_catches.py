"""The checker itself: a consistent copy passes, each deliberate break is reported."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from contract_modules import write_contract_modules
from hcl_eval import HclEvalError
from live_checks import check_env, check_live
from terragrunt_model import load_unit

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """The repository's live layer beside stand-in modules written from the contract."""
    for name in ("terragrunt.hcl", "mise.toml"):
        shutil.copy(REPO / name, tmp_path)
    shutil.copytree(REPO / "live", tmp_path / "live")
    write_contract_modules(tmp_path / "modules")
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def _drop_section(path: Path, heading: str) -> None:
    text = path.read_text()
    start = text.index(heading)
    end = text.index("\n## ", start + len(heading))
    path.write_text(text[:start] + text[end + 1 :])


def _use_s3(copy: Path, env: str) -> None:
    _edit(copy / f"live/{env}/env.hcl", 'state_backend   = "oci"', 'state_backend   = "s3"')


def test_consistent_copy_has_no_problems(copy: Path) -> None:
    assert check_live(copy) == []


Break = Callable[[Path], None]

BREAKS: dict[str, tuple[Break, str]] = {
    "unknown input": (
        lambda c: _edit(
            c / "live/_envcommon/api-gateway.hcl",
            "inputs = {",
            'inputs = {\n  backend_hostname = "galley.internal"',
        ),
        "api-gateway: input 'backend_hostname' is not a variable of module",
    ),
    "required variable missing": (
        lambda c: _edit(
            c / "live/_envcommon/iam.hcl",
            "  dynamic_group_id                = local.env.dynamic_group_id\n",
            "",
        ),
        "iam: required variable 'dynamic_group_id' of module",
    ),
    "dependency output that does not exist": (
        lambda c: _edit(
            c / "live/_envcommon/api-gateway.hcl",
            "dependency.container_instance.outputs.private_ip",
            "dependency.container_instance.outputs.private_ip_address",
        ),
        "dependency 'container_instance': outputs.private_ip_address is not an output of unit "
        "container-instance",
    ),
    "mock output that is not an output": (
        lambda c: _edit(
            c / "live/_envcommon/mock_outputs.hcl", "    bucket_id ", "    bucket_ocid "
        ),
        "mock output 'bucket_ocid' is not an output of unit object-storage",
    ),
    "mocks allowed for apply": (
        lambda c: _edit(
            c / "live/_envcommon/mock_outputs.hcl",
            'allowed_commands = ["validate", "plan"]',
            'allowed_commands = ["validate", "plan", "apply"]',
        ),
        "mocks allowed for ['apply']",
    ),
    "config_path to no unit": (
        lambda c: _edit(c / "live/_envcommon/iam.hcl", '"../object-storage"', '"../objectstorage"'),
        "config_path '../objectstorage' is not a unit",
    ),
    "dependency cycle": (
        lambda c: (c / "live/_envcommon/network.hcl").write_text(
            (c / "live/_envcommon/network.hcl").read_text()
            + '\ndependency "gateway" {\n  config_path = "../api-gateway"\n'
            '  mock_outputs = { gateway_id = "ocid1.apigateway.oc1.iad.aaaaaaaamockgw00000000" }\n'
            '  mock_outputs_allowed_terraform_commands = ["validate", "plan"]\n}\n'
        ),
        "dependency cycle",
    ),
    "unit missing": (
        lambda c: shutil.rmtree(c / "live/prod/iam"),
        "prod: units missing: ['iam']",
    ),
    "source without module": (
        lambda c: _edit(c / "live/_envcommon/network.hcl", "modules//network", "modules//vcn"),
        "network: source",
    ),
    "hashicorp provider": (
        lambda c: write_contract_modules(c / "modules", provider_source="hashicorp/oci"),
        "module declares provider oci as 'hashicorp/oci'",
    ),
    "mock id not an OCID": (
        lambda c: _edit(
            c / "live/_envcommon/mock_outputs.hcl",
            '"ocid1.subnet.oc1.iad.aaaaaaaamockprivatesubnet00000000000000000000000000000"',
            '"subnet-123"',
        ),
        "mock output private_subnet_id='subnet-123' is not shaped like an OCID",
    ),
    "oci backend allowed on old terraform": (
        lambda c: _edit(c / "terragrunt.hcl", 'oci   = "1.12.0"', 'oci   = "1.11.0"'),
        "admits Terraform older than 1.12, which the oci backend needs",
    ),
    "s3 backend not path style": (
        lambda c: (
            _use_s3(c, "dev"),
            _edit(
                c / "terragrunt.hcl", "use_path_style              = true", "use_path_style = false"
            ),
        ),
        "s3 backend needs use_path_style = true",
    ),
    "container-instance not ordered after iam": (
        lambda c: _edit(
            c / "live/_envcommon/container-instance.hcl",
            'dependencies {\n  paths = ["../iam"]\n}\n',
            "",
        ),
        "container-instance: not ordered after iam",
    ),
    "dependencies path to no unit": (
        lambda c: _edit(
            c / "live/_envcommon/container-instance.hcl", '["../iam"]', '["../iam-policy"]'
        ),
        "container-instance: dependencies.paths '../iam-policy' is not a unit",
    ),
    "repository compartment not passed to iam": (
        lambda c: _edit(
            c / "live/_envcommon/iam.hcl",
            "  image_repository_compartment_id = local.env.image_repository_compartment_id\n",
            "",
        ),
        "iam: input 'image_repository_compartment_id' is not set",
    ),
    "env input wired to the wrong local": (
        lambda c: _edit(
            c / "live/_envcommon/container-instance.hcl",
            "= local.env.container_ocpus",
            "= local.env.container_memory_in_gbs",
        ),
        "container-instance: input ocpus=8, env.hcl's container_ocpus is 2",
    ),
    "env.hcl without repository compartment": (
        lambda c: _edit(c / "live/prod/env.hcl", "  image_repository_compartment_id = null\n", ""),
        "prod/iam/terragrunt.hcl: cannot be read",
    ),
    "terraform pin too old for the oci backend": (
        lambda c: _edit(c / "mise.toml", 'terraform = "1.14.1"', 'terraform = "1.11.4"'),
        "mise.toml pins terraform 1.11.4, older than 1.12 which dev's oci state backend needs",
    ),
    "environment on the s3 fallback backend": (
        lambda c: _use_s3(c, "dev"),
        "dev: state_backend 's3', expected one of ['local', 'oci']",
    ),
    "README silent on the root file name": (
        lambda c: _drop_section(c / "live/README.md", "## Root file name"),
        "does not explain the deprecated root terragrunt.hcl",
    ),
    "README order table out of date": (
        lambda c: _edit(
            c / "live/README.md",
            "| container-instance | network, object-storage, iam |",
            "| container-instance | network, object-storage |",
        ),
        "unit container-instance needs ['network', 'object-storage'] in the table",
    ),
    "provider attribute outside the schema": (
        lambda c: _edit(
            c / "terragrunt.hcl",
            "config_file_profile = local.env.oci_profile\n      }",
            "profile = local.env.oci_profile\n      }",
        ),
        "provider attribute 'profile' is not in the oracle/oci schema",
    ),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_break_is_reported(copy: Path, case: str) -> None:
    apply_break, expected = BREAKS[case]
    apply_break(copy)
    provider_attrs = {"region", "config_file_profile", "auth", "tenancy_ocid"}
    problems = check_live(copy, provider_attrs)
    assert any(expected in p for p in problems), problems


def test_nested_include_is_an_error(copy: Path) -> None:
    _edit(
        copy / "live/_envcommon/network.hcl",
        "terraform {",
        'include "again" {\n  path = find_in_parent_folders("terragrunt.hcl")\n}\n\nterraform {',
    )
    with pytest.raises(HclEvalError, match="may not include others"):
        load_unit(copy / "live/dev/network")


def test_unreadable_unit_is_reported_not_skipped(copy: Path) -> None:
    _edit(copy / "live/_envcommon/iam.hcl", "local.env.tenancy_id", "local.env.tenancy")
    problems = check_env(copy / "live/dev", copy / "modules")
    assert any("dev/iam/terragrunt.hcl: cannot be read" in p and "'tenancy'" in p for p in problems)


def test_merge_follows_terragrunt_strategies(tmp_path: Path) -> None:
    """Shallow: top-level input keys, child wins. Deep: maps merge, lists concatenate."""
    (tmp_path / "terragrunt.hcl").write_text(
        'inputs = {\n  tags = { a = "root", b = "root" }\n  list = ["root"]\n  only_root = 1\n}\n'
    )
    (tmp_path / "common.hcl").write_text(
        'inputs = {\n  tags = { b = "common", c = "common" }\n  list = ["common"]\n}\n'
    )
    unit = tmp_path / "env" / "unit"
    unit.mkdir(parents=True)
    (unit / "terragrunt.hcl").write_text(
        'include "root" {\n  path = find_in_parent_folders("terragrunt.hcl")\n}\n'
        'include "common" {\n  path = "${get_terragrunt_dir()}/../../common.hcl"\n'
        '  merge_strategy = "deep"\n}\n'
        'inputs = {\n  tags = { c = "unit" }\n  list = ["unit"]\n}\n'
    )
    merged = load_unit(unit).inputs
    # common (deep) under unit, then root (shallow) under both: root's tags are replaced whole.
    assert merged == {
        "tags": {"b": "common", "c": "unit"},
        "list": ["common", "unit"],
        "only_root": 1,
    }


def _merge_fixture(tmp_path: Path, strategy: str) -> Path:
    (tmp_path / "terragrunt.hcl").write_text("")
    for name in ("a", "b", "c"):
        (tmp_path / "env" / name).mkdir(parents=True)
        (tmp_path / "env" / name / "terragrunt.hcl").write_text("")
    (tmp_path / "common.hcl").write_text('dependencies {\n  paths = ["../a"]\n}\n')
    unit = tmp_path / "env" / "unit"
    unit.mkdir()
    (unit / "terragrunt.hcl").write_text(
        'include "common" {\n  path = "${get_terragrunt_dir()}/../../common.hcl"\n'
        f'  merge_strategy = "{strategy}"\n}}\n'
        'dependencies {\n  paths = ["../b"]\n}\n'
        'dependency "c" {\n  config_path = "../c"\n}\n'
    )
    return unit


@pytest.mark.parametrize("strategy", ["deep", "shallow"])
def test_dependencies_block_merges_and_orders(tmp_path: Path, strategy: str) -> None:
    """Both strategies keep the paths of both files (Terragrunt >= 0.35 concatenates them);
    dependency blocks order too."""
    unit = load_unit(_merge_fixture(tmp_path, strategy))
    assert unit.dependency_paths == ["../a", "../b"]
    assert sorted(d.name for d in unit.ordering_dirs()) == ["a", "b", "c"]


def test_two_dependencies_blocks_are_refused(tmp_path: Path) -> None:
    unit = _merge_fixture(tmp_path, "deep")
    path = unit / "terragrunt.hcl"
    path.write_text(path.read_text() + 'dependencies {\n  paths = ["../a"]\n}\n')
    with pytest.raises(HclEvalError, match="more than one dependencies block"):
        load_unit(unit)

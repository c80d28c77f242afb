"""The checker itself: a consistent copy passes, each deliberate break is reported, by the
checks over Terragrunt's rendering or by real Terragrunt itself."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from live_checks import check_live
from live_layer import edit
from terragrunt_cli import Terragrunt

Break = Callable[[Path], None]
# Attributes of the oracle/oci provider block the generated configuration may use.
PROVIDER_ATTRS = {"region", "config_file_profile", "auth", "tenancy_ocid"}


def _drop(path: Path, text: str) -> None:
    edit(path, text, "")


def _drop_dependency(path: Path, name: str) -> None:
    """Remove a dependency block and every input that reads it."""
    text = re.sub(rf'(?s)\ndependency "{name}" \{{.*?\n\}}\n', "\n", path.read_text(), count=1)
    text = re.sub(rf"(?m)^.*dependency\.{name}\.outputs.*\n", "", text)
    assert f'dependency "{name}"' not in text and f"dependency.{name}." not in text
    path.write_text(text)


def _use_s3(layer: Path, env: str) -> None:
    edit(layer / f"live/{env}/env.hcl", 'state_backend   = "oci"', 'state_backend   = "s3"')


def _old_root_name(layer: Path) -> None:
    (layer / "root.hcl").rename(layer / "terragrunt.hcl")
    for path in (layer / "live").rglob("*.hcl"):
        path.write_text(path.read_text().replace('"root.hcl"', '"terragrunt.hcl"'))


def test_consistent_copy_has_no_problems(layer: Path, tg: Terragrunt) -> None:
    """No false alarm with the narrow attribute set the breaks below use (the full contract test
    checks every environment against the real schema)."""
    assert check_live(tg, layer, PROVIDER_ATTRS, envs=("dev",)) == []


# name -> (break, environments to check, pattern one problem must match)
BREAKS: dict[str, tuple[Break, tuple[str, ...], str]] = {
    "unknown input": (
        lambda c: edit(
            c / "live/_envcommon/service.hcl",
            "inputs = {",
            'inputs = {\n  backend_hostname = "galley.internal"',
        ),
        ("dev",),
        r"dev/service: input 'backend_hostname' is not a variable of module",
    ),
    "required variable missing": (
        lambda c: _drop(
            c / "live/_envcommon/iam.hcl",
            "  dynamic_group_id                = local.env.dynamic_group_id\n",
        ),
        ("dev",),
        r"dev/iam: required variable 'dynamic_group_id' of module",
    ),
    "dependency output that does not exist": (
        lambda c: edit(
            c / "live/_envcommon/service.hcl",
            "dependency.network.outputs.public_subnet_id",
            "dependency.network.outputs.public_subnet_ocid",
        ),
        ("dev",),
        r'dev: terragrunt hcl validate: Unsupported attribute: .*"public_subnet_ocid".*'
        r"service\.hcl:47",
    ),
    "mock output that is not an output": (
        lambda c: edit(
            c / "live/_envcommon/mock_outputs.hcl", "    bucket_id ", "    bucket_ocid "
        ),
        ("dev",),
        r"mock output 'bucket_ocid' is not an output of unit object-storage",
    ),
    "mocks allowed for apply": (
        lambda c: edit(
            c / "live/_envcommon/mock_outputs.hcl",
            '"plan", "destroy"]',
            '"plan", "destroy", "apply"]',
        ),
        ("dev",),
        r"mocks allowed for \['apply'\]",
    ),
    "mocks not allowed for destroy": (
        lambda c: edit(c / "live/_envcommon/mock_outputs.hcl", ', "destroy"]', "]"),
        ("dev",),
        r"mocks allowed for \['init', 'plan', 'validate'\], expected",
    ),
    "config_path to no unit": (
        lambda c: edit(c / "live/_envcommon/object-storage.hcl", '"../iam"', '"../iam-policy"'),
        ("dev",),
        r"dev/object-storage: dependency 'iam': config_path '\.\./iam-policy' is not a unit",
    ),
    "dependency cycle": (
        lambda c: (c / "live/_envcommon/network.hcl").write_text(
            (c / "live/_envcommon/network.hcl").read_text()
            + '\ndependency "gateway" {\n  config_path = "../service"\n'
            '  mock_outputs = { gateway_id = "ocid1.apigateway.oc1.iad.aaaaaaaamockgw00000000" }\n'
            '  mock_outputs_allowed_terraform_commands = ["validate", "plan"]\n}\n'
        ),
        ("dev",),
        r"dev: terragrunt find: .*Cycle detected in dependency graph",
    ),
    "unit missing": (
        lambda c: shutil.rmtree(c / "live/prod/service"),
        ("prod",),
        r"prod: units missing: \['service'\]",
    ),
    "source without module": (
        lambda c: edit(
            c / "live/_envcommon/object-storage.hcl", "modules//object-storage", "modules//bucket"
        ),
        ("dev",),
        r"dev/object-storage: source '.*modules//bucket' is not a module dir",
    ),
    "hashicorp provider": (
        lambda c: edit(c / "modules/network/versions.tf", '"oracle/oci"', '"hashicorp/oci"'),
        ("dev",),
        r"dev/network: module declares provider oci as 'hashicorp/oci'",
    ),
    "mock id not an OCID": (
        lambda c: edit(
            c / "live/_envcommon/mock_outputs.hcl",
            '"ocid1.subnet.oc1.iad.aaaaaaaamockprivatesubnet00000000000000000000000000000"',
            '"subnet-123"',
        ),
        ("dev",),
        r"mock output private_subnet_id='subnet-123' is not shaped like an OCID",
    ),
    "oci backend allowed on old terraform": (
        lambda c: edit(c / "root.hcl", 'oci   = "1.12.0"', 'oci   = "1.11.0"'),
        ("dev",),
        r"admits Terraform older than 1\.12, which the oci backend needs",
    ),
    "s3 backend not path style": (
        lambda c: (
            _use_s3(c, "dev"),
            edit(c / "root.hcl", "use_path_style              = true", "use_path_style = false"),
        ),
        ("dev",),
        r"s3 backend needs use_path_style = true",
    ),
    "object-storage not ordered after iam": (
        lambda c: _drop_dependency(c / "live/_envcommon/object-storage.hcl", "iam"),
        ("dev",),
        r"object-storage: not ordered after iam",
    ),
    "service not ordered after iam": (
        # Through object-storage it would still come after iam: drop both edges.
        lambda c: (
            _drop_dependency(c / "live/_envcommon/service.hcl", "iam"),
            _drop_dependency(c / "live/_envcommon/object-storage.hcl", "iam"),
        ),
        ("dev",),
        r"service: not ordered after iam",
    ),
    "repository compartment not passed to iam": (
        lambda c: _drop(
            c / "live/_envcommon/iam.hcl",
            "  image_repository_compartment_id = local.env.image_repository_compartment_id\n",
        ),
        ("prod",),
        r"prod/iam: input 'image_repository_compartment_id' is not set",
    ),
    "env input wired to the wrong local": (
        lambda c: edit(
            c / "live/_envcommon/service.hcl",
            "= local.env.container_ocpus",
            "= local.env.container_memory_in_gbs",
        ),
        ("prod",),
        r"prod/service: input ocpus=8, env.hcl's container_ocpus is 2",
    ),
    "image repository differs between the units": (
        lambda c: edit(
            c / "live/_envcommon/service.hcl",
            "image_repository_name  = local.env.image_repository_name",
            'image_repository_name = "galley-other"',
        ),
        ("dev",),
        r"dev/service: input image_repository_name='galley-other', env\.hcl's "
        r"image_repository_name is 'galley'",
    ),
    "execution logs not wired": (
        lambda c: _drop(
            c / "live/_envcommon/service.hcl",
            "  execution_log_enabled = local.env.execution_log_enabled\n",
        ),
        ("prod",),
        r"prod/service: input 'execution_log_enabled' is not set",
    ),
    "env.hcl without a local the units read": (
        lambda c: _drop(c / "live/prod/env.hcl", "  image_repository_compartment_id = null\n"),
        ("prod",),
        r"prod: terragrunt hcl validate: Unsupported attribute: .*"
        r'"image_repository_compartment_id"',
    ),
    "terraform pin too old for the oci backend": (
        lambda c: edit(c / "mise.toml", 'terraform = "1.14.1"', 'terraform = "1.11.4"'),
        ("dev",),
        r"mise\.toml pins terraform 1\.11\.4, older than 1\.12 which dev's oci state backend",
    ),
    "tool pin that is not a release": (
        lambda c: edit(c / "mise.toml", 'opentofu = "1.12.6"', 'opentofu = "latest"'),
        ("dev",),
        r"mise\.toml: opentofu = 'latest' is not an exact release",
    ),
    "environment on the s3 fallback backend": (
        lambda c: _use_s3(c, "dev"),
        ("dev",),
        r"dev: state_backend 's3', expected one of \['local', 'oci'\]",
    ),
    "README order table out of date": (
        lambda c: edit(
            c / "live/README.md",
            "| service | network, object-storage, iam, audit-log |",
            "| service | network, object-storage, audit-log |",
        ),
        ("dev",),
        r"unit service needs \['audit-log', 'network', 'object-storage'\] in the table",
    ),
    "provider attribute outside the schema": (
        lambda c: edit(
            c / "root.hcl",
            "    config_file_profile = local.env.oci_profile\n  }",
            "    profile = local.env.oci_profile\n  }",
        ),
        ("dev",),
        r"provider attribute 'profile' is not in the oracle/oci schema",
    ),
    "iam provider outside the home region": (
        lambda c: edit(c / "root.hcl", 'contains(["iam"], local.unit)', "contains([], local.unit)"),
        ("dev",),
        r"dev/iam: home_region is null but no tenancy/regions lookup decides the region",
    ),
    "OpenTofu given the oci backend": (
        lambda c: edit(
            c / "root.hcl",
            'local.state_backend == "oci" ? jsonencode(local.opentofu_oci_guard) : ',
            "",
        ),
        ("dev",),
        r"dev/network: OpenTofu gets a backend block for `oci`",
    ),
    "Terragrunt's own default engine": (
        lambda c: _drop(c / "root.hcl", 'terraform_binary = "terraform"\n'),
        ("dev",),
        r"dev/network: terraform_binary is .*: Terraform must be the default engine",
    ),
    "emulator lock files copied into the units": (
        lambda c: edit(
            c / "root.hcl",
            'copy_terraform_lock_file = local.state_backend != "local"',
            "copy_terraform_lock_file = true",
        ),
        ("local",),
        r"local/network: copy_terraform_lock_file is True with local state",
    ),
    "instance and gateway in separate units": (
        # The layout before day two: the instance's unit without the gateway.
        lambda c: edit(
            c / "live/_envcommon/service.hcl", "modules//service", "modules//container-instance"
        ),
        ("dev",),
        r"dev/service: holds modules/container-instance without modules/api-gateway: in two "
        r"states a rollout deletes the old instance",
    ),
    "image repository outside the pull right's compartment": (
        lambda c: edit(
            c / "live/_envcommon/image-repository.hcl",
            "coalesce(local.env.image_repository_compartment_id, local.env.compartment_id)",
            "local.env.tenancy_id",
        ),
        ("dev",),
        r"dev/image-repository: compartment_id 'ocid1\.tenancy\..*', but iam's pull right names "
        r"the repository in 'ocid1\.compartment\.",
    ),
    "image repository waits for the service": (
        lambda c: edit(
            c / "live/_envcommon/image-repository.hcl",
            "inputs = {",
            'dependencies {\n  paths = ["../service"]\n}\n\ninputs = {',
        ),
        ("dev",),
        r"dev: apply order is .*'image-repository'\]\]",
    ),
    "root file named terragrunt.hcl": (
        _old_root_name,
        ("dev",),
        r"terragrunt warned: .*terragrunt\.hcl",
    ),
}


@pytest.mark.parametrize("case", sorted(BREAKS))
def test_break_is_reported(layer: Path, tg: Terragrunt, case: str) -> None:
    apply_break, envs, expected = BREAKS[case]
    apply_break(layer)
    problems = check_live(tg, layer, PROVIDER_ATTRS, envs=envs)
    assert any(re.search(expected, p) for p in problems), problems

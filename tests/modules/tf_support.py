"""Helpers shared by the Terraform tests: working copies, plan summaries, inventory matching."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import string
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import tftest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
MODULES_DIR = REPO_ROOT / "modules"
DEPLOY_DIR = REPO_ROOT / "deploy"
INVENTORY_DIR = Path(__file__).resolve().parent / "inventory"
# scripts/install-tools builds the pinned OpenTofu, Terragrunt and TFLint here.
TOOLS_BIN = REPO_ROOT / ".tools" / "bin"
# The engines the module and deploy suites run on: name -> binary. Terraform is the machine's
# (its releases are not on the Go module proxy); OpenTofu is the project's build.
ENGINES = {"terraform": "terraform", "opentofu": "tofu"}
# Which engine a cloud's environment is for: conftest.py sets it per parametrized engine, and
# terraform() below runs that engine, so a test's code names no engine.
ENGINE_ENV = "GALLEY_TEST_ENGINE"
MODULE_NAMES = (
    "network",
    "object-storage",
    "iam",
    "container-instance",
    "api-gateway",
    "service",
    "budget",
    "container-repository",
    "alarms",
    "audit-log",
    "existing-network",
)

COMPARTMENT = "ocid1.compartment.oc1..aaaaaaaatestcompartment"
SUBNET = "ocid1.subnet.oc1.iad.aaaaaaaatestsubnet"

# The fewest valid inputs of each module and of the stack; tests override some of them.
BASE_VARS = {
    "network": {"compartment_id": COMPARTMENT},
    "existing-network": {
        "compartment_id": COMPARTMENT,
        "vcn_id": "ocid1.vcn.oc1.iad.aaaaaaaatestvcn",
        "public_subnet_id": "ocid1.subnet.oc1.iad.aaaaaaaatestpublic",
        "private_subnet_id": SUBNET,
    },
    "object-storage": {"compartment_id": COMPARTMENT},
    "iam": {
        "compartment_id": COMPARTMENT,
        "dynamic_group_id": "ocid1.dynamicgroup.oc1..aaaaaaaatestdg",
        "bucket_name": "galley-abc12345",
        "region": "us-ashburn-1",
        # Short waits: the emulator's IAM propagation delay runs at the tests' pace (pace.py).
        "propagation_wait_seconds": 1,
    },
    "container-instance": {
        "compartment_id": COMPARTMENT,
        "region": "us-ashburn-1",
        "subnet_id": SUBNET,
        "bucket_name": "galley-abc12345",
        "bucket_namespace": "mytenancy",
        "readiness_wait_seconds": 1,
    },
    "api-gateway": {"compartment_id": COMPARTMENT, "subnet_id": SUBNET, "backend_ip": "10.0.2.10"},
    "budget": {
        "tenancy_id": "ocid1.tenancy.oc1..aaaaaaaatesttenancy",
        "compartment_id": COMPARTMENT,
        "amount": 50,
    },
    "container-repository": {"compartment_id": COMPARTMENT},
    "audit-log": {"compartment_id": COMPARTMENT},
    "alarms": {
        "compartment_id": COMPARTMENT,
        "gateway_id": "ocid1.apigateway.oc1.iad.aaaaaaaatestgateway",
        "container_instance_id": "ocid1.computecontainerinstance.oc1.iad.aaaaaaaatestinstance",
    },
    "deploy": {
        "tenancy_id": "ocid1.tenancy.oc1..aaaaaaaatesttenancy",
        # Given, so that planning needs no tenancy lookup (tests/deploy covers the lookup).
        "home_region": "us-ashburn-1",
        "compartment_id": COMPARTMENT,
        "region": "us-ashburn-1",
        "dynamic_group_id": "ocid1.dynamicgroup.oc1..aaaaaaaatestdg",
        "iam_propagation_wait_seconds": 1,
        "readiness_wait_seconds": 1,
    },
}

_PLACEHOLDER = re.compile(r"\{\{\s*([\w.-]+)\s*\}\}")
_IGNORED = shutil.ignore_patterns(".terraform", ".terraform.lock.hcl", "*.tfstate*")


def random_ocid(kind: str, region_key: str = "") -> str:
    alphabet = string.ascii_lowercase + string.digits
    return f"ocid1.{kind}.oc1.{region_key}.aaaaaaaa" + "".join(
        secrets.choice(alphabet) for _ in range(52)
    )


def copy_sources(dest: Path, *names: str) -> Path:
    """Copy top-level repo folders (e.g. "modules", "deploy") into dest, keeping their layout."""
    for name in names:
        shutil.copytree(REPO_ROOT / name, dest / name, ignore=_IGNORED, dirs_exist_ok=True)
    return dest


def module_copy(tmp_path: Path, name: str) -> Path:
    """A private working copy of modules/<name> (tests run in parallel)."""
    return copy_sources(tmp_path, "modules") / "modules" / name


def outputs(tf: tftest.TerraformTest) -> dict[str, Any]:
    """`terraform output` values by name (sensitive ones included)."""
    return dict(tf.output())


def tool_path(name: str) -> str:
    """The project's build of a tool (.tools/bin), else the one on PATH."""
    built = TOOLS_BIN / name
    if built.is_file() and os.access(built, os.X_OK):
        return str(built)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(
            f"{name} is neither in {TOOLS_BIN} nor on PATH: run ./scripts/setup --tools "
            "(scripts/install-tools builds the versions pinned in mise.toml)"
        )
    return found


def engine_binary(env: dict[str, str]) -> str:
    """The Terraform or OpenTofu binary for an environment (ENGINE_ENV; Terraform if unset)."""
    engine = env.get(ENGINE_ENV, "terraform")
    if engine not in ENGINES:
        raise ValueError(f"{ENGINE_ENV}={engine!r}: expected one of {sorted(ENGINES)}")
    return tool_path(ENGINES[engine])


def terraform(tfdir: Path, env: dict[str, str]) -> tftest.TerraformTest:
    """An initialized working copy, driven by the engine env names (engine_binary)."""
    # An explicit cache_dir spares tftest an inspect.stack() call per instance (slow under pytest).
    tf = tftest.TerraformTest(str(tfdir), binary=engine_binary(env), env=env, cache_dir=str(tfdir))
    tf.setup(cleanup_on_exit=False)
    return tf


def load_inventory(module: str) -> dict[str, dict[str, Any]]:
    return yaml.safe_load((INVENTORY_DIR / f"{module}.yaml").read_text())


def substitute(value: Any, context: dict[str, Any]) -> Any:
    """Replace {{ dotted.name }} placeholders of an inventory with values from context."""
    if isinstance(value, dict):
        return {k: substitute(v, context) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, context) for v in value]
    if not isinstance(value, str):
        return value

    def lookup(path: str) -> Any:
        current: Any = context
        for part in path.split("."):
            current = current[part]
        return current

    whole = _PLACEHOLDER.fullmatch(value)
    if whole:
        return lookup(whole.group(1))
    return _PLACEHOLDER.sub(lambda m: str(lookup(m.group(1))), value)


def plan_summary(plan: tftest.TerraformPlanOutput) -> dict[str, Any]:
    """Counts of resources to create per type, planned values per address, known outputs."""
    changes = [rc for rc in plan.resource_changes.values() if rc["mode"] == "managed"]
    return {
        "counts": dict(
            Counter(rc["type"] for rc in changes if "create" in rc["change"]["actions"])
        ),
        "values": {rc["address"]: rc["change"]["after"] for rc in changes},
        "outputs": {
            name: out["value"]
            for name, out in plan["planned_values"].get("outputs", {}).items()
            if "value" in out
        },
    }


def folded(text: str) -> str:
    """Terraform's output on one line: the box margins and line breaks of its messages become
    single spaces, so a pattern matches a message however the terminal width wrapped it."""
    return " ".join(text.replace("│", " ").split())


def error_output(failure: Any) -> str:
    """The folded output of a failed tftest command (a pytest.raises ExceptionInfo)."""
    return folded(" ".join(arg for arg in failure.value.args if isinstance(arg, str)))


def plan_error(tf: tftest.TerraformTest, var_file: Path, tf_vars: dict[str, Any]) -> str:
    """Plan with tf_vars, written to var_file (a tfvars file carries real nulls, where "-var
    x=null" would be the string "null"), expecting the plan to fail; its folded output."""
    var_file.write_text(json.dumps(tf_vars))
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.plan(tf_var_file=str(var_file))
    return error_output(failure)


def changed_addresses(plan: tftest.TerraformPlanOutput) -> list[str]:
    """Addresses of resources the plan would create, update, replace or delete."""
    return [
        f"{rc['address']} {rc['change']['actions']}"
        for rc in plan.resource_changes.values()
        if rc["mode"] == "managed" and rc["change"]["actions"] != ["no-op"]
    ]


def mismatches(expected: Any, actual: Any, path: str = "") -> list[str]:
    """Where actual differs from expected; dicts match on expected's keys, lists in any order,
    and strings written "re:<pattern>" as a full regex match."""
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected a mapping, got {actual!r}"]
        return [
            problem
            for key, value in expected.items()
            for problem in (
                mismatches(value, actual[key], f"{path}.{key}")
                if key in actual
                else [f"{path}.{key}: missing"]
            )
        ]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {len(expected)} items {expected!r}, got {actual!r}"]
        in_order = [p for i, e in enumerate(expected) for p in mismatches(e, actual[i], path)]
        if not in_order:
            return []
        remaining = list(actual)
        for item in expected:  # sets come back in any order
            match = next((a for a in remaining if not mismatches(item, a)), None)
            if match is None:
                return [f"{path}: no item matches {item!r} in {actual!r}"]
            remaining.remove(match)
        return []
    if isinstance(expected, str) and expected.startswith("re:"):
        if re.fullmatch(expected[3:], str(actual)):
            return []
        return [f"{path}: {actual!r} does not match /{expected[3:]}/"]
    if expected != actual:
        return [f"{path}: expected {expected!r}, got {actual!r}"]
    return []


def cloud_counts(resources: list[dict[str, Any]]) -> dict[str, int]:
    return dict(Counter(r["type"] for r in resources))


# What modules/network makes, and the VCN's own defaults: the pre-existing network that the
# existing-network tests must leave untouched.
NETWORK_TYPES = (
    "oci_core_vcn",
    "oci_core_dhcp_options",
    "oci_core_subnet",
    "oci_core_internet_gateway",
    "oci_core_nat_gateway",
    "oci_core_service_gateway",
    "oci_core_route_table",
    "oci_core_security_list",
    "oci_core_default_security_list",
)


def network_snapshot(cloud: Any) -> dict[str, Any]:
    """Every network resource the emulated cloud holds, id -> attributes."""
    return {r["id"]: r["attrs"] for t in NETWORK_TYPES for r in cloud.resources(t)}


def existing_network(cloud: Any, workdir: Path) -> tuple[tftest.TerraformTest, dict[str, Any]]:
    """A network made beforehand by modules/network (as a network team's would be): its test
    handle (destroy it with tf_vars=SHARED_NETWORK) and its outputs."""
    tf = terraform(module_copy(workdir, "network"), cloud.env)
    tf.apply(tf_vars=SHARED_NETWORK)
    return tf, outputs(tf)


SHARED_NETWORK = {"compartment_id": COMPARTMENT, "name_prefix": "shared"}

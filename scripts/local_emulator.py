"""Where deploy-local's emulator finds the provider schemas: OCI_EMULATOR_SCHEMA_DIR, by default
../shared/provider-schemas beside the checkout (as for the tests, see tests/conftest.py)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from oci_emulator.envvars import SCHEMA_DIR_ENV

REPO_ROOT = Path(__file__).resolve().parent.parent


def require_schema_dir() -> Path:
    """The schema directory, set in the environment for the emulator; exits with a clear message
    when it is missing."""
    schemas = Path(
        os.environ.setdefault(SCHEMA_DIR_ENV, str(REPO_ROOT.parent / "shared" / "provider-schemas"))
    )
    if not schemas.is_dir():
        raise SystemExit(
            f"deploy-local: provider schema directory {schemas} not found; set "
            f"{SCHEMA_DIR_ENV} to a folder of provider schema JSON files "
            "(`uv run oci-emulator schema --help` makes them)"
        )
    return schemas


# modules/iam's instance_tag default: the defined tag Galley's instance carries and the dynamic
# group's rule requires (deploy/ and live/ leave it at that unless their settings say otherwise).
INSTANCE_TAG = {"namespace": "galley", "key": "role", "value": "galley-instance"}


def instance_tag(text: str) -> dict[str, str]:
    """The instance_tag a settings file sets (``instance_tag = { namespace = "…", … }``) over
    the module's default."""
    tag = dict(INSTANCE_TAG)
    block = re.search(r"^\s*instance_tag\s*=\s*\{([^}]*)\}", text, re.MULTILINE)
    if block:
        tag.update(re.findall(r'\b(namespace|key|value)\s*=\s*"([^"]*)"', block[1]))
    return tag


def matching_rule(compartment_id: str, tag: dict[str, str]) -> str:
    """modules/iam's dynamic_group_matching_rule for these inputs."""
    return (
        "ALL {resource.type='computecontainerinstance', "
        f"resource.compartment.id='{compartment_id}', "
        f"tag.{tag['namespace']}.{tag['key']}.value='{tag['value']}'}}"
    )


def add_dynamic_group(cloud: Any, settings: Path) -> None:
    """README step 2 done in the emulated tenancy: the tag namespace and key that mark Galley's
    instance, and the dynamic group the stack names in ``settings`` (deploy/'s tfvars or
    live/local's env.hcl) with the iam module's matching rule (container instances in its
    compartment_id carrying that tag), so that Galley's resource principal holds the rights the
    policy grants and no other instance does."""
    text = settings.read_text()
    found = {
        key: re.search(rf'^\s*{key}\s*=\s*"([^"]+)"', text, re.MULTILINE)
        for key in ("dynamic_group_id", "compartment_id")
    }
    missing = [key for key, match in found.items() if match is None]
    if missing:
        raise SystemExit(f"deploy-local: {settings} sets no {' or '.join(missing)}")
    tag = instance_tag(text)
    cloud.add_tag_key(tag["namespace"], tag["key"])
    cloud.add_dynamic_group(
        found["dynamic_group_id"][1],
        found["compartment_id"][1],
        matching_rule=matching_rule(found["compartment_id"][1], tag),
    )

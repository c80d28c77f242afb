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


def add_dynamic_group(cloud: Any, settings: Path) -> None:
    """README step 2 done in the emulated tenancy: the dynamic group the stack names in
    ``settings`` (deploy/'s tfvars or live/local's env.hcl), matching container instances in its
    compartment_id, so that Galley's resource principal holds the rights the policy grants."""
    text = settings.read_text()
    found = {
        key: re.search(rf'^\s*{key}\s*=\s*"([^"]+)"', text, re.MULTILINE)
        for key in ("dynamic_group_id", "compartment_id")
    }
    missing = [key for key, match in found.items() if match is None]
    if missing:
        raise SystemExit(f"deploy-local: {settings} sets no {' or '.join(missing)}")
    cloud.add_dynamic_group(found["dynamic_group_id"][1], found["compartment_id"][1])

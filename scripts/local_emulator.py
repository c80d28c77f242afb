"""Where deploy-local's emulator finds the provider schemas: OCI_EMULATOR_SCHEMA_DIR, by default
../shared/provider-schemas beside the checkout (as for the tests, see tests/conftest.py)."""

from __future__ import annotations

import os
from pathlib import Path

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

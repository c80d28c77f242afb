"""Fixtures of the live-layer tests: real Terragrunt (terragrunt_cli.py) on copies of the layer.

The helpers sit beside the tests (importlib import mode adds nothing to sys.path).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from live_layer import copy_layer  # found through the path set just above
from terragrunt_cli import Terragrunt


@pytest.fixture
def layer(tmp_path: Path) -> Path:
    return copy_layer(tmp_path / "repo")


@pytest.fixture
def tg() -> Terragrunt:
    """Terragrunt for the commands that run no engine (render, find, hcl)."""
    return Terragrunt(dict(os.environ))


@pytest.fixture(scope="session")
def provider_attrs() -> set[str]:
    """Attributes of the oracle/oci provider block, from the served schema."""
    schema_dir = Path(os.environ["OCI_EMULATOR_SCHEMA_DIR"])
    path = schema_dir / "oracle-oci-8.28.0.json"
    assert path.is_file(), f"oracle/oci provider schema not found at {path}"
    schema = json.loads(path.read_text())["provider_schemas"]["registry.terraform.io/oracle/oci"]
    return set(schema["provider"]["block"]["attributes"])

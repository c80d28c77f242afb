"""The stack tests reuse the module tests' helpers (tests/modules/tf_support.py), and run on
both engines like them (see tests/modules/conftest.py)."""

import sys
from pathlib import Path

import pytest
from oci_emulator.harness import EmulatedCloud

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))

import tf_support as tfs  # found through the path set just above


@pytest.fixture(scope="session", params=list(tfs.ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    """terraform or opentofu; its binary must be there (scripts/setup builds OpenTofu)."""
    tfs.tool_path(tfs.ENGINES[request.param])
    return request.param


@pytest.fixture
def oci_cloud(oci_cloud: EmulatedCloud, engine: str) -> EmulatedCloud:
    """The emulator plugin's fresh cloud, its environment naming the engine under test."""
    oci_cloud.env[tfs.ENGINE_ENV] = engine
    return oci_cloud

"""Fixtures of the Terraform module tests (helpers live in tf_support.py beside this file).

Every test that uses an emulated cloud runs once per engine (Terraform and OpenTofu): `engine` is
a session-scoped parameter, and the clouds below put it into their `.env`, which
tf_support.terraform() reads to pick the binary. Both engines reach the emulator through
TF_REATTACH_PROVIDERS (one long-running provider process per cloud), so neither pays for
provider start-up.
"""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from oci_emulator.harness import EmulatedCloud

sys.path.insert(0, str(Path(__file__).resolve().parent))

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


@pytest.fixture(scope="session")
def plan_cloud(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Iterator[EmulatedCloud]:
    """One emulated cloud per worker and engine for tests that only plan (nothing is ever
    created in it)."""
    with EmulatedCloud(tmp_path_factory.mktemp(f"plan-cloud-{engine}")) as cloud:
        cloud.env[tfs.ENGINE_ENV] = engine
        yield cloud

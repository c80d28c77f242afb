"""The engine fixtures of the Terraform tests (tests/modules and tests/deploy import them into
their conftest.py): every test that takes an emulated cloud runs once per engine, Terraform and
OpenTofu. `engine` is a session-scoped parameter, and `oci_cloud` puts it into the cloud's `.env`,
which tf_support.terraform() reads to pick the binary. Both engines reach the emulator through
TF_REATTACH_PROVIDERS (one long-running provider process per cloud), so neither pays for
provider start-up."""

import pytest
import tf_support as tfs
from oci_emulator.harness import EmulatedCloud


@pytest.fixture(scope="session", params=list(tfs.ENGINES))
def engine(request: pytest.FixtureRequest) -> str:
    """terraform or opentofu; its binary must be there (`scripts/setup --tools` builds OpenTofu)."""
    tfs.tool_path(tfs.ENGINES[request.param])
    return request.param


@pytest.fixture
def oci_cloud(oci_cloud: EmulatedCloud, engine: str) -> EmulatedCloud:
    """The emulator plugin's fresh cloud, its environment naming the engine under test."""
    oci_cloud.env[tfs.ENGINE_ENV] = engine
    return oci_cloud

"""pytest plugin (entry point `pytest11`): an emulated OCI cloud per test.

def test_network(oci_cloud):
    tf = tftest.TerraformTest("modules/network", env=oci_cloud.env)
    tf.setup()
    tf.apply(tf_vars={"compartment_id": oci_cloud.tenancy_id})
    assert oci_cloud.resources("oci_core_vcn")
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from oci_emulator.harness import EmulatedCloud


@pytest.fixture
def oci_cloud_factory(tmp_path: Path) -> Iterator[Callable[..., EmulatedCloud]]:
    """Start extra emulated clouds (e.g. mode="mirror"); all are stopped at teardown."""
    started: list[EmulatedCloud] = []

    def start(name: str = "cloud", **kwargs: Any) -> EmulatedCloud:
        cloud = EmulatedCloud(tmp_path / name, **kwargs).start()
        started.append(cloud)
        return cloud

    yield start
    for cloud in started:
        cloud.stop()


@pytest.fixture
def oci_cloud(oci_cloud_factory: Callable[..., EmulatedCloud]) -> EmulatedCloud:
    """A fresh emulated OCI tenancy for this test, with `.env` ready for tftest/terraform."""
    return oci_cloud_factory("oci-cloud")

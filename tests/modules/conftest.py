"""Fixtures of the Terraform module tests (helpers live in tf_support.py beside this file; the
per-engine fixtures in engines.py)."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from oci_emulator.harness import EmulatedCloud

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tf_support as tfs  # found through the path set just above
from engines import engine, oci_cloud  # noqa: F401 - fixtures, registered by being here


@pytest.fixture(scope="session")
def plan_cloud(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Iterator[EmulatedCloud]:  # noqa: F811
    """One emulated cloud per worker and engine for tests that only plan (nothing is ever
    created in it)."""
    with EmulatedCloud(tmp_path_factory.mktemp(f"plan-cloud-{engine}")) as cloud:
        cloud.env[tfs.ENGINE_ENV] = engine
        yield cloud

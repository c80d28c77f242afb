"""Fixtures of the Terraform module tests (helpers live in tf_support.py beside this file)."""

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from oci_emulator.harness import EmulatedCloud

sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def plan_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmulatedCloud]:
    """One emulated cloud per worker for tests that only plan (nothing is ever created in it)."""
    with EmulatedCloud(tmp_path_factory.mktemp("plan-cloud")) as cloud:
        yield cloud

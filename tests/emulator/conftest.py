"""Helpers for the emulator tests: Terraform roots written into tmp_path, driven by tftest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import tftest
from oci_emulator.harness import EmulatedCloud, write_root


@pytest.fixture
def tf_root(tmp_path: Path) -> Callable[..., tftest.TerraformTest]:
    """Write a root module (required_providers added) and return an initialised TerraformTest."""

    def make(cloud: EmulatedCloud, main_tf: str, name: str = "root") -> tftest.TerraformTest:
        root = write_root(tmp_path / name, main_tf)
        tf = tftest.TerraformTest(str(root), env=cloud.env)
        tf.setup()
        return tf

    return make

"""Helpers for the emulator tests: Terraform roots written into tmp_path, driven by tftest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import tftest
from oci_emulator.harness import EmulatedCloud

PROVIDERS_TF = """
terraform {
  required_providers {
    oci    = { source = "oracle/oci", version = "8.28.0" }
    random = { source = "hashicorp/random", version = "3.9.0" }
  }
}
"""


@pytest.fixture
def tf_root(tmp_path: Path) -> Callable[..., tftest.TerraformTest]:
    """Write a root module (required_providers added) and return an initialised TerraformTest."""

    def make(cloud: EmulatedCloud, main_tf: str, name: str = "root") -> tftest.TerraformTest:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        (root / "providers.tf").write_text(PROVIDERS_TF)
        (root / "main.tf").write_text(main_tf)
        tf = tftest.TerraformTest(str(root), env=cloud.env)
        tf.setup()
        return tf

    return make

"""What Terraform sees: the served schemas equal the files; the filesystem-mirror (init) path."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
from oci_emulator.mirror import launcher_text
from oci_emulator.schema import OCI, RANDOM


def _strip_kind(node):
    if isinstance(node, dict):
        return {k: _strip_kind(v) for k, v in node.items() if k != "description_kind"}
    if isinstance(node, list):
        return [_strip_kind(v) for v in node]
    return node


def _h1(spec) -> str:
    """Terraform's "h1" directory hash (Go dirhash Hash1) of a package holding the launcher."""
    name = spec.address.rsplit("/", 1)[1]
    content = launcher_text(spec).encode()
    line = f"{hashlib.sha256(content).hexdigest()}  terraform-provider-{name}_v{spec.version}\n"
    return "h1:" + base64.b64encode(hashlib.sha256(line.encode()).digest()).decode()


def test_terraform_reads_back_the_schema_files_unchanged(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, "")
    served = json.loads(tf.execute_command("providers", "schema", "-json").out)
    schema_dir = Path(os.environ["OCI_EMULATOR_SCHEMA_DIR"])
    for spec in (OCI, RANDOM):
        expected = json.loads((schema_dir / f"{spec.file_stem}.json").read_text())
        got = _strip_kind(served["provider_schemas"][spec.address])
        want = expected["provider_schemas"][spec.address]
        assert got["resource_schemas"] == want["resource_schemas"]
        assert got.get("data_source_schemas", {}) == want.get("data_source_schemas", {})
        assert got["provider"] == want["provider"]


@pytest.mark.parametrize("warm", [True, False], ids=["warm-daemon", "standalone-plugin"])
def test_init_through_the_filesystem_mirror(oci_cloud_factory, tf_root, warm):
    cloud = oci_cloud_factory("mirror-cloud", mode="mirror", warm=warm)
    assert "TF_REATTACH_PROVIDERS" not in cloud.env
    assert ("OCI_EMULATOR_DAEMON" in cloud.env) is warm
    tf = tf_root(
        cloud,
        """
variable "compartment_id" { type = string }
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
}
resource "random_string" "s" { length = 5 }
output "vcn_id" { value = oci_core_vcn.vcn.id }
""",
    )
    root = Path(tf.tfdir)
    lock = (root / ".terraform.lock.hcl").read_text()
    for spec in (OCI, RANDOM):
        block = re.search(rf'provider "{re.escape(spec.address)}" {{(.*?)\n}}', lock, re.S)
        assert block, lock
        assert re.search(rf'version +=\s*"{re.escape(spec.version)}"', block.group(1))
        # The hash depends only on the launcher text, so lock files match on every machine.
        assert f'"{_h1(spec)}"' in block.group(1)
    installed = root / ".terraform/providers/registry.terraform.io/oracle/oci/8.28.0"
    (launcher,) = installed.glob("*/terraform-provider-oci_v8.28.0")
    assert launcher.read_text() == launcher_text(OCI)

    tf.apply(tf_vars={"compartment_id": cloud.tenancy_id})
    vcn_id = tf.output()["vcn_id"]
    assert [r["id"] for r in cloud.resources("oci_core_vcn")] == [vcn_id]
    again = tf.execute_command(
        "plan", "-detailed-exitcode", "-no-color", f"-var=compartment_id={cloud.tenancy_id}"
    )
    assert again.retcode == 0, again.out
    tf.destroy(tf_vars={"compartment_id": cloud.tenancy_id})
    assert cloud.resources() == []

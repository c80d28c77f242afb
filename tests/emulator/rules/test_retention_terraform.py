"""Retention rules through Terraform: what a module cannot check at plan time (a lock date too
close, a locked rule taken away) fails the apply with OCI's error, and kept objects hold the
bucket's destroy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import tftest
from oci_emulator.oci.errors import OciError

ROOT = """
variable "tenancy_ocid" { type = string }
variable "lock" {
  type    = string
  default = null
}
variable "rules" {
  type    = bool
  default = true
}
data "oci_objectstorage_namespace" "ns" { compartment_id = var.tenancy_ocid }
resource "oci_objectstorage_bucket" "kept" {
  compartment_id = var.tenancy_ocid
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "kept"
  versioning     = "Disabled"
  dynamic "retention_rules" {
    for_each = var.rules ? [1] : []
    content {
      display_name     = "keep"
      time_rule_locked = var.lock
      duration {
        time_amount = "1"
        time_unit   = "DAYS"
      }
    }
  }
}
"""


def _in(days: int) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_lock_less_than_14_days_ahead_fails_the_apply_with_ocis_error(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, ROOT)
    variables = {"tenancy_ocid": oci_cloud.tenancy_id, "lock": _in(7)}
    with pytest.raises(tftest.TerraformTestError) as failed:
        tf.apply(tf_vars=variables)
    text = " ".join(str(failed.value).split())
    assert "400-InvalidRetentionRuleDetails" in text
    assert "timeRuleLocked must be atleast 14 days ahead of the current time." in text
    assert oci_cloud.resources("oci_objectstorage_bucket") == []


def test_kept_objects_hold_the_destroy_and_a_locked_rule_cannot_be_removed(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, ROOT)
    variables = {"tenancy_ocid": oci_cloud.tenancy_id, "lock": _in(20)}
    tf.apply(tf_vars=variables)
    oci_cloud.put_object("kept", "backup.tar", b"data")
    with pytest.raises(OciError, match="409-Conflict"):
        oci_cloud.delete_object("kept", "backup.tar")
    with pytest.raises(tftest.TerraformTestError) as failed:
        tf.destroy(tf_vars=variables)
    assert "409-BucketNotEmpty" in str(failed.value)
    # Twenty days later the lock is in force: Terraform cannot take the rule away.
    with oci_cloud.store.transaction() as world:
        (bucket,) = [r for r in world.resources.values() if r["type"].endswith("_bucket")]
        bucket["attrs"]["retention_rules"][0]["time_rule_locked"] = _in(-1)
    with pytest.raises(tftest.TerraformTestError) as removed:
        tf.apply(tf_vars={**variables, "rules": "false"})
    assert "can only be deleted by deleting the bucket" in " ".join(str(removed.value).split())

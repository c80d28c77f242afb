"""hashicorp/random through Terraform: lengths, character classes, stability, keepers."""

from __future__ import annotations

import base64
import string

import bcrypt
import pytest
import tftest

RANDOM = """
variable "generation" {
  type    = string
  default = "1"
}
resource "random_password" "token" {
  length           = 32
  special          = true
  override_special = "-_"
  min_special      = 4
  min_numeric      = 3
  keepers          = { generation = var.generation }
}
resource "random_string" "suffix" {
  length  = 6
  special = false
  upper   = false
}
resource "random_id" "bucket" {
  byte_length = 6
  prefix      = "b-"
}
output "token" {
  value     = random_password.token.result
  sensitive = true
}
output "suffix" { value = random_string.suffix.result }
output "suffix_id" { value = random_string.suffix.id }
output "id_hex" { value = random_id.bucket.hex }
output "id_b64_url" { value = random_id.bucket.b64_url }
output "id_dec" { value = random_id.bucket.dec }
output "id" { value = random_id.bucket.id }
"""


def test_values_follow_the_arguments(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, RANDOM)
    tf.apply()
    out = tf.output()

    token = out["token"]
    assert len(token) == 32
    assert set(token) <= set(string.ascii_letters + string.digits + "-_")
    assert sum(c in "-_" for c in token) >= 4
    assert sum(c.isdigit() for c in token) >= 3

    suffix = out["suffix"]
    assert len(suffix) == 6
    assert set(suffix) <= set(string.ascii_lowercase + string.digits)
    assert out["suffix_id"] == suffix

    raw = bytes.fromhex(out["id_hex"].removeprefix("b-"))
    assert len(raw) == 6
    assert out["id_hex"].startswith("b-")
    assert out["id_dec"] == "b-" + str(int.from_bytes(raw, "big"))
    assert out["id"] == base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert out["id_b64_url"] == "b-" + out["id"]


def test_password_is_sensitive_in_the_plan(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, RANDOM)
    plan = tf.plan(output=True)
    sensitive = plan.resource_changes["random_password.token"]["change"]["after_sensitive"]
    assert sensitive["result"] is True
    assert sensitive["bcrypt_hash"] is True
    not_sensitive = plan.resource_changes["random_string.suffix"]["change"]["after_sensitive"]
    assert "result" not in not_sensitive


def test_values_are_stable_and_keepers_replace(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, RANDOM)
    tf.apply()
    first = tf.output()

    again = tf.execute_command("plan", "-detailed-exitcode", "-no-color", "-input=false")
    assert again.retcode == 0, again.out
    tf.apply()
    assert tf.output() == first

    plan = tf.plan(output=True, tf_vars={"generation": "2"})
    token = plan.resource_changes["random_password.token"]["change"]
    assert token["actions"] == ["delete", "create"]
    assert token["replace_paths"] == [["keepers"]]
    assert plan.resource_changes["random_string.suffix"]["change"]["actions"] == ["no-op"]

    tf.apply(tf_vars={"generation": "2"})
    second = tf.output()
    assert second["token"] != first["token"]
    assert second["suffix"] == first["suffix"]


def test_length_below_the_minimums_fails_validation(oci_cloud, tf_root):
    tf = tf_root(
        oci_cloud,
        """
resource "random_password" "short" {
  length      = 3
  min_upper   = 2
  min_numeric = 2
}
""",
    )
    with pytest.raises(tftest.TerraformTestError) as err:
        tf.execute_command("validate", "-no-color")
    assert "Attribute length value must be at least sum of min_upper" in str(err.value)
    assert "got: 3" in str(err.value)


NUMBER = """
variable "number" {
  type    = bool
  default = true
}
resource "random_string" "s" {
  length = 12
  number = var.number
}
resource "random_password" "p" {
  length    = 20
  upper     = false
  min_upper = 3
}
output "s" { value = random_string.s.result }
output "p" {
  value     = random_password.p.result
  sensitive = true
}
output "p_hash" {
  value     = random_password.p.bcrypt_hash
  sensitive = true
}
"""


def test_changing_deprecated_number_replaces(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, NUMBER)
    tf.apply()
    first = tf.output()["s"]

    plan = tf.plan(output=True, tf_vars={"number": "false"})
    change = plan.resource_changes["random_string.s"]["change"]
    assert change["actions"] == ["delete", "create"]
    assert ["number"] in change["replace_paths"]
    assert change["after"]["numeric"] is False

    tf.apply(tf_vars={"number": "false"})
    second = tf.output()["s"]
    assert second != first
    assert not any(c.isdigit() for c in second)
    again = tf.execute_command(
        "plan", "-detailed-exitcode", "-no-color", "-input=false", "-var=number=false"
    )
    assert again.retcode == 0, again.out


def test_password_minimums_and_bcrypt_hash(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, NUMBER)
    tf.apply()
    out = tf.output()
    password = out["p"]
    assert sum(c.isupper() for c in password) == 3  # min_upper although upper = false
    assert out["p_hash"].startswith("$2a$10$")
    assert bcrypt.checkpw(password.encode(), out["p_hash"].encode())

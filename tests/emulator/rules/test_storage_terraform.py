"""Object Storage rules through Terraform: customer-managed keys, lifecycle policies, and
buckets that hold objects written outside Terraform."""

from __future__ import annotations

import pytest
import tftest

KMS_ROOT = """
variable "tenancy_ocid" { type = string }
variable "with_service_policy" { type = bool }
data "oci_objectstorage_namespace" "ns" { compartment_id = var.tenancy_ocid }
resource "oci_kms_vault" "galley" {
  compartment_id = var.tenancy_ocid
  display_name   = "galley"
  vault_type     = "DEFAULT"
}
resource "oci_kms_key" "galley" {
  compartment_id      = var.tenancy_ocid
  display_name        = "galley"
  management_endpoint = oci_kms_vault.galley.management_endpoint
  key_shape {
    algorithm = "AES"
    length    = 32
  }
}
resource "oci_identity_policy" "object_storage_keys" {
  count          = var.with_service_policy ? 1 : 0
  compartment_id = var.tenancy_ocid
  name           = "object-storage-keys"
  description    = "Object Storage may use the Galley key"
  statements = [join(" ", [
    "Allow service objectstorage-us-ashburn-1 to use keys in tenancy",
    "where target.key.id = '${oci_kms_key.galley.id}'",
  ])]
}
resource "time_sleep" "policy_propagation" {
  create_duration = "1s"
  triggers        = { policies = jsonencode(oci_identity_policy.object_storage_keys[*].statements) }
}
resource "oci_objectstorage_bucket" "data" {
  compartment_id = var.tenancy_ocid
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "galley-data"
  kms_key_id     = oci_kms_key.galley.id
  depends_on     = [time_sleep.policy_propagation]
}
"""

LIFECYCLE_ROOT = """
variable "tenancy_ocid" { type = string }
variable "with_service_policy" { type = bool }
data "oci_objectstorage_namespace" "ns" { compartment_id = var.tenancy_ocid }
resource "oci_objectstorage_bucket" "data" {
  compartment_id = var.tenancy_ocid
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "galley-data"
  versioning     = "Enabled"
}
resource "oci_identity_policy" "object_storage_lifecycle" {
  count          = var.with_service_policy ? 1 : 0
  compartment_id = var.tenancy_ocid
  name           = "object-storage-lifecycle"
  description    = "Object Storage may apply lifecycle rules"
  statements = [
    "Allow service objectstorage-us-ashburn-1 to manage object-family in tenancy",
  ]
}
resource "time_sleep" "policy_propagation" {
  create_duration = "1s"
  triggers = {
    policies = jsonencode(oci_identity_policy.object_storage_lifecycle[*].statements)
  }
}
resource "oci_objectstorage_object_lifecycle_policy" "data" {
  namespace  = oci_objectstorage_bucket.data.namespace
  bucket     = oci_objectstorage_bucket.data.name
  depends_on = [time_sleep.policy_propagation]
  rules {
    name        = "drop-old-versions"
    action      = "DELETE"
    target      = "previous-object-versions"
    is_enabled  = true
    time_amount = 30
    time_unit   = "DAYS"
  }
}
"""


@pytest.fixture(autouse=True)
def _short_iam_propagation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Policies take 0.5 s to take effect here, and the roots wait 1 s after writing them, as a
    root must (test_iam_propagation.py shows the apply failing without the wait)."""
    monkeypatch.setenv("OCI_EMULATOR_PACE", "1")
    monkeypatch.setenv("OCI_EMULATOR_DELAY_IAM_PROPAGATION", "0.5")


def _apply_error(tf: tftest.TerraformTest, variables: dict[str, str]) -> str:
    args = ["-auto-approve", "-no-color", "-input=false"]
    args += [f"-var={k}={v}" for k, v in variables.items()]
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.execute_command("apply", *args)
    return " ".join(str(failure.value.args[0]).split())


def test_bucket_with_a_customer_managed_key_needs_the_service_policy(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, KMS_ROOT)
    tenancy = {"tenancy_ocid": oci_cloud.tenancy_id}
    text = _apply_error(tf, {**tenancy, "with_service_policy": "false"})
    assert "Error: 404-NotAuthorizedOrFoundKmsKey" in text
    assert "the service objectstorage-us-ashburn-1 is not authorized to use this key" in text
    assert oci_cloud.resources("oci_objectstorage_bucket") == []

    tf.apply(tf_vars={**tenancy, "with_service_policy": "true"})
    ((key,), (bucket,)) = (
        oci_cloud.resources("oci_kms_key"),
        oci_cloud.resources("oci_objectstorage_bucket"),
    )
    assert bucket["attrs"]["kms_key_id"] == key["id"]


def test_lifecycle_policy_needs_the_service_policy(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, LIFECYCLE_ROOT)
    tenancy = {"tenancy_ocid": oci_cloud.tenancy_id}
    text = _apply_error(tf, {**tenancy, "with_service_policy": "false"})
    assert (
        "Error: 400-InsufficientServicePermissions: Permissions granted to the object storage "
        'service principal "objectstorage-us-ashburn-1" to this bucket are insufficient.'
    ) in text
    tf.apply(tf_vars={**tenancy, "with_service_policy": "true"})
    (policy,) = oci_cloud.resources("oci_objectstorage_object_lifecycle_policy")
    assert policy["attrs"]["rules"][0]["target"] == "previous-object-versions"


def test_versioned_bucket_with_objects_cannot_be_destroyed_until_emptied(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, LIFECYCLE_ROOT)
    variables = {"tenancy_ocid": oci_cloud.tenancy_id, "with_service_policy": "true"}
    tf.apply(tf_vars=variables)
    # Galley writes state, then replaces and deletes it: a versioned bucket keeps both versions.
    first = oci_cloud.put_object("galley-data", "state.json", b'{"v": 1}')
    second = oci_cloud.put_object("galley-data", "state.json", '{"v": 2}')
    oci_cloud.delete_object("galley-data", "state.json")
    held = oci_cloud.bucket_contents("galley-data")
    assert sorted(held, key=lambda v: v["version_id"]) == sorted(
        (
            {"name": "state.json", "version_id": first["version_id"], "is_latest": False},
            {"name": "state.json", "version_id": second["version_id"], "is_latest": False},
        ),
        key=lambda v: v["version_id"],
    )

    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.destroy(tf_vars=variables)
    text = " ".join(str(failure.value.args[0]).split())
    assert (
        "Error: 409-BucketNotEmpty: Bucket named 'galley-data' is not empty. Delete all object "
        "versions first."
    ) in text
    assert len(oci_cloud.resources("oci_objectstorage_bucket")) == 1

    assert oci_cloud.empty_bucket("galley-data") == 2  # the documented "empty it" step
    tf.destroy(tf_vars=variables)
    assert oci_cloud.resources("oci_objectstorage_bucket") == []


def test_objects_written_by_terraform_also_count(oci_cloud, tf_root):
    root = LIFECYCLE_ROOT.replace(
        'resource "oci_identity_policy"',
        """resource "oci_objectstorage_object" "seed" {
  namespace = oci_objectstorage_bucket.data.namespace
  bucket    = oci_objectstorage_bucket.data.name
  object    = "seed.txt"
  content   = "hello"
}
resource "oci_identity_policy\"""",
        1,
    )
    tf = tf_root(oci_cloud, root)
    variables = {"tenancy_ocid": oci_cloud.tenancy_id, "with_service_policy": "true"}
    tf.apply(tf_vars=variables)
    (obj,) = oci_cloud.resources("oci_objectstorage_object")
    assert obj["attrs"]["content_length"] == "5"
    # Terraform deletes its object before the bucket, but versioning keeps the old version.
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.destroy(tf_vars=variables)
    assert "409-BucketNotEmpty" in str(failure.value.args[0])
    assert [v["name"] for v in oci_cloud.bucket_contents("galley-data")] == ["seed.txt"]

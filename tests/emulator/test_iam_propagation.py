"""IAM propagation through Terraform: a policy is enforced only some time after it is written,
so an apply that uses a new grant at once fails as on OCI, and the same apply with a time_sleep
after the policy (the served hashicorp/time provider) succeeds. The rule itself is tested in
rules/test_iam_propagation_rules.py."""

from __future__ import annotations

import time

import pytest
import tftest
from oci_emulator import pace

# One root: the Object Storage service policy -> time_sleep -> a key-encrypted bucket and a
# lifecycle policy on a second bucket, the two uses of a service grant the emulator evaluates.
ROOT = """
variable "tenancy_ocid" { type = string }
variable "wait" { type = string }
data "oci_objectstorage_namespace" "ns" { compartment_id = var.tenancy_ocid }
resource "oci_kms_vault" "v" {
  compartment_id = var.tenancy_ocid
  display_name   = "v"
  vault_type     = "DEFAULT"
}
resource "oci_kms_key" "k" {
  compartment_id      = var.tenancy_ocid
  display_name        = "k"
  management_endpoint = oci_kms_vault.v.management_endpoint
  key_shape {
    algorithm = "AES"
    length    = 32
  }
}
resource "oci_identity_policy" "object_storage" {
  compartment_id = var.tenancy_ocid
  name           = "object-storage"
  description    = "Object Storage may use the key and run lifecycle rules"
  statements = [
    join(" ", [
      "Allow service objectstorage-us-ashburn-1 to use keys in tenancy",
      "where target.key.id = '${oci_kms_key.k.id}'",
    ]),
    "Allow service objectstorage-us-ashburn-1 to manage object-family in tenancy",
  ]
}
resource "time_sleep" "iam" {
  create_duration = var.wait
  triggers        = { statements = jsonencode(oci_identity_policy.object_storage.statements) }
}
resource "oci_objectstorage_bucket" "encrypted" {
  compartment_id = var.tenancy_ocid
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "encrypted"
  kms_key_id     = oci_kms_key.k.id
  depends_on     = [time_sleep.iam]
}
resource "oci_objectstorage_bucket" "versioned" {
  compartment_id = var.tenancy_ocid
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "versioned"
  versioning     = "Enabled"
}
resource "oci_objectstorage_object_lifecycle_policy" "versioned" {
  namespace  = oci_objectstorage_bucket.versioned.namespace
  bucket     = oci_objectstorage_bucket.versioned.name
  depends_on = [time_sleep.iam]
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

DELAY_S = 3.0


@pytest.fixture
def iam_delay(monkeypatch: pytest.MonkeyPatch) -> float:
    """Policies take DELAY_S to take effect in the clouds this test starts (OCI's own pace: 10 s
    in the home region, so a short override keeps the test quick)."""
    monkeypatch.setenv(pace.PACE_ENV, "1")
    monkeypatch.setenv("OCI_EMULATOR_DELAY_IAM_PROPAGATION", str(DELAY_S))
    return DELAY_S


def _apply(tf: tftest.TerraformTest, **tf_vars: str) -> tuple[float, str | None]:
    args = ["-auto-approve", "-no-color", "-input=false"]
    args += [f"-var={k}={v}" for k, v in tf_vars.items()]
    started = time.monotonic()
    try:
        tf.execute_command("apply", *args)
    except tftest.TerraformTestError as failure:
        return time.monotonic() - started, " ".join(str(failure.args[0]).split())
    return time.monotonic() - started, None


def test_an_apply_that_uses_a_new_grant_at_once_fails_and_passes_after_a_wait(
    iam_delay, oci_cloud_factory, tf_root
):
    hurried = oci_cloud_factory("hurried")
    tf = tf_root(hurried, ROOT, name="hurried")
    _, error = _apply(tf, tenancy_ocid=hurried.tenancy_id, wait="0s")
    assert error is not None, "the grant was used before it took effect, yet the apply passed"
    # OCI's own refusals, for a grant that exists but is not in effect yet.
    assert "Error: 404-NotAuthorizedOrFoundKmsKey" in error
    assert "Error: 400-InsufficientServicePermissions" in error
    assert "exists but is not in effect yet" in error
    assert hurried.resources("oci_objectstorage_object_lifecycle_policy") == []
    assert [b["attrs"]["name"] for b in hurried.resources("oci_objectstorage_bucket")] == [
        "versioned"
    ]

    patient = oci_cloud_factory("patient")
    tf = tf_root(patient, ROOT, name="patient")
    seconds, error = _apply(tf, tenancy_ocid=patient.tenancy_id, wait=f"{iam_delay + 1:g}s")
    assert error is None, error
    assert seconds >= iam_delay + 1  # the time provider really slept
    (bucket,) = [
        b for b in patient.resources("oci_objectstorage_bucket") if b["attrs"]["kms_key_id"]
    ]
    (key,) = patient.resources("oci_kms_key")
    assert bucket["attrs"]["kms_key_id"] == key["id"]
    assert len(patient.resources("oci_objectstorage_object_lifecycle_policy")) == 1


def test_the_hurried_apply_passes_when_run_again_after_the_delay(
    iam_delay, oci_cloud_factory, tf_root
):
    cloud = oci_cloud_factory()
    tf = tf_root(cloud, ROOT)
    _, error = _apply(tf, tenancy_ocid=cloud.tenancy_id, wait="0s")
    assert error is not None
    time.sleep(iam_delay)
    _, error = _apply(tf, tenancy_ocid=cloud.tenancy_id, wait="0s")
    assert error is None, error
    assert len(cloud.resources("oci_objectstorage_object_lifecycle_policy")) == 1

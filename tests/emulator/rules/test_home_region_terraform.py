"""The home-region rule through Terraform: a root that derives its IAM provider from the
tenancy's home region (as the provider's identity_home_resolution example does), in both modes."""

from __future__ import annotations

import pytest
import tftest

# The default provider works in Frankfurt; IAM goes through oci.home, whose region comes from the
# tenancy's home_region_key. wrong_provider = true writes the policy through the default one.
ROOT = """
variable "tenancy_ocid" { type = string }
variable "wrong_provider" {
  type    = bool
  default = false
}
provider "oci" { region = "eu-frankfurt-1" }
data "oci_identity_tenancy" "this" { tenancy_id = var.tenancy_ocid }
data "oci_identity_regions" "home" {
  filter {
    name   = "key"
    values = [data.oci_identity_tenancy.this.home_region_key]
  }
}
provider "oci" {
  alias  = "home"
  region = data.oci_identity_regions.home.regions[0]["name"]
}
resource "oci_core_vcn" "work" {
  compartment_id = var.tenancy_ocid
  cidr_blocks    = ["10.0.0.0/16"]
}
resource "oci_identity_policy" "galley" {
  count          = var.wrong_provider ? 0 : 1
  provider       = oci.home
  compartment_id = var.tenancy_ocid
  name           = "galley"
  description    = "Galley"
  statements     = ["Allow group Admins to read buckets in tenancy"]
}
resource "oci_identity_policy" "wrong_region" {
  count          = var.wrong_provider ? 1 : 0
  compartment_id = var.tenancy_ocid
  name           = "galley-wrong"
  description    = "Galley"
  statements     = ["Allow group Admins to read buckets in tenancy"]
}
output "home_region" { value = data.oci_identity_regions.home.regions[0]["name"] }
output "vcn_id" { value = oci_core_vcn.work.id }
"""

NOT_HOME = (
    "Error: 403-NotAllowed: Please go to your home region IAD to execute CREATE, UPDATE and "
    "DELETE operations."
)


def _apply_failure(tf: tftest.TerraformTest, **variables: object) -> str:
    args = ["-auto-approve", "-no-color", "-input=false"]
    args += [
        f"-var={k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in variables.items()
    ]
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.execute_command("apply", *args)
    return " ".join(str(failure.value.args[0]).split())


@pytest.mark.parametrize("mode", ["reattach", "mirror"])
def test_iam_through_the_home_region_alias(oci_cloud_factory, tf_root, mode):
    # Mirror: a provider process per alias. Reattach: one server, a connection per alias.
    cloud = oci_cloud_factory(f"cloud-{mode}", mode=mode, home_region="us-ashburn-1")
    tf = tf_root(cloud, ROOT, name=f"root-{mode}")
    tenancy = {"tenancy_ocid": cloud.tenancy_id}
    tf.apply(tf_vars=tenancy)
    out = tf.output()
    assert out["home_region"] == "us-ashburn-1"
    assert out["vcn_id"].startswith("ocid1.vcn.oc1.fra.")  # the other alias kept its region
    (policy,) = cloud.resources("oci_identity_policy")
    assert policy["attrs"]["name"] == "galley"

    text = _apply_failure(tf, wrong_provider=True, **tenancy)
    assert NOT_HOME in text
    # The refused write changed nothing; the one through oci.home was destroyed as planned.
    assert [p["attrs"]["name"] for p in cloud.resources("oci_identity_policy")] == []

    if mode == "reattach":  # destroy goes through the same per-alias regions; once is enough
        tf.destroy(tf_vars=tenancy)
        assert cloud.resources("oci_core_vcn") == []


def test_home_region_elsewhere(oci_cloud_factory, tf_root):
    cloud = oci_cloud_factory("cloud", home_region="eu-frankfurt-1")
    tf = tf_root(cloud, ROOT)
    # Now the default provider (Frankfurt) is at home and may write IAM too.
    tf.apply(tf_vars={"tenancy_ocid": cloud.tenancy_id, "wrong_provider": "true"})
    assert tf.output()["home_region"] == "eu-frankfurt-1"
    assert [p["attrs"]["name"] for p in cloud.resources("oci_identity_policy")] == ["galley-wrong"]

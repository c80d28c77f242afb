"""The rules as Terraform users meet them: through the real `terraform` and the emulator core."""

from __future__ import annotations

import re

import pytest
import tftest

STACK = """
variable "compartment_id" { type = string }
variable "backend_ip" {
  type    = string
  default = "10.0.2.10"
}
variable "statement" {
  type    = string
  default = "Allow group Admins to read buckets in tenancy"
}
variable "revision" {
  type    = string
  default = "1"
}
data "oci_identity_availability_domains" "ads" { compartment_id = var.compartment_id }
data "oci_objectstorage_namespace" "ns" { compartment_id = var.compartment_id }
data "oci_core_services" "all" {
  filter {
    name   = "name"
    values = ["All .* Services In Oracle Services Network"]
    regex  = true
  }
}
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
  dns_label      = "galley"
}
resource "oci_core_internet_gateway" "igw" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
}
resource "oci_core_nat_gateway" "nat" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
}
resource "oci_core_service_gateway" "sgw" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  services { service_id = data.oci_core_services.all.services[0].id }
}
resource "oci_core_route_table" "private" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  route_rules {
    destination       = "0.0.0.0/0"
    destination_type  = "CIDR_BLOCK"
    network_entity_id = oci_core_nat_gateway.nat.id
  }
  route_rules {
    destination       = data.oci_core_services.all.services[0].cidr_block
    destination_type  = "SERVICE_CIDR_BLOCK"
    network_entity_id = oci_core_service_gateway.sgw.id
  }
}
resource "oci_core_route_table" "public" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  route_rules {
    destination       = "0.0.0.0/0"
    network_entity_id = oci_core_internet_gateway.igw.id
  }
}
resource "oci_core_subnet" "public" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  cidr_block     = "10.0.1.0/24"
  route_table_id = oci_core_route_table.public.id
}
resource "oci_core_subnet" "private" {
  compartment_id             = var.compartment_id
  vcn_id                     = oci_core_vcn.vcn.id
  cidr_block                 = "10.0.2.0/24"
  route_table_id             = oci_core_route_table.private.id
  prohibit_public_ip_on_vnic = true
}
resource "oci_objectstorage_bucket" "data" {
  compartment_id = var.compartment_id
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "galley-data"
  versioning     = "Enabled"
  freeform_tags = { revision = var.revision }
}
resource "oci_container_instances_container_instance" "galley" {
  compartment_id      = var.compartment_id
  availability_domain = data.oci_identity_availability_domains.ads.availability_domains[0].name
  shape               = "CI.Standard.E4.Flex"
  freeform_tags = { revision = var.revision }
  shape_config {
    ocpus         = 1
    memory_in_gbs = 2
  }
  containers {
    image_url = "ocir.us-ashburn-1.oci.oraclecloud.com/ns/galley:0.1.0"
    health_checks {
      health_check_type = "HTTP"
      port              = 8000
      path              = "/health"
    }
  }
  vnics {
    subnet_id  = oci_core_subnet.private.id
    private_ip = var.backend_ip
  }
}
resource "oci_apigateway_gateway" "gw" {
  compartment_id = var.compartment_id
  endpoint_type  = "PUBLIC"
  subnet_id      = oci_core_subnet.public.id
  freeform_tags = { revision = var.revision }
}
resource "oci_apigateway_deployment" "galley" {
  compartment_id = var.compartment_id
  gateway_id     = oci_apigateway_gateway.gw.id
  path_prefix    = "/galley"
  freeform_tags = { revision = var.revision }
  specification {
    routes {
      path    = "/{path*}"
      methods = ["ANY"]
      backend {
        type = "HTTP_BACKEND"
        url  = "http://${oci_container_instances_container_instance.galley.vnics[0].private_ip}:8000/$${request.path[path]}"
      }
    }
  }
}
resource "oci_identity_policy" "galley" {
  compartment_id = var.compartment_id
  name           = "galley"
  description    = "Galley test policy"
  statements     = [var.statement]
  freeform_tags = { revision = var.revision }
}
data "oci_core_vnic" "backend" {
  vnic_id = oci_container_instances_container_instance.galley.vnics[0].vnic_id
}
output "endpoint" { value = oci_apigateway_deployment.galley.endpoint }
output "hostname" { value = oci_apigateway_gateway.gw.hostname }
output "backend_ip" { value = data.oci_core_vnic.backend.private_ip_address }
output "bucket_id" { value = oci_objectstorage_bucket.data.bucket_id }
output "policy_hash" { value = oci_identity_policy.galley.policyHash }
output "ad" { value = data.oci_identity_availability_domains.ads.availability_domains[0].name }
"""


def test_galley_shaped_stack_applies(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, STACK)
    tf.apply(tf_vars={"compartment_id": oci_cloud.tenancy_id})
    out = tf.output()
    assert re.fullmatch(
        r"[a-z0-9]{26}\.apigateway\.us-ashburn-1\.oci\.customer-oci\.com", out["hostname"]
    )
    assert out["endpoint"] == f"https://{out['hostname']}/galley"
    assert out["backend_ip"] == "10.0.2.10"
    assert out["bucket_id"].startswith("ocid1.bucket.oc1.iad.")
    assert re.fullmatch(r"[A-Z][a-z]{3}:US-ASHBURN-AD-1", out["ad"])
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    assert instance["attrs"]["vnics"][0]["vnic_id"].startswith("ocid1.vnic.oc1.iad.")


def test_service_errors_reach_terraform(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, STACK)
    variables = {
        "compartment_id": oci_cloud.tenancy_id,
        "backend_ip": "10.0.1.10",
        "statement": "Allow group Admins to read buckets in tenancy where target.bucket.name=x",
    }
    args = ["-auto-approve", "-no-color", "-input=false"]
    args += [f"-var={k}={v}" for k, v in variables.items()]
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.execute_command("apply", *args)
    text = " ".join(str(failure.value.args[0]).split())
    assert "400-InvalidParameter: vnics private_ip 10.0.1.10 is not within subnet" in text
    assert "400-InvalidParameter: policy statement" in text
    assert "condition value x must be quoted ('x')" in text
    # What the service refused does not exist; what it accepted does.
    assert oci_cloud.resources("oci_container_instances_container_instance") == []
    assert oci_cloud.resources("oci_identity_policy") == []
    assert len(oci_cloud.resources("oci_core_subnet")) == 2


# What the service recomputes on every update; ETag / time_created stay.
RECOMPUTED = {
    "oci_objectstorage_bucket.data": ["etag"],
    "oci_identity_policy.galley": ["lastUpdateETag"],
    "oci_apigateway_gateway.gw": ["time_updated"],
    "oci_apigateway_deployment.galley": ["time_updated"],
    "oci_container_instances_container_instance.galley": ["time_updated"],
}


def test_in_place_update_refreshes_what_the_service_recomputes(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, STACK)
    tenancy = oci_cloud.tenancy_id
    tf.apply(tf_vars={"compartment_id": tenancy})
    before = {r["id"]: r["attrs"] for r in oci_cloud.resources()}

    plan = tf.plan(output=True, tf_vars={"compartment_id": tenancy, "revision": "2"})
    for address, names in RECOMPUTED.items():
        change = plan.resource_changes[address]["change"]
        assert change["actions"] == ["update"], address
        for name in names:
            assert change["after_unknown"].get(name) is True, (address, name)
        assert change["after"]["time_created"] == change["before"]["time_created"]

    tf.apply(tf_vars={"compartment_id": tenancy, "revision": "2"})
    after = {r["id"]: r["attrs"] for r in oci_cloud.resources()}
    for address, names in RECOMPUTED.items():
        resource_id = plan.resource_changes[address]["change"]["before"]["id"]
        old, new = before[resource_id], after[resource_id]
        assert new["freeform_tags"] == {"revision": "2"}
        for name in names:
            assert new[name] and new[name] != old[name], (address, name, old[name], new[name])
    policy_id = plan.resource_changes["oci_identity_policy.galley"]["change"]["before"]["id"]
    assert after[policy_id]["ETag"] == before[policy_id]["ETag"]
    assert after[policy_id]["policyHash"] == before[policy_id]["policyHash"]  # same statements

    again = tf.execute_command(
        "plan",
        "-detailed-exitcode",
        "-no-color",
        "-input=false",
        f"-var=compartment_id={tenancy}",
        "-var=revision=2",
    )
    assert again.retcode == 0, again.out


def test_policy_hash_follows_changed_statements(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, STACK)
    tenancy = oci_cloud.tenancy_id
    tf.apply(tf_vars={"compartment_id": tenancy})
    (before,) = oci_cloud.resources("oci_identity_policy")
    statement = "Allow group Admins to manage objects in tenancy"
    tf.apply(tf_vars={"compartment_id": tenancy, "statement": statement})
    (after,) = oci_cloud.resources("oci_identity_policy")
    assert after["id"] == before["id"]
    assert after["attrs"]["statements"] == [statement]
    assert after["attrs"]["policyHash"] != before["attrs"]["policyHash"]
    assert tf.output()["policy_hash"] == after["attrs"]["policyHash"]

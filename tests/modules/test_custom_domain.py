"""modules/api-gateway's custom domain on the emulator: a PEM certificate from a test CA becomes an
oci_apigateway_certificate the gateway presents; a swap keeps the gateway (id and hostname); OCI's
refusals (expired, key of another certificate) and the hostname check fail the apply."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import tf_support as tfs
import tftest
from certificates import HOST, FakeCA, pem

CERT = "module.api_gateway.oci_apigateway_certificate.this[0]"
GATEWAY = "module.api_gateway.oci_apigateway_gateway.this"

ROOT = """
terraform {
  required_providers {
    oci = { source = "oracle/oci" }
  }
}

variable "compartment_id" { type = string }
variable "custom_hostname" { default = null }
variable "certificate_pem" { default = null }
variable "certificate_chain_pem" { default = null }
variable "dns_zone_id" { default = null }
variable "certificate_private_key_pem" {
  default   = null
  sensitive = true
}

resource "oci_core_vcn" "this" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
}

resource "oci_core_subnet" "public" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.this.id
  cidr_block     = "10.0.1.0/24"
}

module "api_gateway" {
  source = "../modules/api-gateway"

  compartment_id              = var.compartment_id
  subnet_id                   = oci_core_subnet.public.id
  backend_ip                  = "10.0.2.10"
  custom_hostname             = var.custom_hostname
  certificate_pem             = var.certificate_pem
  certificate_chain_pem       = var.certificate_chain_pem
  certificate_private_key_pem = var.certificate_private_key_pem
  dns_zone_id                 = var.dns_zone_id
}

output "endpoint_base_url" { value = module.api_gateway.endpoint_base_url }
output "public_hostname" { value = module.api_gateway.public_hostname }
output "hostname" { value = module.api_gateway.hostname }
output "gateway_id" { value = module.api_gateway.gateway_id }
output "certificate_id" { value = module.api_gateway.certificate_id }
"""


def _root(tmp_path: Path, oci_cloud) -> tftest.TerraformTest:
    tfs.copy_sources(tmp_path, "modules")
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(ROOT)
    return tfs.terraform(root, oci_cloud.env)


def _apply(tf: tftest.TerraformTest, tmp_path: Path, compartment: str, gateway: dict) -> None:
    var_file = tmp_path / "inputs.tfvars.json"
    var_file.write_text(json.dumps({"compartment_id": compartment, **gateway}))
    tf.apply(tf_var_file=str(var_file))


@pytest.fixture(scope="module")
def ca() -> FakeCA:
    return FakeCA()


def test_pem_certificate_then_swap_keeps_the_gateway(oci_cloud, tmp_path, ca):
    tf = _root(tmp_path, oci_cloud)
    compartment = tfs.random_ocid("compartment")
    first = ca.leaf(HOST)
    _apply(tf, tmp_path, compartment, first)
    out = tfs.outputs(tf)
    assert out["public_hostname"] == HOST
    assert out["endpoint_base_url"] == f"https://{HOST}/galley"
    assert out["hostname"].endswith(".oci.customer-oci.com")
    (cert,) = oci_cloud.resources("oci_apigateway_certificate")
    assert cert["id"] == out["certificate_id"]
    assert cert["attrs"]["subject_names"] == [HOST]
    (gateway,) = oci_cloud.resources("oci_apigateway_gateway")
    assert gateway["attrs"]["certificate_id"] == cert["id"]

    # A new PEM: the certificate is replaced (new one first), the gateway updated in place.
    second = ca.leaf(HOST, "*.galley.test")
    var_file = tmp_path / "swap.tfvars.json"
    var_file.write_text(json.dumps({"compartment_id": compartment, **second}))
    changes = tfs.changed_addresses(tf.plan(output=True, tf_var_file=str(var_file)))
    assert changes == [f"{CERT} ['create', 'delete']", f"{GATEWAY} ['update']"], changes
    _apply(tf, tmp_path, compartment, second)
    after = tfs.outputs(tf)
    assert (after["gateway_id"], after["hostname"]) == (out["gateway_id"], out["hostname"])
    assert after["certificate_id"] != out["certificate_id"]
    (new_cert,) = oci_cloud.resources("oci_apigateway_certificate")
    assert new_cert["id"] == after["certificate_id"]
    assert new_cert["attrs"]["certificate"] == second["certificate_pem"]
    tf.destroy(tf_var_file=str(var_file))


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("expired", r"400-InvalidParameter: certificate CN=mcp\.galley\.test expired on"),
        ("other_key", r"400-InvalidParameter: privateKey does not match the public key"),
        ("chain_out_of_order", r"400-InvalidParameter: intermediateCertificates do not form a"),
        (
            "other_name",
            r'certificate_pem covers \["other\.galley\.test"\], not custom_hostname = '
            r'"mcp\.galley\.test"',
        ),
    ],
)
def test_bad_certificate_fails_at_apply(case, message, oci_cloud, tmp_path, ca):
    inputs = {
        "expired": lambda: ca.leaf(HOST, days=-0.5),
        "other_key": lambda: {
            **ca.leaf(HOST),
            "certificate_private_key_pem": ca.leaf(HOST)["certificate_private_key_pem"],
        },
        "chain_out_of_order": lambda: {**ca.leaf(HOST), "certificate_chain_pem": pem(ca.root)},
        "other_name": lambda: {**ca.leaf("other.galley.test"), "custom_hostname": HOST},
    }[case]()
    tf = _root(tmp_path, oci_cloud)
    with pytest.raises(tftest.TerraformTestError) as failure:
        _apply(tf, tmp_path, tfs.random_ocid("compartment"), inputs)
    assert re.search(message, tfs.error_output(failure)), tfs.error_output(failure)[-2000:]
    assert not oci_cloud.resources("oci_apigateway_gateway") or case == "other_name"


def test_dns_record_is_planned_as_a_cname_of_the_gateway(oci_cloud, tmp_path, ca):
    tf = _root(tmp_path, oci_cloud)
    var_file = tmp_path / "dns.tfvars.json"
    zone = "ocid1.dns-zone.oc1..aaaaaaaazone"
    var_file.write_text(
        json.dumps(
            {
                "compartment_id": tfs.random_ocid("compartment"),
                **ca.leaf(HOST),
                "dns_zone_id": zone,
            }
        )
    )
    plan = tf.plan(output=True, tf_var_file=str(var_file))
    rrset = plan.resource_changes["module.api_gateway.oci_dns_rrset.custom_hostname[0]"]
    after = rrset["change"]["after"]
    assert (after["zone_name_or_id"], after["domain"], after["rtype"]) == (zone, HOST, "CNAME")
    assert after["items"][0]["domain"] == HOST and after["items"][0]["ttl"] == 300
    assert rrset["change"]["after_unknown"]["items"][0]["rdata"] is True

"""The VCN's default security list, logging and API Gateway rate limits through Terraform."""

from __future__ import annotations

import pytest
import tftest

DEFAULT_LIST_ROOT = """
variable "compartment_id" { type = string }
variable "take_over" {
  type    = bool
  default = true
}
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
  display_name   = "galley-vcn"
}
# Locked down: no rules at all, so nothing reaches a subnet that falls back to the default list.
resource "oci_core_default_security_list" "locked" {
  count                      = var.take_over ? 1 : 0
  manage_default_resource_id = oci_core_vcn.vcn.default_security_list_id
}
output "default_security_list_id" { value = oci_core_vcn.vcn.default_security_list_id }
"""


def _default_list(cloud, list_id):
    (found,) = [r for r in cloud.resources() if r["id"] == list_id]
    return found


def test_default_security_list_locked_down_and_reset(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, DEFAULT_LIST_ROOT)
    variables = {"compartment_id": oci_cloud.tenancy_id}
    tf.apply(tf_vars={**variables, "take_over": "false"})
    list_id = tf.output()["default_security_list_id"]
    defaults = oci_cloud.vcn_default_ids()
    assert list_id in defaults
    assert {r["type"] for r in oci_cloud.resources() if r["id"] in defaults} == {
        "oci_core_route_table",
        "oci_core_security_list",
        "oci_core_dhcp_options",
    }
    opened = _default_list(oci_cloud, list_id)["attrs"]
    ports = [
        r["tcp_options"][0]["min"] for r in opened["ingress_security_rules"] if r["tcp_options"]
    ]
    assert ports == [22]  # OCI's default: SSH from anywhere

    tf.apply(tf_vars=variables)
    locked = _default_list(oci_cloud, list_id)
    assert locked["type"] == "oci_core_default_security_list"
    assert locked["attrs"]["ingress_security_rules"] == []
    assert locked["attrs"]["egress_security_rules"] == []
    assert locked["attrs"]["display_name"] == "Default Security List for galley-vcn"
    again = tf.execute_command(
        "plan",
        "-detailed-exitcode",
        "-no-color",
        "-input=false",
        f"-var=compartment_id={oci_cloud.tenancy_id}",
    )
    assert again.retcode == 0, again.out

    # Dropping the resource resets the list (the provider cannot delete a default).
    tf.apply(tf_vars={**variables, "take_over": "false"})
    assert _default_list(oci_cloud, list_id)["type"] == "oci_core_security_list"
    tf.destroy(tf_vars=variables)
    assert oci_cloud.resources() == []  # the VCN took its defaults with it


LOGGING_ROOT = """
variable "compartment_id" { type = string }
variable "retention" {
  type    = number
  default = 30
}
variable "category" {
  type    = string
  default = "access"
}
variable "rate" {
  type    = number
  default = 10
}
data "oci_objectstorage_namespace" "ns" { compartment_id = var.compartment_id }
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
}
resource "oci_core_subnet" "public" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  cidr_block     = "10.0.1.0/24"
}
resource "oci_apigateway_gateway" "gw" {
  compartment_id = var.compartment_id
  endpoint_type  = "PUBLIC"
  subnet_id      = oci_core_subnet.public.id
}
resource "oci_apigateway_deployment" "galley" {
  compartment_id = var.compartment_id
  gateway_id     = oci_apigateway_gateway.gw.id
  path_prefix    = "/galley"
  specification {
    request_policies {
      rate_limiting {
        rate_in_requests_per_second = var.rate
        rate_key                    = "CLIENT_IP"
      }
    }
    routes {
      path    = "/{path*}"
      methods = ["ANY"]
      backend {
        type = "HTTP_BACKEND"
        url  = "http://10.0.2.10:8000/$${request.path[path]}"
      }
    }
  }
}
resource "oci_logging_log_group" "galley" {
  compartment_id = var.compartment_id
  display_name   = "galley"
}
resource "oci_logging_log" "access" {
  display_name       = "galley-${var.category}"
  log_group_id       = oci_logging_log_group.galley.id
  log_type           = "SERVICE"
  retention_duration = var.retention
  configuration {
    source {
      category    = var.category
      resource    = oci_apigateway_deployment.galley.id
      service     = "apigateway"
      source_type = "OCISERVICE"
    }
  }
}
"""


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"retention": "45"}, "400-InvalidParameter: retention_duration 45 is invalid"),
        ({"category": "audit"}, "category 'audit' is not a log category of service apigateway"),
        ({"rate": "0"}, "rate_in_requests_per_second 0 is invalid"),
    ],
    ids=["retention", "category", "rate-limit"],
)
def test_logging_and_rate_limit_errors_reach_terraform(oci_cloud, tf_root, variables, message):
    tf = tf_root(oci_cloud, LOGGING_ROOT)
    args = [
        "-auto-approve",
        "-no-color",
        "-input=false",
        f"-var=compartment_id={oci_cloud.tenancy_id}",
    ]
    args += [f"-var={k}={v}" for k, v in variables.items()]
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.execute_command("apply", *args)
    assert message in " ".join(str(failure.value.args[0]).split())


def test_service_log_on_a_deployment_applies_and_destroys(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, LOGGING_ROOT)
    variables = {"compartment_id": oci_cloud.tenancy_id, "retention": "90"}
    tf.apply(tf_vars=variables)
    (log,) = oci_cloud.resources("oci_logging_log")
    (deployment,) = oci_cloud.resources("oci_apigateway_deployment")
    assert log["attrs"]["configuration"][0]["source"][0]["resource"] == deployment["id"]
    assert log["attrs"]["retention_duration"] == 90
    tf.destroy(tf_vars=variables)
    assert oci_cloud.resources("oci_logging_log_group") == []

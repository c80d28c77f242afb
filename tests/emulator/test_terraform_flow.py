"""The real `terraform` binary against the emulator, through tftest and the `oci_cloud` fixture."""

from __future__ import annotations

import json
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import pytest
import tftest

OCID = re.compile(r"^ocid1\.[a-z]+\.oc1\.[a-z]{3}\.[a-z0-9]{60}$")

NETWORK = """
variable "compartment_id" { type = string }
variable "vcn_cidr" {
  type    = string
  default = "10.0.0.0/16"
}
variable "vcn_name" {
  type    = string
  default = "galley-vcn"
}
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = [var.vcn_cidr]
  display_name   = var.vcn_name
  dns_label      = "galley"
}
resource "oci_core_subnet" "public" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  cidr_block     = cidrsubnet(var.vcn_cidr, 8, 1)
  display_name   = "public-${oci_core_vcn.vcn.display_name}"
}
data "oci_objectstorage_namespace" "ns" {
  compartment_id = var.compartment_id
}
resource "oci_objectstorage_bucket" "bucket" {
  compartment_id = var.compartment_id
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "galley-data"
}
output "vcn_id" { value = oci_core_vcn.vcn.id }
output "subnet_vcn_id" { value = oci_core_subnet.public.vcn_id }
output "bucket_id" { value = oci_objectstorage_bucket.bucket.id }
output "vcn_state" { value = oci_core_vcn.vcn.state }
output "vcn_time_created" { value = oci_core_vcn.vcn.time_created }
output "subnet_name" { value = oci_core_subnet.public.display_name }
"""


def _changes(plan: tftest.TerraformPlanOutput) -> dict[str, list[str]]:
    return {
        address: rc["change"]["actions"]
        for address, rc in plan.resource_changes.items()
        if rc["change"]["actions"] != ["no-op"]
    }


def _plan_exit_code(tf: tftest.TerraformTest, **tf_vars: str) -> int:
    args = ["-detailed-exitcode", "-no-color", "-input=false"]
    args += [f"-var={k}={v}" for k, v in tf_vars.items()]
    return tf.execute_command("plan", *args).retcode


def test_lifecycle_plan_apply_replan_destroy(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, NETWORK)
    tenancy = {"compartment_id": oci_cloud.tenancy_id}
    assert "Success" in tf.execute_command("validate", "-no-color").out

    plan = tf.plan(output=True, tf_vars=tenancy)
    assert _changes(plan) == {
        "oci_core_vcn.vcn": ["create"],
        "oci_core_subnet.public": ["create"],
        "oci_objectstorage_bucket.bucket": ["create"],
    }
    vcn_plan = plan.resource_changes["oci_core_vcn.vcn"]
    # Computed attributes the config leaves null are unknown at plan time.
    assert vcn_plan["change"]["after_unknown"]["id"] is True
    assert vcn_plan["change"]["after_unknown"]["state"] is True
    assert "id" not in vcn_plan["change"]["after"]

    tf.apply(tf_vars=tenancy)
    out = tf.output()
    assert OCID.match(out["vcn_id"]), out["vcn_id"]
    assert out["vcn_id"].startswith("ocid1.vcn.oc1.iad.")
    assert out["subnet_vcn_id"] == out["vcn_id"]
    assert out["bucket_id"] == f"n/{oci_cloud.namespace}/b/galley-data"
    assert out["vcn_state"] == "AVAILABLE"
    datetime.strptime(out["vcn_time_created"], "%Y-%m-%d %H:%M:%S.%f +0000 UTC")
    assert out["subnet_name"] == "public-galley-vcn"

    held = {r["type"]: r for r in oci_cloud.resources()}
    # The VCN's default route table, security list and DHCP options come with it.
    assert set(held) == {
        "oci_core_vcn",
        "oci_core_subnet",
        "oci_objectstorage_bucket",
        "oci_core_route_table",
        "oci_core_security_list",
        "oci_core_dhcp_options",
    }
    assert held["oci_core_vcn"]["id"] == out["vcn_id"]
    assert (
        held["oci_core_security_list"]["id"]
        == (held["oci_core_vcn"]["attrs"]["default_security_list_id"])
    )
    assert held["oci_core_subnet"]["attrs"]["vcn_id"] == out["vcn_id"]

    assert _plan_exit_code(tf, **tenancy) == 0  # no changes after apply

    tf.destroy(tf_vars=tenancy)
    assert oci_cloud.resources() == []


@pytest.mark.parametrize(
    ("main_tf", "expected", "absent"),
    [
        pytest.param(
            """
resource "oci_core_vcn" "vcn" {
  compartment_id = "ocid1.tenancy.oc1..aaaa"
  cidr_blok      = "10.0.0.0/16"
}
""",
            'An argument named "cidr_blok" is not expected here',
            None,
            id="misspelled-attribute",
        ),
        pytest.param(
            """
resource "oci_objectstorage_bucket" "bucket" {
  compartment_id = "ocid1.tenancy.oc1..aaaa"
  name           = "no-namespace"
}
""",
            'The argument "namespace" is required, but no definition was found.',
            None,
            id="missing-required-attribute",
        ),
        pytest.param(
            """
resource "oci_core_dhcp_options" "dhcp" {
  compartment_id = "ocid1.tenancy.oc1..aaaa"
  vcn_id         = "ocid1.vcn.oc1.iad.aaaa"
  options {
    type        = "DomainNameServer"
    server_type = "Bogus"
  }
}
""",
            'expected options.server_type to be one of ["CustomDnsServer" "VcnLocal" '
            '"VcnLocalPlusInternet"], got Bogus',
            "options.type",  # the valid value passes
            id="provider-side-validation",
        ),
    ],
)
def test_validate_rejects(oci_cloud, tf_root, main_tf, expected, absent):
    tf = tf_root(oci_cloud, main_tf)
    with pytest.raises(tftest.TerraformTestError) as err:
        tf.execute_command("validate", "-no-color")
    message = str(err.value)
    assert expected in message
    if absent is not None:
        assert absent not in message


def test_force_new_change_plans_replacement(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, NETWORK)
    tf.apply(tf_vars={"compartment_id": oci_cloud.tenancy_id})
    old_vcn = tf.output()["vcn_id"]

    # dns_label is force-new on oci_core_vcn in the behaviour file.
    tf_vars = {"compartment_id": oci_cloud.tenancy_id}
    main_tf = Path(tf.tfdir) / "main.tf"
    main_tf.write_text(
        main_tf.read_text().replace('dns_label      = "galley"', 'dns_label      = "other"')
    )
    plan = tf.plan(output=True, tf_vars=tf_vars)
    vcn = plan.resource_changes["oci_core_vcn.vcn"]
    assert vcn["change"]["actions"] == ["delete", "create"]
    assert vcn["change"]["replace_paths"] == [["dns_label"]]
    # The subnet's vcn_id becomes unknown, and vcn_id is force-new on subnets too.
    subnet = plan.resource_changes["oci_core_subnet.public"]
    assert subnet["change"]["actions"] == ["delete", "create"]

    tf.apply(tf_vars=tf_vars)
    new_vcn = tf.output()["vcn_id"]
    assert new_vcn != old_vcn
    assert [r["id"] for r in oci_cloud.resources("oci_core_vcn")] == [new_vcn]


def test_in_place_update_keeps_prior_computed_values(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, NETWORK)
    tenancy = oci_cloud.tenancy_id
    tf.apply(tf_vars={"compartment_id": tenancy})
    before = tf.output()

    plan = tf.plan(output=True, tf_vars={"compartment_id": tenancy, "vcn_name": "renamed"})
    changes = _changes(plan)
    assert changes["oci_core_vcn.vcn"] == ["update"]
    assert changes["oci_core_subnet.public"] == ["update"]  # its display_name interpolates
    vcn = plan.resource_changes["oci_core_vcn.vcn"]
    assert vcn["change"]["after"]["id"] == before["vcn_id"]
    assert vcn["change"]["after"]["time_created"] == before["vcn_time_created"]

    tf.apply(tf_vars={"compartment_id": tenancy, "vcn_name": "renamed"})
    after = tf.output()
    assert after["vcn_id"] == before["vcn_id"]
    assert after["vcn_time_created"] == before["vcn_time_created"]
    assert after["subnet_name"] == "public-renamed"
    (vcn_record,) = oci_cloud.resources("oci_core_vcn")
    assert vcn_record["attrs"]["display_name"] == "renamed"


def test_unknown_computed_values_inside_nested_blocks(oci_cloud, tf_root):
    tf = tf_root(
        oci_cloud,
        """
variable "compartment_id" { type = string }
data "oci_objectstorage_namespace" "ns" {
  compartment_id = var.compartment_id
}
resource "oci_objectstorage_bucket" "bucket" {
  compartment_id = var.compartment_id
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "retained"
  retention_rules {
    display_name = "keep"
  }
}
output "rule_id" {
  value = "rule-${one(oci_objectstorage_bucket.bucket.retention_rules).retention_rule_id}"
}
""",
    )
    tenancy = {"compartment_id": oci_cloud.tenancy_id}
    plan = tf.plan(output=True, tf_vars=tenancy)
    bucket = plan.resource_changes["oci_objectstorage_bucket.bucket"]
    (rule_unknown,) = bucket["change"]["after_unknown"]["retention_rules"]
    assert rule_unknown["retention_rule_id"] is True
    assert rule_unknown["time_created"] is True

    tf.apply(tf_vars=tenancy)
    assert tf.output()["rule_id"].startswith("rule-ocid1.")
    assert _plan_exit_code(tf, **tenancy) == 0


def test_two_roots_share_one_cloud(oci_cloud, tf_root):
    network = tf_root(oci_cloud, NETWORK, name="network")
    network.apply(tf_vars={"compartment_id": oci_cloud.tenancy_id})
    vcn_id = network.output()["vcn_id"]

    app = tf_root(
        oci_cloud,
        """
variable "compartment_id" { type = string }
variable "vcn_id" { type = string }
data "oci_core_vcn" "existing" {
  vcn_id = var.vcn_id
}
resource "oci_core_subnet" "private" {
  compartment_id = var.compartment_id
  vcn_id         = var.vcn_id
  cidr_block     = "10.0.2.0/24"
}
output "subnet_vcn" { value = oci_core_subnet.private.vcn_id }
""",
        name="app",
    )
    app.apply(tf_vars={"compartment_id": oci_cloud.tenancy_id, "vcn_id": vcn_id})
    assert app.output()["subnet_vcn"] == vcn_id
    subnets = oci_cloud.resources("oci_core_subnet")
    assert len(subnets) == 2
    assert {s["attrs"]["vcn_id"] for s in subnets} == {vcn_id}


def test_refresh_notices_a_resource_gone_from_the_cloud(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, NETWORK)
    tenancy = {"compartment_id": oci_cloud.tenancy_id}
    tf.apply(tf_vars=tenancy)
    with oci_cloud.store.transaction() as world:
        (bucket_id,) = [i for i, r in world.resources.items() if r["type"].endswith("bucket")]
        del world.resources[bucket_id]
    plan = tf.plan(output=True, tf_vars=tenancy)
    assert _changes(plan) == {"oci_objectstorage_bucket.bucket": ["create"]}


def test_import_by_ocid(oci_cloud, tf_root):
    network = tf_root(oci_cloud, NETWORK, name="network")
    network.apply(tf_vars={"compartment_id": oci_cloud.tenancy_id})
    vcn_id = network.output()["vcn_id"]

    adopt = tf_root(
        oci_cloud,
        f"""
import {{
  to = oci_core_vcn.adopted
  id = "{vcn_id}"
}}
resource "oci_core_vcn" "adopted" {{
  compartment_id = "{oci_cloud.tenancy_id}"
  cidr_blocks    = ["10.0.0.0/16"]
  display_name   = "galley-vcn"
  dns_label      = "galley"
}}
""",
        name="adopt",
    )
    plan = adopt.plan(output=True)
    change = plan.resource_changes["oci_core_vcn.adopted"]
    assert change["change"]["actions"] == ["no-op"]
    assert change["change"]["importing"]["id"] == vcn_id
    adopt.apply()
    state = adopt.state_pull()
    (adopted,) = state.resources.values()
    assert adopted["instances"][0]["attributes"]["id"] == vcn_id
    assert adopted["instances"][0]["attributes"]["dns_label"] == "galley"


def test_import_of_unknown_ocid_fails_like_oci(oci_cloud, tf_root):
    missing = "ocid1.vcn.oc1.iad." + "a" * 60
    tf = tf_root(
        oci_cloud,
        f"""
import {{
  to = oci_core_vcn.ghost
  id = "{missing}"
}}
resource "oci_core_vcn" "ghost" {{
  compartment_id = "{oci_cloud.tenancy_id}"
}}
""",
    )
    with pytest.raises(tftest.TerraformTestError) as err:
        tf.plan()
    assert f"404-NotAuthorizedOrNotFound: oci_core_vcn {missing} not found" in str(err.value)


def test_parallel_clouds_are_isolated(oci_cloud_factory, tf_root):
    clouds = [oci_cloud_factory(f"cloud{i}") for i in range(3)]
    roots = [tf_root(cloud, NETWORK, name=f"root{i}") for i, cloud in enumerate(clouds)]

    def apply(i: int) -> str:
        roots[i].apply(tf_vars={"compartment_id": clouds[i].tenancy_id})
        return roots[i].output()["vcn_id"]

    with ThreadPoolExecutor(max_workers=3) as pool:
        vcn_ids = list(pool.map(apply, range(3)))

    assert len(set(vcn_ids)) == 3
    for cloud, vcn_id in zip(clouds, vcn_ids, strict=True):
        assert [r["id"] for r in cloud.resources("oci_core_vcn")] == [vcn_id]
        assert len(cloud.resources()) == 3 + 3  # VCN, subnet, bucket; the VCN's defaults


MANY = """
variable "compartment_id" { type = string }
data "oci_objectstorage_namespace" "ns" { compartment_id = var.compartment_id }
resource "oci_core_vcn" "many" {
  count          = 10
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.${count.index}.0.0/16"]
  display_name   = "vcn-${count.index}"
}
resource "oci_objectstorage_bucket" "many" {
  count          = 10
  compartment_id = var.compartment_id
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "bucket-${count.index}"
}
"""


def test_concurrent_applies_into_one_cloud_lose_nothing(oci_cloud, tf_root):
    """Terraform applies the counted resources at once; every write must reach the cloud."""
    tf = tf_root(oci_cloud, MANY)
    var = f"-var=compartment_id={oci_cloud.tenancy_id}"
    tf.execute_command(
        "apply", "-auto-approve", "-no-color", "-input=false", "-parallelism=10", var
    )

    vcns = oci_cloud.resources("oci_core_vcn")
    buckets = oci_cloud.resources("oci_objectstorage_bucket")
    assert sorted(v["attrs"]["display_name"] for v in vcns) == sorted(f"vcn-{i}" for i in range(10))
    assert sorted(b["attrs"]["name"] for b in buckets) == sorted(f"bucket-{i}" for i in range(10))
    assert len({v["id"] for v in vcns}) == 10
    shown = json.loads(tf.execute_command("show", "-json", "-no-color").out)
    state_ids = {
        r["values"]["id"]
        for r in shown["values"]["root_module"]["resources"]
        if r["mode"] == "managed"
    }
    assert state_ids == {r["id"] for r in vcns + buckets}
    replan = tf.execute_command("plan", "-detailed-exitcode", "-no-color", "-input=false", var)
    assert replan.retcode == 0, replan.out


def test_oci_api_errors_fail_apply_with_the_service_error_text(oci_cloud, tf_root):
    tf = tf_root(
        oci_cloud,
        """
variable "compartment_id" { type = string }
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
}
resource "oci_core_subnet" "outside" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  cidr_block     = "10.9.0.0/24"
}
""",
    )
    with pytest.raises(tftest.TerraformTestError) as err:
        tf.apply(tf_vars={"compartment_id": oci_cloud.tenancy_id})
    assert re.search(r"Error: 400-InvalidParameter: .*10\.9\.0\.0/24", str(err.value))
    # The VCN (and the defaults it comes with), not the refused subnet.
    assert oci_cloud.resources("oci_core_subnet") == []
    assert len(oci_cloud.resources("oci_core_vcn")) == 1


def test_provider_region_and_dynamic_blocks_over_unknown_lists(oci_cloud, tf_root):
    tf = tf_root(
        oci_cloud,
        """
provider "oci" { region = "eu-frankfurt-1" }
variable "compartment_id" { type = string }
resource "random_string" "s" {
  length  = 4
  special = false
}
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
}
resource "oci_core_security_list" "sl" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  # Unknown until random_string exists: Terraform sends the whole block as one unknown.
  dynamic "ingress_security_rules" {
    for_each = random_string.s.result == "" ? [] : [443, 8000]
    content {
      protocol = "6"
      source   = "0.0.0.0/0"
      tcp_options {
        min = ingress_security_rules.value
        max = ingress_security_rules.value
      }
    }
  }
}
output "sl" { value = oci_core_security_list.sl.id }
""",
    )
    tenancy = {"compartment_id": oci_cloud.tenancy_id}
    plan = tf.plan(output=True, tf_vars=tenancy)
    unknown = plan.resource_changes["oci_core_security_list.sl"]["change"]["after_unknown"]
    assert unknown["ingress_security_rules"] is True
    tf.apply(tf_vars=tenancy)
    assert tf.output()["sl"].startswith("ocid1.securitylist.oc1.fra.")
    (sl,) = [
        r for r in oci_cloud.resources("oci_core_security_list") if r["id"] == tf.output()["sl"]
    ]
    ports = sorted(r["tcp_options"][0]["min"] for r in sl["attrs"]["ingress_security_rules"])
    assert ports == [443, 8000]
    assert _plan_exit_code(tf, **tenancy) == 0

"""Data sources: realistic values, filter semantics, and every attribute known to the schema."""

import json
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "modules"))
from certificates import FakeCA
from oci_emulator.oci import api
from oci_emulator.oci.ocids import new_ocid


def test_availability_domains(cloud):
    out = cloud.read("oci_identity_availability_domains", compartment_id=cloud.tenancy)
    names = [ad["name"] for ad in out["availability_domains"]]
    prefix = names[0].split(":")[0]
    assert re.fullmatch(r"[A-Z][a-z]{3}", prefix)
    assert names == [f"{prefix}:US-ASHBURN-AD-{n}" for n in (1, 2, 3)]
    assert all(
        ad["id"].startswith("ocid1.availabilitydomain.oc1..") for ad in out["availability_domains"]
    )
    again = cloud.read("oci_identity_availability_domains", compartment_id=cloud.tenancy)
    assert again["availability_domains"] == out["availability_domains"]


def test_availability_domain_names_per_region(make_cloud):
    frankfurt = make_cloud("eu-frankfurt-1")
    names = [
        ad["name"]
        for ad in frankfurt.read(
            "oci_identity_availability_domains", compartment_id=frankfurt.tenancy
        )["availability_domains"]
    ]
    assert [n.split(":")[1] for n in names] == [f"EU-FRANKFURT-1-AD-{n}" for n in (1, 2, 3)]
    zurich = make_cloud("eu-zurich-1")
    ads = zurich.read("oci_identity_availability_domains", compartment_id=zurich.tenancy)[
        "availability_domains"
    ]
    assert [ad["name"].split(":")[1] for ad in ads] == ["EU-ZURICH-1-AD-1"]


def test_unknown_region_is_a_clear_error(make_cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "'mars-north-1' is not a known OCI region"):
        make_cloud("mars-north-1").read("oci_core_services")


def test_namespace_is_the_tenancy_namespace(cloud):
    out = cloud.read("oci_objectstorage_namespace", compartment_id=cloud.tenancy)
    assert out["namespace"] == cloud.world.namespace


def test_core_services_and_regex_filter(cloud):
    every = cloud.read("oci_core_services")["services"]
    assert [(s["name"], s["cidr_block"]) for s in every] == [
        (
            "All IAD Services In Oracle Services Network",
            "all-iad-services-in-oracle-services-network",
        ),
        ("OCI IAD Object Storage", "oci-iad-objectstorage"),
    ]
    assert all(s["id"].startswith("ocid1.service.oc1.iad.") for s in every)
    picked = cloud.read(
        "oci_core_services",
        filter=[
            {
                "name": "name",
                "values": ["All .* Services In Oracle Services Network"],
                "regex": True,
            }
        ],
    )["services"]
    assert picked == every[:1]
    exact = cloud.read(
        "oci_core_services",
        filter=[
            {"name": "cidr_block", "values": ["oci-iad-objectstorage", "nothing"], "regex": False}
        ],
    )
    assert exact["services"] == every[1:]
    none = cloud.read(
        "oci_core_services", filter=[{"name": "name", "values": ["Object Storage"]}]
    )  # not a regex: exact match only
    assert none["services"] == []
    both = cloud.read(
        "oci_core_services",
        filter=[
            {"name": "name", "values": ["IAD"], "regex": True},
            {"name": "cidr_block", "values": ["^oci-"], "regex": True},
        ],
    )
    assert both["services"] == every[1:]


def test_bad_filter_regex(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "regex '(' is invalid"):
        cloud.read("oci_core_services", filter=[{"name": "name", "values": ["("], "regex": True}])


def test_core_services_region_key(make_cloud):
    fra = make_cloud("eu-frankfurt-1").read("oci_core_services")["services"]
    assert fra[0]["cidr_block"] == "all-fra-services-in-oracle-services-network"


def test_vnic_of_container_instance(cloud, net):
    inst = cloud.container_instance(net["private"]["id"], private_ip="10.0.2.10")
    vnic = cloud.read("oci_core_vnic", vnic_id=inst["vnics"][0]["vnic_id"])
    assert vnic["private_ip_address"] == "10.0.2.10"
    assert vnic["subnet_id"] == net["private"]["id"]
    assert vnic["is_primary"] is True


def test_vnic_not_found(cloud, raises_oci):
    missing = new_ocid("vnic", "us-ashburn-1")
    with raises_oci(404, "NotAuthorizedOrNotFound", f"vnic {missing} not found"):
        cloud.read("oci_core_vnic", vnic_id=missing)


def test_container_instance_shapes(cloud):
    out = cloud.read(
        "oci_container_instances_container_instance_shapes",
        compartment_id=cloud.tenancy,
        filter=[{"name": "name", "values": ["E4"], "regex": True}],
    )
    items = out["container_instance_shape_collection"][0]["items"]
    assert [i["name"] for i in items] == ["CI.Standard.E4.Flex"]
    assert items[0]["ocpu_options"][0]["min"] == 1


def test_tenancy_and_regions(cloud, raises_oci):
    tenancy = cloud.read("oci_identity_tenancy", tenancy_id=cloud.tenancy)
    assert tenancy["home_region_key"] == "IAD"
    regions = cloud.read(
        "oci_identity_regions", filter=[{"name": "name", "values": ["us-ashburn-1"]}]
    )["regions"]
    assert regions == [{"key": "IAD", "name": "us-ashburn-1"}]
    other = "ocid1.tenancy.oc1..aaaaaaaaother"
    with raises_oci(404, "NotAuthorizedOrNotFound", other):
        cloud.read("oci_identity_tenancy", tenancy_id=other)


def test_compartments_tree(cloud):
    a = cloud.create("oci_identity_compartment", compartment_id=cloud.tenancy, name="a")
    b = cloud.create("oci_identity_compartment", compartment_id=a["id"], name="b")
    top = cloud.read("oci_identity_compartments", compartment_id=cloud.tenancy)
    assert [c["name"] for c in top["compartments"]] == ["a"]
    deep = cloud.read(
        "oci_identity_compartments", compartment_id=cloud.tenancy, compartment_id_in_subtree=True
    )
    assert sorted(c["name"] for c in deep["compartments"]) == ["a", "b"]
    assert cloud.read("oci_identity_compartment", id=b["id"])["compartment_id"] == a["id"]


def test_subnet_and_vcn_by_id(cloud, net):
    sub = cloud.read("oci_core_subnet", subnet_id=net["private"]["id"])
    assert sub["cidr_block"] == "10.0.2.0/24"
    assert sub["id"] == net["private"]["id"]
    assert cloud.read("oci_core_vcn", vcn_id=net["vcn"]["id"])["cidr_block"] == "10.0.0.0/16"
    listed = cloud.read(
        "oci_core_subnets",
        compartment_id=cloud.tenancy,
        vcn_id=net["vcn"]["id"],
        filter=[{"name": "prohibit_public_ip_on_vnic", "values": ["true"]}],
    )
    assert [s["id"] for s in listed["subnets"]] == [net["private"]["id"]]


def test_unknown_data_source(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "oci_core_images is not emulated"):
        cloud.read("oci_core_images")


def _populated(cloud, net):
    """A cloud holding one of everything, and each data source's output."""
    inst = cloud.container_instance(net["private"]["id"])
    nsg = cloud.create(
        "oci_core_network_security_group", compartment_id=cloud.tenancy, vcn_id=net["vcn"]["id"]
    )
    cloud.create(
        "oci_core_network_security_group_security_rule",
        network_security_group_id=nsg["id"],
        direction="INGRESS",
        protocol="6",
        source="0.0.0.0/0",
        tcp_options=[{"destination_port_range": [{"min": 443, "max": 443}]}],
    )
    gw = cloud.create(
        "oci_apigateway_gateway",
        compartment_id=cloud.tenancy,
        endpoint_type="PUBLIC",
        subnet_id=net["public"]["id"],
    )
    leaf = FakeCA().leaf("mcp.galley.test")
    cloud.create(
        "oci_apigateway_certificate",
        compartment_id=cloud.tenancy,
        certificate=leaf["certificate_pem"],
        intermediate_certificates=leaf["certificate_chain_pem"],
        private_key=leaf["certificate_private_key_pem"],
    )
    dep = cloud.create(
        "oci_apigateway_deployment",
        compartment_id=cloud.tenancy,
        gateway_id=gw["id"],
        path_prefix="/galley",
        specification=[
            {
                "routes": [
                    {
                        "path": "/{path*}",
                        "methods": ["ANY"],
                        "backend": [
                            {
                                "type": "HTTP_BACKEND",
                                "url": "http://10.0.2.2:8000/${request.path[path]}",
                            }
                        ],
                    }
                ]
            }
        ],
    )
    cloud.create(
        "oci_objectstorage_bucket",
        compartment_id=cloud.tenancy,
        name="galley",
        namespace=cloud.world.namespace,
    )
    cloud.create(
        "oci_identity_policy",
        compartment_id=cloud.tenancy,
        name="p",
        statements=["Allow group A to read buckets in tenancy"],
    )
    cloud.create(
        "oci_core_security_list",
        compartment_id=cloud.tenancy,
        vcn_id=net["vcn"]["id"],
        ingress_security_rules=[
            {"protocol": "6", "source": "0.0.0.0/0", "tcp_options": [{"min": 443, "max": 443}]}
        ],
    )
    cloud.create(
        "oci_core_dhcp_options",
        compartment_id=cloud.tenancy,
        vcn_id=net["vcn"]["id"],
        options=[{"type": "DomainNameServer", "server_type": "VcnLocalPlusInternet"}],
    )
    comp = cloud.create("oci_identity_compartment", compartment_id=cloud.tenancy, name="c")
    t = cloud.tenancy
    _populate_issue8_types(cloud, net, dep["id"])
    return {
        "oci_identity_availability_domains": {"compartment_id": t},
        "oci_identity_availability_domain": {"compartment_id": t, "ad_number": 2},
        "oci_objectstorage_namespace": {"compartment_id": t},
        "oci_core_services": {"filter": [{"name": "name", "values": ["All"], "regex": True}]},
        "oci_core_vnic": {"vnic_id": inst["vnics"][0]["vnic_id"]},
        "oci_container_instances_container_instance_shapes": {"compartment_id": t},
        "oci_identity_tenancy": {"tenancy_id": t},
        "oci_identity_regions": {},
        "oci_identity_region_subscriptions": {"tenancy_id": t},
        "oci_identity_compartments": {"compartment_id": t},
        "oci_identity_compartment": {"id": comp["id"]},
        "oci_core_subnet": {"subnet_id": net["private"]["id"]},
        "oci_core_subnets": {"compartment_id": t},
        "oci_core_vcn": {"vcn_id": net["vcn"]["id"]},
        "oci_container_instances_container_instance": {"container_instance_id": inst["id"]},
        "oci_apigateway_gateway": {"gateway_id": gw["id"]},
        "oci_apigateway_deployment": {"deployment_id": dep["id"]},
        "oci_objectstorage_bucket": {"namespace": cloud.world.namespace, "name": "galley"},
    }


def _populate_issue8_types(cloud, net, deployment_id):
    """Vault and key, an encrypted bucket with an object and a lifecycle policy, logs, the VCN's
    defaults taken over, and the other IAM types."""
    t, region = cloud.tenancy, cloud.world.region
    vault = cloud.create("oci_kms_vault", compartment_id=t, display_name="v", vault_type="DEFAULT")
    key = cloud.create(
        "oci_kms_key",
        compartment_id=t,
        display_name="k",
        management_endpoint=vault["management_endpoint"],
        key_shape=[{"algorithm": "AES", "length": 32}],
    )
    cloud.create(
        "oci_identity_policy",
        compartment_id=t,
        name="object-storage-service",
        statements=[
            f"Allow service objectstorage-{region} to use keys in tenancy",
            f"Allow service objectstorage-{region} to manage object-family in tenancy",
        ],
    )
    cloud.create(
        "oci_objectstorage_bucket",
        compartment_id=t,
        name="encrypted",
        namespace=cloud.world.namespace,
        kms_key_id=key["id"],
    )
    cloud.create(
        "oci_objectstorage_object",
        namespace=cloud.world.namespace,
        bucket="encrypted",
        object="state.json",
        content="{}",
    )
    cloud.create(
        "oci_objectstorage_object_lifecycle_policy",
        namespace=cloud.world.namespace,
        bucket="encrypted",
        rules=[
            {
                "name": "expire",
                "action": "DELETE",
                "is_enabled": True,
                "time_amount": "30",
                "time_unit": "DAYS",
            }
        ],
    )
    group = cloud.create("oci_logging_log_group", compartment_id=t, display_name="galley")
    cloud.create(
        "oci_logging_log",
        log_group_id=group["id"],
        display_name="execution",
        log_type="SERVICE",
        configuration=[
            {
                "source": [
                    {
                        "source_type": "OCISERVICE",
                        "service": "apigateway",
                        "resource": deployment_id,
                        "category": "execution",
                    }
                ]
            }
        ],
    )
    vcn = net["vcn"]
    cloud.create(
        "oci_core_default_security_list",
        manage_default_resource_id=vcn["default_security_list_id"],
    )
    cloud.create(
        "oci_core_default_route_table",
        manage_default_resource_id=vcn["default_route_table_id"],
    )
    cloud.create(
        "oci_identity_dynamic_group",
        compartment_id=t,
        name="galley-dg",
        description="d",
        matching_rule="ALL {resource.type='computecontainerinstance'}",
    )
    namespace = cloud.create(
        "oci_identity_tag_namespace", compartment_id=t, name="galley", description="d"
    )
    cloud.create("oci_identity_tag", tag_namespace_id=namespace["id"], name="env", description="d")
    cloud.create("oci_artifacts_container_repository", compartment_id=t, display_name="galley")
    topic = cloud.create("oci_ons_notification_topic", compartment_id=t, name="galley-alarms")
    cloud.create(
        "oci_ons_subscription",
        compartment_id=t,
        topic_id=topic["id"],
        protocol="EMAIL",
        endpoint="ops@example.com",
    )
    cloud.create(
        "oci_monitoring_alarm",
        compartment_id=t,
        metric_compartment_id=t,
        display_name="galley-memory",
        namespace="oci_computecontainerinstance",
        query="MemoryUtilization[5m].max() > 90",
        severity="CRITICAL",
        is_enabled=True,
        destinations=[topic["id"]],
    )
    target = cloud.create("oci_identity_compartment", name="galley-spend")["id"]
    budget = cloud.create(
        "oci_budget_budget",
        compartment_id=t,
        amount=50,
        reset_period="MONTHLY",
        target_type="COMPARTMENT",
        targets=[target],
        display_name="galley-budget",
    )
    cloud.create(
        "oci_budget_alert_rule",
        budget_id=budget["id"],
        type="FORECAST",
        threshold_type="PERCENTAGE",
        threshold=100,
    )


def test_every_data_source_is_covered(cloud, net):
    assert set(_populated(cloud, net)) == api.DATA_SOURCE_TYPES


@pytest.mark.parametrize("type_", sorted(api.DATA_SOURCE_TYPES))
def test_data_source_attributes_exist_in_schema(cloud, net, schema_unknown, type_):
    config = _populated(cloud, net)[type_]
    out = cloud.read(type_, **config)
    assert out, type_
    assert schema_unknown("data", type_, out) == []


def test_resource_attributes_exist_in_schema(cloud, net, schema_unknown):
    _populated(cloud, net)
    kinds = set()
    for res in cloud.world.resources.values():
        kinds.add(res["type"])
        assert schema_unknown("resource", res["type"], res["attrs"]) == [], res["type"]
        assert "placeholder" not in json.dumps(res["attrs"]), res["type"]
    assert kinds >= api.RESOURCE_TYPES

"""VCN, subnet, gateway and route table rules."""

import json
import os
import re
from pathlib import Path

import pytest
from oci_emulator.oci.ocids import new_ocid


def _in_vcn(cloud, type_, vcn_id, **attrs):
    """Create a VCN part (subnet, gateway, route table...) in the tenancy's root compartment."""
    return cloud.create(type_, compartment_id=cloud.tenancy, vcn_id=vcn_id, **attrs)


@pytest.mark.parametrize(
    ("cidr", "fragment"),
    [
        ("10.0.0.0/8", "prefix /8, expected /16 to /30"),
        ("10.0.0.0/31", "prefix /31"),
        ("10.0.0.1/16", "not a valid IPv4 CIDR"),
        ("banana", "not a valid IPv4 CIDR"),
    ],
)
def test_vcn_cidr_rejected(cloud, cidr, fragment, raises_oci):
    with raises_oci(400, "InvalidParameter", cidr, fragment):
        cloud.create("oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=[cidr])


def test_vcn_fills_cidr_and_defaults(cloud):
    vcn = cloud.create(
        "oci_core_vcn", compartment_id=cloud.tenancy, cidr_block="10.0.0.0/16", dns_label="galley"
    )
    assert vcn["cidr_blocks"] == ["10.0.0.0/16"]
    assert vcn["vcn_domain_name"] == "galley.oraclevcn.com"
    assert vcn["default_route_table_id"].startswith("ocid1.routetable.oc1.iad.")


@pytest.mark.parametrize(
    ("compartment", "status", "fragment"),
    [
        ("ocid1.vcn.oc1.iad.aaaaaaaaxyz", 400, "expected ocid1.compartment.* or ocid1.tenancy.*"),
        ("compartment-galley", 400, "is not a valid OCID"),
        ("ocid1.tenancy.oc1..aaaaaaaaotherxyz", 404, "tenancy ocid1.tenancy.oc1..aaaaaaaaotherxyz"),
    ],
)
def test_compartment_ids_checked(cloud, compartment, status, fragment, raises_oci):
    code = "InvalidParameter" if status == 400 else "NotAuthorizedOrNotFound"
    with raises_oci(status, code, fragment):
        cloud.create("oci_core_vcn", compartment_id=compartment, cidr_blocks=["10.0.0.0/16"])


def test_compartment_ocid_accepted(cloud):
    comp = new_ocid("compartment", "us-ashburn-1")
    vcn = cloud.create("oci_core_vcn", compartment_id=comp, cidr_blocks=["10.0.0.0/16"])
    assert vcn["compartment_id"] == comp


def test_subnet_needs_existing_vcn(cloud, raises_oci):
    missing = new_ocid("vcn", "us-ashburn-1")
    with raises_oci(404, "NotAuthorizedOrNotFound", f"vcn {missing} not found"):
        _in_vcn(
            cloud,
            "oci_core_subnet",
            missing,
            cidr_block="10.0.1.0/24",
        )


def test_subnet_vcn_of_wrong_type(cloud, net, raises_oci):
    with raises_oci(400, "InvalidParameter", "is an OCID of type 'subnet'", "ocid1.vcn.*"):
        _in_vcn(
            cloud,
            "oci_core_subnet",
            net["public"]["id"],
            cidr_block="10.0.3.0/24",
        )


@pytest.mark.parametrize(
    ("cidr", "fragment"),
    [
        ("10.1.0.0/24", "subnet cidr 10.1.0.0/24 is not within vcn cidr 10.0.0.0/16"),
        ("10.0.1.128/25", "overlaps subnet"),
        ("10.0.0.0/15", "not within vcn cidr"),
        ("10.0.3.0/31", "at most /30"),
        ("10.0.3.7/24", "not a valid IPv4 CIDR"),
    ],
)
def test_subnet_cidr_rejected(cloud, net, cidr, fragment, raises_oci):
    with raises_oci(400, "InvalidParameter", fragment):
        _in_vcn(
            cloud,
            "oci_core_subnet",
            net["vcn"]["id"],
            cidr_block=cidr,
        )


def test_subnet_fills_vcn_defaults(cloud, net):
    vcn = net["vcn"]
    sub = _in_vcn(
        cloud,
        "oci_core_subnet",
        vcn["id"],
        cidr_block="10.0.3.0/24",
        dns_label="extra",
    )
    assert sub["route_table_id"] == vcn["default_route_table_id"]
    assert sub["security_list_ids"] == [vcn["default_security_list_id"]]
    assert sub["dhcp_options_id"] == vcn["default_dhcp_options_id"]
    assert sub["virtual_router_ip"] == "10.0.3.1"
    assert sub["subnet_domain_name"] == "extra.galley.oraclevcn.com"
    assert net["private"]["prohibit_public_ip_on_vnic"] is True


def test_subnet_route_table_of_other_vcn_rejected(cloud, net, raises_oci):
    other = cloud.create("oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=["10.9.0.0/16"])
    with raises_oci(400, "InvalidParameter", "belongs to vcn", net["vcn"]["id"]):
        _in_vcn(
            cloud,
            "oci_core_subnet",
            other["id"],
            cidr_block="10.9.1.0/24",
            route_table_id=net["public_rt"]["id"],
        )


SUBNET = {"cidr_block": "10.0.4.0/24"}  # free in the `net` VCN


@pytest.mark.parametrize(
    ("type_", "kind", "attrs"),
    [
        ("oci_core_subnet", "securitylist", lambda m: {**SUBNET, "security_list_ids": [m]}),
        ("oci_core_subnet", "routetable", lambda m: {**SUBNET, "route_table_id": m}),
        ("oci_core_subnet", "dhcpoptions", lambda m: {**SUBNET, "dhcp_options_id": m}),
        ("oci_core_nat_gateway", "routetable", lambda m: {"route_table_id": m}),
        (
            "oci_core_route_table",
            "internetgateway",
            lambda m: {"route_rules": [{"destination": "0.0.0.0/0", "network_entity_id": m}]},
        ),
    ],
)
def test_missing_reference_is_not_found(cloud, net, raises_oci, type_, kind, attrs):
    missing = new_ocid(kind, "us-ashburn-1")
    with raises_oci(404, "NotAuthorizedOrNotFound", missing):
        _in_vcn(cloud, type_, net["vcn"]["id"], **attrs(missing))


@pytest.mark.parametrize(
    ("rule", "fragment"),
    [
        (
            lambda net: {"destination": "0.0.0.0/0", "network_entity_id": net["public"]["id"]},
            "is a subnet",
        ),
        (
            lambda net: {
                "destination": "all-phx-services-in-oracle-services-network",
                "destination_type": "SERVICE_CIDR_BLOCK",
                "network_entity_id": net["sgw"]["id"],
            },
            "'all-phx-services-in-oracle-services-network'",
        ),
        (
            lambda net: {
                "destination": net["service"]["cidr_block"],
                "destination_type": "SERVICE_CIDR_BLOCK",
                "network_entity_id": net["nat"]["id"],
            },
            "must target a service gateway",
        ),
    ],
    ids=["target-type", "service-label-of-other-region", "service-route-via-nat"],
)
def test_route_rule_rejected(cloud, net, raises_oci, rule, fragment):
    with raises_oci(400, "InvalidParameter", fragment):
        _in_vcn(cloud, "oci_core_route_table", net["vcn"]["id"], route_rules=[rule(net)])


def test_route_rules_filled(net):
    rules = {r["destination"]: r for r in net["private_rt"]["route_rules"]}
    assert rules["0.0.0.0/0"]["destination_type"] == "CIDR_BLOCK"
    assert rules["all-iad-services-in-oracle-services-network"]["route_type"] == "STATIC"


def test_service_gateway_service_id_must_be_a_core_service(cloud, net, raises_oci):
    bogus = new_ocid("service", "us-ashburn-1")
    other_vcn = cloud.create(
        "oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=["10.8.0.0/16"]
    )
    with raises_oci(400, "InvalidParameter", bogus, "oci_core_services"):
        _in_vcn(
            cloud,
            "oci_core_service_gateway",
            other_vcn["id"],
            services=[{"service_id": bogus}],
        )
    assert net["sgw"]["services"][0]["service_name"] == (
        "All IAD Services In Oracle Services Network"
    )


def test_one_internet_gateway_per_vcn(cloud, net, raises_oci):
    with raises_oci(409, "Conflict", "already has internet gateway"):
        _in_vcn(cloud, "oci_core_internet_gateway", net["vcn"]["id"])


def test_gateway_vcn_must_exist(cloud, raises_oci):
    missing = new_ocid("vcn", "us-ashburn-1")
    with raises_oci(404, "NotAuthorizedOrNotFound", f"vcn {missing} not found"):
        _in_vcn(cloud, "oci_core_nat_gateway", missing)


def test_security_list_rules_checked(cloud, net, raises_oci):
    ok = _in_vcn(
        cloud,
        "oci_core_security_list",
        net["vcn"]["id"],
        ingress_security_rules=[
            {"protocol": "6", "source": "0.0.0.0/0", "tcp_options": [{"min": 443, "max": 443}]}
        ],
        egress_security_rules=[
            {
                "protocol": "6",
                "destination": "10.0.2.0/24",
                "tcp_options": [{"min": 8000, "max": 8000}],
            }
        ],
    )
    assert ok["ingress_security_rules"][0]["source_type"] == "CIDR_BLOCK"
    with raises_oci(400, "InvalidParameter", "'tcp'"):
        _in_vcn(
            cloud,
            "oci_core_security_list",
            net["vcn"]["id"],
            ingress_security_rules=[{"protocol": "tcp", "source": "0.0.0.0/0"}],
        )
    with raises_oci(400, "InvalidParameter", "port 70000"):
        _in_vcn(
            cloud,
            "oci_core_security_list",
            net["vcn"]["id"],
            ingress_security_rules=[
                {"protocol": "6", "source": "0.0.0.0/0", "tcp_options": [{"min": 1, "max": 70000}]}
            ],
        )


def test_vcn_delete_blocked_by_children(cloud, net, raises_oci):
    with raises_oci(409, "Conflict", "delete it first"):
        cloud.delete("oci_core_vcn", net["vcn"])


def test_vcn_update_keeps_subnets_inside(cloud, net, raises_oci):
    with raises_oci(400, "InvalidParameter", "would no longer contain subnet"):
        cloud.update("oci_core_vcn", net["vcn"], cidr_blocks=["10.1.0.0/16"], cidr_block=None)
    grown = cloud.update("oci_core_vcn", net["vcn"], cidr_blocks=["10.0.0.0/16", "10.1.0.0/16"])
    assert grown["default_route_table_id"] == net["vcn"]["default_route_table_id"]


def test_subnet_dns_label_rules(cloud, net, raises_oci):
    with raises_oci(400, "InvalidParameter", "'pub' is already used"):
        _in_vcn(
            cloud,
            "oci_core_subnet",
            net["vcn"]["id"],
            cidr_block="10.0.6.0/24",
            dns_label="pub",
        )
    bare = cloud.create("oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=["10.7.0.0/16"])
    with raises_oci(400, "InvalidParameter", "needs a dns_label on vcn"):
        _in_vcn(
            cloud,
            "oci_core_subnet",
            bare["id"],
            cidr_block="10.7.1.0/24",
            dns_label="app",
        )
    with raises_oci(400, "InvalidParameter", "dns_label '1abc'"):
        _in_vcn(
            cloud,
            "oci_core_subnet",
            net["vcn"]["id"],
            cidr_block="10.0.6.0/24",
            dns_label="1abc",
        )


def test_updates_keep_computed_values(cloud, net):
    nat = cloud.update("oci_core_nat_gateway", net["nat"], display_name="nat")
    assert nat["nat_ip"] == net["nat"]["nat_ip"]
    sub = cloud.update("oci_core_subnet", net["public"], display_name="public")
    assert sub["virtual_router_mac"] == net["public"]["virtual_router_mac"]
    assert sub["virtual_router_ip"] == "10.0.1.1"


def _behaviour_one_of(type_, path):
    """The values the provider's own validator allows, read here from the behaviour file."""
    directory = Path(os.environ["OCI_EMULATOR_SCHEMA_DIR"])
    behaviour = json.loads((directory / "oracle-oci-8.28.0.behaviour.json").read_text())
    message = behaviour["provider_side_validation"][type_][path]
    return re.findall(r'"([^"]+)"', message.split("one of", 1)[1])


def test_dhcp_server_types_are_the_providers(cloud, net):
    server_types = _behaviour_one_of("oci_core_dhcp_options", "options.server_type")
    assert "VcnLocal" in server_types
    for server_type in server_types:
        option = {"type": "DomainNameServer", "server_type": server_type}
        if server_type == "CustomDnsServer":
            option["custom_dns_servers"] = ["10.0.0.2"]
        dhcp = _in_vcn(cloud, "oci_core_dhcp_options", net["vcn"]["id"], options=[option])
        assert dhcp["options"][0]["server_type"] == server_type


def test_dhcp_bad_server_type_names_the_allowed_ones(cloud, net, raises_oci):
    option = {"type": "DomainNameServer", "server_type": "VcnOnly"}
    with raises_oci(
        400, "InvalidParameter", "options.server_type 'VcnOnly' is invalid", "VcnLocal,"
    ):
        _in_vcn(cloud, "oci_core_dhcp_options", net["vcn"]["id"], options=[option])
    with raises_oci(400, "InvalidParameter", "options.type 'Dns'", "SearchDomain"):
        _in_vcn(cloud, "oci_core_dhcp_options", net["vcn"]["id"], options=[{"type": "Dns"}])

"""A VCN's default route table, security list and DHCP options, and taking them over."""

import pytest


def _vcn(cloud, **extra):
    return cloud.create(
        "oci_core_vcn",
        compartment_id=cloud.tenancy,
        cidr_blocks=["10.0.0.0/16"],
        display_name="galley-vcn",
        **extra,
    )


def _rules(rules, peer):
    """(protocol, peer, tcp ports, icmp type/code) per rule, comparable."""
    out = []
    for r in rules:
        tcp = [(o["min"], o["max"]) for o in r.get("tcp_options") or []]
        icmp = [(o["type"], o.get("code")) for o in r.get("icmp_options") or []]
        out.append((r["protocol"], r[peer], tcp, icmp, bool(r.get("stateless"))))
    return sorted(out, key=str)


def test_new_vcn_comes_with_oci_default_components(cloud):
    vcn = _vcn(cloud, dns_label="galley")
    held = cloud.world.resources
    sl = held[vcn["default_security_list_id"]]
    assert sl["type"] == "oci_core_security_list"
    assert sl["attrs"]["display_name"] == "Default Security List for galley-vcn"
    assert _rules(sl["attrs"]["ingress_security_rules"], "source") == _rules(
        [
            {"protocol": "6", "source": "0.0.0.0/0", "tcp_options": [{"min": 22, "max": 22}]},
            {"protocol": "1", "source": "0.0.0.0/0", "icmp_options": [{"type": 3, "code": 4}]},
            {"protocol": "1", "source": "10.0.0.0/16", "icmp_options": [{"type": 3}]},
        ],
        "source",
    )
    assert _rules(sl["attrs"]["egress_security_rules"], "destination") == [
        ("all", "0.0.0.0/0", [], [], False)
    ]
    rt = held[vcn["default_route_table_id"]]
    assert (rt["type"], rt["attrs"]["route_rules"]) == ("oci_core_route_table", [])
    dhcp = held[vcn["default_dhcp_options_id"]]
    assert dhcp["attrs"]["options"][0]["server_type"] == "VcnLocalPlusInternet"
    assert dhcp["attrs"]["options"][1]["search_domain_names"] == ["galley.oraclevcn.com"]


def test_subnet_without_lists_uses_the_defaults(cloud):
    vcn = _vcn(cloud)
    sub = cloud.create(
        "oci_core_subnet", compartment_id=cloud.tenancy, vcn_id=vcn["id"], cidr_block="10.0.1.0/24"
    )
    assert sub["security_list_ids"] == [vcn["default_security_list_id"]]
    assert sub["route_table_id"] == vcn["default_route_table_id"]


def test_default_security_list_taken_over_then_reset_on_destroy(cloud):
    vcn = _vcn(cloud)
    target = vcn["default_security_list_id"]
    managed = cloud.create(
        "oci_core_default_security_list",
        manage_default_resource_id=target,
        ingress_security_rules=[],
        egress_security_rules=[
            {
                "protocol": "6",
                "destination": "10.0.2.0/24",
                "tcp_options": [{"min": 8000, "max": 8000}],
            }
        ],
    )
    assert managed["id"] == target
    assert managed["compartment_id"] == cloud.tenancy
    assert managed["display_name"] == "Default Security List for galley-vcn"
    assert managed["ingress_security_rules"] == []  # no rules at all is allowed
    cloud.delete("oci_core_default_security_list", managed)
    left = cloud.world.resources[target]  # the provider resets it; OCI keeps it
    assert left["type"] == "oci_core_security_list"
    assert (left["attrs"]["ingress_security_rules"], left["attrs"]["egress_security_rules"]) == (
        [],
        [],
    )
    assert left["attrs"]["vcn_id"] == vcn["id"]


def test_default_security_list_rules_checked(cloud, raises_oci):
    vcn = _vcn(cloud)
    with raises_oci(400, "InvalidParameter", "protocol 'tcp' is invalid"):
        cloud.create(
            "oci_core_default_security_list",
            manage_default_resource_id=vcn["default_security_list_id"],
            ingress_security_rules=[{"protocol": "tcp", "source": "0.0.0.0/0"}],
        )


def test_default_resource_must_exist(cloud, raises_oci):
    with raises_oci(404, "NotAuthorizedOrNotFound", "securitylist"):
        cloud.create(
            "oci_core_default_security_list",
            manage_default_resource_id="ocid1.securitylist.oc1.iad.aaaaaaaamissing",
        )
    vcn = _vcn(cloud)
    with raises_oci(400, "InvalidParameter", "is a oci_core_vcn"):
        cloud.create("oci_core_default_route_table", manage_default_resource_id=vcn["id"])


def test_default_route_table_taken_over_then_reset(cloud, net):
    vcn = net["vcn"]
    managed = cloud.create(
        "oci_core_default_route_table",
        manage_default_resource_id=vcn["default_route_table_id"],
        route_rules=[{"destination": "0.0.0.0/0", "network_entity_id": net["igw"]["id"]}],
    )
    assert managed["route_rules"][0]["destination_type"] == "CIDR_BLOCK"
    cloud.delete("oci_core_default_route_table", managed)
    left = cloud.world.resources[vcn["default_route_table_id"]]
    assert (left["type"], left["attrs"]["route_rules"]) == ("oci_core_route_table", [])


def test_gateway_used_by_the_default_route_table_cannot_be_deleted(cloud, net, raises_oci):
    cloud.create(
        "oci_core_default_route_table",
        manage_default_resource_id=net["vcn"]["default_route_table_id"],
        route_rules=[{"destination": "0.0.0.0/0", "network_entity_id": net["igw"]["id"]}],
    )
    with raises_oci(409, "Conflict", "is the target of a route rule"):
        cloud.delete("oci_core_internet_gateway", net["igw"])


@pytest.mark.parametrize("taken_over", [False, True])
def test_deleting_the_vcn_removes_its_defaults(cloud, raises_oci, taken_over):
    vcn = _vcn(cloud)
    defaults = {
        vcn["default_security_list_id"],
        vcn["default_route_table_id"],
        vcn["default_dhcp_options_id"],
    }
    if taken_over:
        cloud.create(
            "oci_core_default_security_list",
            manage_default_resource_id=vcn["default_security_list_id"],
        )
    extra = cloud.create("oci_core_security_list", compartment_id=cloud.tenancy, vcn_id=vcn["id"])
    with raises_oci(409, "Conflict", f"still has oci_core_security_list {extra['id']}"):
        cloud.delete("oci_core_vcn", vcn)
    cloud.delete("oci_core_security_list", extra)
    cloud.delete("oci_core_vcn", vcn)
    assert not defaults & set(cloud.world.resources)

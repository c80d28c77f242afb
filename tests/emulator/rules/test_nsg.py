"""Network security groups: their rules, and the VNICs and gateways placed in them."""

import pytest
from oci_emulator.oci import nsg as nsg_rules

NSG = "oci_core_network_security_group"
RULE = "oci_core_network_security_group_security_rule"
CI = "oci_container_instances_container_instance"
GW = "oci_apigateway_gateway"


def _nsg(cloud, vcn_id, name="galley"):
    return cloud.create(NSG, compartment_id=cloud.tenancy, vcn_id=vcn_id, display_name=name)


def _https_in(group, source="0.0.0.0/0", **extra):
    return {
        "network_security_group_id": group["id"],
        "direction": "INGRESS",
        "protocol": "6",
        "source": source,
        "tcp_options": [{"destination_port_range": [{"min": 443, "max": 443}]}],
        **extra,
    }


def _other_vcn(cloud):
    vcn = cloud.create("oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=["10.9.0.0/16"])
    return vcn, _nsg(cloud, vcn["id"], "elsewhere")


def test_rule_fills_defaults_and_gets_a_short_id(cloud, net):
    group = _nsg(cloud, net["vcn"]["id"])
    rule = cloud.create(RULE, **_https_in(group))
    assert rule["source_type"] == "CIDR_BLOCK"
    assert rule["stateless"] is False
    assert rule["is_valid"] is True
    assert not rule["id"].startswith("ocid1.")  # the provider's rule ids are short, not OCIDs


def test_rule_may_name_an_nsg_of_the_same_vcn(cloud, net):
    gateway, instance = _nsg(cloud, net["vcn"]["id"]), _nsg(cloud, net["vcn"]["id"])
    rule = cloud.create(
        RULE,
        network_security_group_id=gateway["id"],
        direction="EGRESS",
        protocol="6",
        destination=instance["id"],
        destination_type="NETWORK_SECURITY_GROUP",
    )
    assert rule["destination"] == instance["id"]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"direction": "IN"}, "direction 'IN' is invalid (expected INGRESS or EGRESS)"),
        ({"protocol": "tcp"}, "protocol 'tcp' is invalid"),
        ({"source": None}, "source is required for a INGRESS rule"),
        ({"source": "10.0.0.1/16"}, "not a valid IPv4 CIDR"),
        (
            {"source_type": "IP"},
            "source_type 'IP' is invalid (expected CIDR_BLOCK, SERVICE_CIDR_BLOCK, "
            "NETWORK_SECURITY_GROUP)",
        ),
        ({"destination": "0.0.0.0/0"}, "an INGRESS rule takes a source, not a destination"),
        ({"protocol": "17"}, "tcp_options given for protocol 17"),
        (
            {"tcp_options": [{"destination_port_range": [{"min": 443, "max": 70000}]}]},
            "port 70000 is out of range",
        ),
        (
            {"protocol": "6", "icmp_options": [{"type": 3, "code": 4}]},
            "icmp_options given for protocol 6",
        ),
    ],
)
def test_bad_rule_refused(cloud, net, raises_oci, changes, fragment):
    group = _nsg(cloud, net["vcn"]["id"])
    with raises_oci(400, "InvalidParameter", fragment):
        cloud.create(RULE, **{**_https_in(group), **changes})


def test_rule_naming_an_nsg_of_another_vcn_refused(cloud, net, raises_oci):
    group = _nsg(cloud, net["vcn"]["id"])
    _, foreign = _other_vcn(cloud)
    with raises_oci(400, "InvalidParameter", f"{foreign['id']} is a network security group of"):
        cloud.create(
            RULE, **_https_in(group, source=foreign["id"], source_type="NETWORK_SECURITY_GROUP")
        )


def test_an_nsg_holds_at_most_120_rules(cloud, net, raises_oci):
    group = _nsg(cloud, net["vcn"]["id"])
    for n in range(nsg_rules.MAX_RULES_PER_NSG):
        cloud.create(RULE, **_https_in(group, source=f"10.{n}.0.0/16"))
    with raises_oci(400, "LimitExceeded", "already has 120 security rules (limit 120 per NSG)"):
        cloud.create(RULE, **_https_in(group, source="192.168.0.0/16"))


def test_vnic_joins_at_most_five_nsgs_of_its_vcn(cloud, net, raises_oci):
    groups = [_nsg(cloud, net["vcn"]["id"]) for _ in range(6)]
    private = net["private"]["id"]
    inst = cloud.container_instance(
        private, vnics=[{"subnet_id": private, "nsg_ids": [g["id"] for g in groups[:5]]}]
    )
    assert inst["vnics"][0]["nsg_ids"] == [g["id"] for g in groups[:5]]
    with raises_oci(400, "LimitExceeded", "lists 6 network security groups (limit 5)"):
        cloud.container_instance(
            private, vnics=[{"subnet_id": private, "nsg_ids": [g["id"] for g in groups]}]
        )
    _, foreign = _other_vcn(cloud)
    with raises_oci(400, "InvalidParameter", f"vnics.nsg_ids {foreign['id']} is a network"):
        cloud.container_instance(
            private, vnics=[{"subnet_id": private, "nsg_ids": [foreign["id"]]}]
        )


def test_gateway_nsgs_must_be_in_its_subnets_vcn(cloud, net, raises_oci):
    _, foreign = _other_vcn(cloud)
    with raises_oci(400, "InvalidParameter", "network_security_group_ids"):
        cloud.create(
            GW,
            compartment_id=cloud.tenancy,
            endpoint_type="PUBLIC",
            subnet_id=net["public"]["id"],
            network_security_group_ids=[foreign["id"]],
        )


def test_nsg_with_members_cannot_be_deleted_and_takes_its_rules_along(cloud, net, raises_oci):
    group = _nsg(cloud, net["vcn"]["id"])
    rule = cloud.create(RULE, **_https_in(group))
    gateway = cloud.create(
        GW,
        compartment_id=cloud.tenancy,
        endpoint_type="PUBLIC",
        subnet_id=net["public"]["id"],
        network_security_group_ids=[group["id"]],
    )
    with raises_oci(409, "Conflict", f"still has {gateway['id']} in it"):
        cloud.delete(NSG, group)
    cloud.delete(GW, gateway)
    cloud.delete(NSG, group)
    assert rule["id"] not in cloud.world.resources


def test_vcn_with_an_nsg_cannot_be_deleted(cloud, net, raises_oci):
    vcn, _ = _other_vcn(cloud)
    with raises_oci(409, "Conflict", "oci_core_network_security_group"):
        cloud.delete("oci_core_vcn", vcn)

"""Network security groups: the groups, their security rules, and the VNICs placed in them.

Sources, OCI Networking documentation:
- "Network Security Groups": a VNIC is in at most 5 NSGs; the NSG and the VNICs in it are in one
  VCN; a rule's source or destination may be another NSG (NETWORK_SECURITY_GROUP) of that VCN;
  an NSG with VNICs in it cannot be deleted (unverified wording: the console asks to remove
  the VNICs first).
- Service limits, Networking: 120 security rules per NSG (ingress and egress together).
- AddSecurityRuleDetails (API reference): direction INGRESS or EGRESS; an INGRESS rule has a
  source, an EGRESS rule a destination; the type defaults to CIDR_BLOCK; stateful by default;
  TCP and UDP options only with their protocol, ICMP options only with protocol 1.
API Gateway's limit of NSGs per gateway is taken to be the VNIC's 5 (unverified).
"""

from __future__ import annotations

from typing import Any

from . import world as w
from .errors import conflict, invalid, limit_exceeded
from .network import security_rule_options, security_rule_peer
from .regions import services

Attrs = dict[str, Any]

MAX_RULES_PER_NSG = 120
MAX_NSGS_PER_VNIC = 5
NSG_TYPE = "oci_core_network_security_group"
RULE_TYPE = "oci_core_network_security_group_security_rule"
NSG_PEER = "NETWORK_SECURITY_GROUP"  # a rule's source or destination type besides a security list's


def rule_create(attrs: Attrs, world: w.WorldView, prior: Attrs | None = None) -> Attrs:
    field = "network_security_group_id"
    nsg = w.require(world, field, attrs.get(field), NSG_TYPE)
    if prior is None:
        held = sum(
            1
            for r in w.of_type(world, RULE_TYPE)
            if r["attrs"].get("network_security_group_id") == nsg["id"]
        )
        if held >= MAX_RULES_PER_NSG:
            raise limit_exceeded(
                f"network security group {nsg['id']} already has {held} security rules "
                f"(limit {MAX_RULES_PER_NSG} per NSG)"
            )
    direction = attrs.get("direction")
    if direction not in ("INGRESS", "EGRESS"):
        raise invalid(f"direction {direction!r} is invalid (expected INGRESS or EGRESS)")
    peer = "source" if direction == "INGRESS" else "destination"
    other = "destination" if peer == "source" else "source"
    if attrs.get(other) is not None:
        raise invalid(f"an {direction} rule takes a {peer}, not a {other}")
    _peer(attrs, peer, nsg, world)
    security_rule_options(attrs)
    for block in attrs.get("icmp_options") or []:
        if attrs.get("protocol") != "1":
            raise invalid(f"icmp_options given for protocol {attrs.get('protocol')}")
        if not 0 <= int(block.get("type", -1)) <= 255:
            raise invalid(f"icmp_options.type {block.get('type')!r} is out of range 0-255")
    if prior is not None:
        attrs["time_created"] = prior.get("time_created")
    attrs["is_valid"] = True
    w.fill_defaults(attrs, description=None)
    return attrs


def _peer(attrs: Attrs, peer: str, nsg: w.Resource, world: w.WorldView) -> None:
    value = attrs.get(peer)
    if value is None:
        raise invalid(f"{peer} is required for a {attrs.get('direction')} rule")
    labels = {s["cidr_block"] for s in services(world.region)}
    if security_rule_peer(attrs, peer, labels, (NSG_PEER,)) == NSG_PEER:
        other = w.require(world, peer, value, NSG_TYPE)
        theirs, ours = other["attrs"].get("vcn_id"), nsg["attrs"].get("vcn_id")
        if theirs != ours:
            raise invalid(
                f"{peer} {value} is a network security group of vcn {theirs}, not of the "
                f"rule's vcn {ours}"
            )


def rule_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    return rule_create(attrs, world, prior)


def require_nsgs(world: w.WorldView, field: str, ids: object, subnet: w.Resource) -> None:
    """NSGs a VNIC (or a gateway) joins: at most 5, existing, in the subnet's VCN."""
    ids = list(ids or [])  # type: ignore[call-overload]
    if len(ids) > MAX_NSGS_PER_VNIC:
        raise limit_exceeded(
            f"{field} lists {len(ids)} network security groups (limit {MAX_NSGS_PER_VNIC})"
        )
    vcn = subnet["attrs"].get("vcn_id")
    for ocid in ids:
        nsg = w.require(world, field, ocid, NSG_TYPE)
        if nsg["attrs"].get("vcn_id") != vcn:
            raise invalid(
                f"{field} {ocid} is a network security group of vcn {nsg['attrs'].get('vcn_id')}, "
                f"not of subnet {subnet['id']}'s vcn {vcn}"
            )


def nsg_delete(attrs: Attrs, world: w.WorldView) -> None:
    """Refused while a VNIC or a gateway is in the group; its own rules go with it."""
    own = attrs.get("id")
    members = [
        r["id"]
        for r in w.of_type(world, "oci_container_instances_container_instance")
        for vnic in r["attrs"].get("vnics") or []
        if own in (vnic.get("nsg_ids") or [])
    ] + [
        r["id"]
        for r in w.of_type(world, "oci_apigateway_gateway")
        if own in (r["attrs"].get("network_security_group_ids") or [])
    ]
    if members:
        raise conflict(
            f"network security group {own} still has {', '.join(members)} in it; remove them first"
        )
    for rule in list(w.of_type(world, RULE_TYPE)):
        if rule["attrs"].get("network_security_group_id") == own:
            w.drop(world, rule["id"])

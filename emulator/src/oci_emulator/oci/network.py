"""Virtual Cloud Network rules: VCNs, subnets, gateways, route tables, security lists, DHCP.

A new VCN comes with a default route table, security list and DHCP options (records in the
cloud, removed with the VCN); ``oci_core_default_*`` take them over, and on destroy reset them
as the provider does (empty rules). Counts per VCN follow OCI's Networking service limits.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
from typing import Any

from . import world as w
from .errors import conflict, invalid, limit_exceeded, not_found
from .ocids import new_ocid, ocid_type, require_compartment, require_ocid
from .one_of import require_one_of
from .regions import ad_names, ad_prefix, services

Attrs = dict[str, Any]
IPv4Net = ipaddress.IPv4Network

GATEWAY_TYPES = (
    "oci_core_internet_gateway",
    "oci_core_nat_gateway",
    "oci_core_service_gateway",
)
VCN_CHILD_TYPES = (
    "oci_core_subnet",
    *GATEWAY_TYPES,
    "oci_core_route_table",
    "oci_core_security_list",
    "oci_core_dhcp_options",
    "oci_core_network_security_group",
)
# OCIDs a route rule may target: gateways, local peering / DRG, and private IPs.
ROUTE_TARGET_TYPES = {
    "internetgateway",
    "natgateway",
    "servicegateway",
    "localpeeringgateway",
    "drg",
    "privateip",
}
ROUTE_TABLE_TYPES = ("oci_core_route_table", "oci_core_default_route_table")
SECURITY_LIST_TYPES = ("oci_core_security_list", "oci_core_default_security_list")
_DNS_LABEL = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,14}$")
# Networking limits (OCI "Service Limits" page, Networking; see emulator/README.md).
MAX_VCN_CIDRS = 5
MAX_SUBNETS_PER_VCN = 300
MAX_ROUTE_TABLES_PER_VCN = 300
MAX_SECURITY_LISTS_PER_VCN = 300
MAX_RULES_PER_DIRECTION = 200  # ingress, and separately egress, rules per security list
MAX_ROUTE_RULES = 200
MAX_SECURITY_LISTS_PER_SUBNET = 5
MAX_DISPLAY_NAME = 255  # the Core API's displayName: 1-255 characters
_PROTOCOLS = {"all"} | {str(n) for n in range(256)}


def parse_cidr(field: str, value: object) -> IPv4Net:
    if not isinstance(value, str):
        raise invalid(f"{field} {value!r} is not a CIDR block (expected e.g. 10.0.0.0/16)")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ValueError as exc:
        raise invalid(f"{field} {value} is not a valid IPv4 CIDR block: {exc}") from None


def _dns_label(field: str, value: object) -> None:
    if value is not None and not (isinstance(value, str) and _DNS_LABEL.match(value)):
        raise invalid(
            f"{field} {value!r} is invalid (expected a letter then up to 14 letters or digits)"
        )


def vcn_cidrs(vcn: Attrs) -> list[IPv4Net]:
    blocks = vcn.get("cidr_blocks") or ([vcn["cidr_block"]] if vcn.get("cidr_block") else [])
    return [ipaddress.IPv4Network(b) for b in blocks]


def _compartment(attrs: Attrs, world: w.WorldView) -> None:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    _display_name(attrs)


def _display_name(attrs: Attrs) -> None:
    name = attrs.get("display_name")
    if name is not None and not (isinstance(name, str) and 1 <= len(name) <= MAX_DISPLAY_NAME):
        raise invalid(f"display_name is {len(str(name))} characters, expected 1-{MAX_DISPLAY_NAME}")


def _members(world: w.WorldView, tf_types: tuple[str, ...], vcn_id: str, own: object) -> int:
    return sum(
        1 for t in tf_types for r in w.other(world, t, own) if r["attrs"].get("vcn_id") == vcn_id
    )


def _per_vcn_limit(
    world: w.WorldView, attrs: Attrs, tf_types: tuple[str, ...], limit: int, what: str
) -> None:
    if attrs.get("id") is not None and w.find(world, attrs["id"]) is not None:
        return  # an update: the count does not grow
    count = _members(world, tf_types, attrs["vcn_id"], attrs.get("id"))
    if count >= limit:
        raise limit_exceeded(
            f"vcn {attrs['vcn_id']} already has {count} {what} (limit {limit} per VCN)"
        )


def _vcn_of(attrs: Attrs, world: w.WorldView) -> w.Resource:
    return w.require(world, "vcn_id", attrs.get("vcn_id"), "oci_core_vcn")


def _computed(attrs: Attrs, prior: Attrs | None, **values: Any) -> None:
    """Computed-only attributes: the service's value on create, the prior one on update.

    The core may have pre-filled these with generic placeholders, so they are always set here.
    """
    for key, value in values.items():
        kept = prior.get(key) if prior else None
        attrs[key] = value if kept is None else kept


# --- VCN -------------------------------------------------------------------------------------


def vcn_create(attrs: Attrs, world: w.WorldView, prior: Attrs | None = None) -> Attrs:
    _compartment(attrs, world)
    blocks = attrs.get("cidr_blocks") or []
    single = attrs.get("cidr_block")
    if not blocks and single is None:
        raise invalid("vcn needs cidr_block or cidr_blocks (e.g. 10.0.0.0/16)")
    if single is not None and blocks and single not in blocks:
        raise invalid(f"vcn cidr_block {single} is not one of cidr_blocks {blocks}")
    blocks = list(blocks) or [single]
    if len(blocks) > MAX_VCN_CIDRS:
        raise limit_exceeded(f"vcn has {len(blocks)} CIDR blocks (limit {MAX_VCN_CIDRS} per VCN)")
    nets = []
    for block in blocks:
        net = parse_cidr("vcn cidr", block)
        if not 16 <= net.prefixlen <= 30:
            raise invalid(f"vcn cidr {block} has prefix /{net.prefixlen}, expected /16 to /30")
        for seen in nets:
            if net.overlaps(seen):
                raise invalid(f"vcn cidr {block} overlaps vcn cidr {seen}")
        nets.append(net)
    _check_subnets_still_fit(attrs, nets, world)
    _dns_label("vcn dns_label", attrs.get("dns_label"))
    attrs["cidr_blocks"] = blocks
    attrs["cidr_block"] = blocks[0]
    label = attrs.get("dns_label")
    _computed(
        attrs,
        prior,
        default_route_table_id=new_ocid("routetable", world.region),
        default_security_list_id=new_ocid("securitylist", world.region),
        default_dhcp_options_id=new_ocid("dhcpoptions", world.region),
    )
    attrs["vcn_domain_name"] = f"{label.lower()}.oraclevcn.com" if label else None
    attrs["ipv6cidr_blocks"] = attrs["byoipv6cidr_blocks"] = []
    w.fill_defaults(
        attrs,
        ipv6private_cidr_blocks=[],
        is_ipv6enabled=False,
        is_oracle_gua_allocation_enabled=False,
        display_name=f"vcn{w.now()[:10].replace('-', '')}",
        defined_tags={},
        freeform_tags={},
        security_attributes={},
    )
    if prior is None:
        _make_defaults(attrs, world)
    return attrs


def default_security_rules(vcn_cidr: str) -> tuple[list[Attrs], list[Attrs]]:
    """OCI's default security list: SSH and path-MTU ICMP in, everything out (stateful)."""

    def rule(peer: str, where: str, protocol: str, **options: Any) -> Attrs:
        base: Attrs = {
            "protocol": protocol,
            peer: where,
            f"{peer}_type": "CIDR_BLOCK",
            "stateless": False,
            "description": None,
            "tcp_options": [],
            "udp_options": [],
            "icmp_options": [],
        }
        return {**base, **options}

    ingress = [
        rule("source", "0.0.0.0/0", "6", tcp_options=[{"min": 22, "max": 22}]),
        rule("source", "0.0.0.0/0", "1", icmp_options=[{"type": 3, "code": 4}]),
        rule("source", vcn_cidr, "1", icmp_options=[{"type": 3, "code": None}]),
    ]
    return ingress, [rule("destination", "0.0.0.0/0", "all")]


def _make_defaults(vcn: Attrs, world: w.WorldView) -> None:
    """The route table, security list and DHCP options every new VCN comes with."""
    name = vcn.get("display_name")
    common = {
        "compartment_id": vcn.get("compartment_id"),
        "vcn_id": vcn.get("id"),
        "state": "AVAILABLE",
        "time_created": vcn.get("time_created") or w.now(),
        "defined_tags": {},
        "freeform_tags": {},
    }
    ingress, egress = default_security_rules(vcn["cidr_blocks"][0])
    w.keep(
        world,
        "oci_core_security_list",
        vcn["default_security_list_id"],
        {
            **common,
            "id": vcn["default_security_list_id"],
            "display_name": f"Default Security List for {name}",
            "ingress_security_rules": ingress,
            "egress_security_rules": egress,
        },
    )
    w.keep(
        world,
        "oci_core_route_table",
        vcn["default_route_table_id"],
        {
            **common,
            "id": vcn["default_route_table_id"],
            "display_name": f"Default Route Table for {name}",
            "route_rules": [],
        },
    )
    options: list[Attrs] = [
        {
            "type": "DomainNameServer",
            "server_type": "VcnLocalPlusInternet",
            "custom_dns_servers": [],
        }
    ]
    if vcn.get("vcn_domain_name"):
        options.append({"type": "SearchDomain", "search_domain_names": [vcn["vcn_domain_name"]]})
    w.keep(
        world,
        "oci_core_dhcp_options",
        vcn["default_dhcp_options_id"],
        {
            **common,
            "id": vcn["default_dhcp_options_id"],
            "display_name": f"Default DHCP Options for {name}",
            "domain_name_type": "CUSTOM_DOMAIN",
            "options": options,
        },
    )


def _default_ids(vcn: Attrs) -> set[str]:
    return {
        str(vcn.get(k))
        for k in ("default_route_table_id", "default_security_list_id", "default_dhcp_options_id")
        if vcn.get(k)
    }


def _check_subnets_still_fit(attrs: Attrs, nets: list[IPv4Net], world: w.WorldView) -> None:
    if attrs.get("id") is None:
        return
    for sub in w.of_type(world, "oci_core_subnet"):
        if sub["attrs"].get("vcn_id") == attrs["id"]:
            cidr = ipaddress.IPv4Network(sub["attrs"]["cidr_block"])
            if not any(cidr.subnet_of(n) for n in nets):
                raise invalid(
                    f"vcn cidr_blocks {[str(n) for n in nets]} would no longer "
                    f"contain subnet {sub['id']} cidr {cidr}"
                )


def vcn_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    return vcn_create(attrs, world, prior)


def vcn_delete(attrs: Attrs, world: w.WorldView) -> None:
    defaults = _default_ids(attrs)
    for tf_type in VCN_CHILD_TYPES:
        for res in w.of_type(world, tf_type):
            if res["attrs"].get("vcn_id") == attrs.get("id") and res["id"] not in defaults:
                raise conflict(
                    f"vcn {attrs.get('id')} still has {tf_type} {res['id']}; delete it first"
                )
    for key in defaults:
        w.drop(world, key)


# --- Subnet ----------------------------------------------------------------------------------


# What a subnet or gateway may reference inside its VCN: field -> (type, the VCN's default one).
_VCN_PARTS = {
    "route_table_id": (ROUTE_TABLE_TYPES, "default_route_table_id"),
    "dhcp_options_id": (("oci_core_dhcp_options",), "default_dhcp_options_id"),
    "security_list_ids": (SECURITY_LIST_TYPES, "default_security_list_id"),
}


def _require_vcn_member(world: w.WorldView, field: str, ocid: object, vcn: w.Resource) -> None:
    tf_types, default_key = _VCN_PARTS[field]
    if ocid is not None and ocid == vcn["attrs"].get(default_key):
        return
    member = w.require(world, field, ocid, *tf_types)
    if member["attrs"].get("vcn_id") != vcn["id"]:
        raise invalid(
            f"{field} {ocid} belongs to vcn {member['attrs'].get('vcn_id')}, "
            f"not to the subnet's vcn {vcn['id']}"
        )


def subnet_create(attrs: Attrs, world: w.WorldView, prior: Attrs | None = None) -> Attrs:
    _compartment(attrs, world)
    vcn = _vcn_of(attrs, world)
    if prior is None:
        _per_vcn_limit(world, attrs, ("oci_core_subnet",), MAX_SUBNETS_PER_VCN, "subnets")
    block = attrs.get("cidr_block") or (attrs.get("ipv4cidr_blocks") or [None])[0]
    cidr = parse_cidr("subnet cidr_block", block)
    if cidr.prefixlen > 30:
        raise invalid(f"subnet cidr {block} has prefix /{cidr.prefixlen}, at most /30 allowed")
    parents = vcn_cidrs(vcn["attrs"])
    if not any(cidr.subnet_of(p) for p in parents):
        within = ", ".join(str(p) for p in parents)
        raise invalid(f"subnet cidr {block} is not within vcn cidr {within}")
    for sib in w.other(world, "oci_core_subnet", attrs.get("id")):
        sibling = ipaddress.IPv4Network(sib["attrs"]["cidr_block"])
        if sib["attrs"].get("vcn_id") == vcn["id"] and cidr.overlaps(sibling):
            raise invalid(
                f"subnet cidr {block} overlaps subnet {sib['id']} cidr {sibling} in vcn {vcn['id']}"
            )
    ad = attrs.get("availability_domain")
    if ad is not None and ad not in ad_names(world.region, ad_prefix(world.tenancy_id)):
        raise invalid(f"availability_domain {ad!r} is not an availability domain of {world.region}")
    for field in ("route_table_id", "dhcp_options_id"):
        if attrs.get(field) is not None:
            _require_vcn_member(world, field, attrs[field], vcn)
    for sl in attrs.get("security_list_ids") or []:
        _require_vcn_member(world, "security_list_ids", sl, vcn)
    if len(attrs.get("security_list_ids") or []) > MAX_SECURITY_LISTS_PER_SUBNET:
        raise invalid(
            f"a subnet takes at most {MAX_SECURITY_LISTS_PER_SUBNET} security_list_ids, "
            f"got {len(attrs['security_list_ids'])}"
        )
    _subnet_dns_label(attrs, vcn, world)
    private = bool(attrs.get("prohibit_public_ip_on_vnic"))
    label, vcn_label = attrs.get("dns_label"), vcn["attrs"].get("dns_label")
    attrs["cidr_block"] = str(cidr)
    w.fill_defaults(
        attrs,
        ipv4cidr_blocks=[str(cidr)],
        route_table_id=vcn["attrs"].get("default_route_table_id"),
        dhcp_options_id=vcn["attrs"].get("default_dhcp_options_id"),
        security_list_ids=[vcn["attrs"].get("default_security_list_id")],
        prohibit_public_ip_on_vnic=private,
        prohibit_internet_ingress=private,
        ipv6cidr_blocks=[],
        defined_tags={},
        freeform_tags={},
    )
    _computed(
        attrs,
        prior,
        virtual_router_mac="00:00:17:" + ":".join(f"{b:02X}" for b in secrets.token_bytes(3)),
    )
    attrs["virtual_router_ip"] = str(cidr.network_address + 1)
    attrs["ipv6virtual_router_ip"] = None
    attrs["subnet_domain_name"] = (
        f"{label.lower()}.{vcn_label.lower()}.oraclevcn.com" if label and vcn_label else None
    )
    return attrs


def _subnet_dns_label(attrs: Attrs, vcn: w.Resource, world: w.WorldView) -> None:
    label = attrs.get("dns_label")
    if label is None:
        return
    _dns_label("subnet dns_label", label)
    if not vcn["attrs"].get("dns_label"):
        raise invalid(f"subnet dns_label {label!r} needs a dns_label on vcn {vcn['id']}")
    for sib in w.other(world, "oci_core_subnet", attrs.get("id")):
        if sib["attrs"].get("vcn_id") == vcn["id"] and (
            str(sib["attrs"].get("dns_label") or "").lower() == label.lower()
        ):
            raise invalid(
                f"subnet dns_label {label!r} is already used by subnet {sib['id']} "
                f"in vcn {vcn['id']}"
            )


def subnet_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    return subnet_create(attrs, world, prior)


# --- Gateways --------------------------------------------------------------------------------


def _gateway_common(attrs: Attrs, world: w.WorldView) -> w.Resource:
    _compartment(attrs, world)
    vcn = _vcn_of(attrs, world)
    if attrs.get("route_table_id") is not None:
        _require_vcn_member(world, "route_table_id", attrs["route_table_id"], vcn)
    return vcn


def _one_per_vcn(
    attrs: Attrs, world: w.WorldView, tf_type: str, label: str, vcn: w.Resource
) -> None:
    for res in w.other(world, tf_type, attrs.get("id")):
        if res["attrs"].get("vcn_id") == vcn["id"]:
            raise conflict(
                f"vcn {vcn['id']} already has {label} {res['id']}; a vcn has at most one {label}"
            )


def internet_gateway_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    vcn = _gateway_common(attrs, world)
    _one_per_vcn(attrs, world, "oci_core_internet_gateway", "internet gateway", vcn)
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={})
    return attrs


def nat_gateway_create(attrs: Attrs, world: w.WorldView, prior: Attrs | None = None) -> Attrs:
    vcn = _gateway_common(attrs, world)
    _one_per_vcn(attrs, world, "oci_core_nat_gateway", "NAT gateway", vcn)
    # A public address from Oracle's Ashburn pool, distinct per gateway.
    _computed(attrs, prior, nat_ip=f"129.213.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}")
    w.fill_defaults(
        attrs,
        public_ip_id=new_ocid("publicip", world.region),
        block_traffic=False,
        defined_tags={},
        freeform_tags={},
    )
    return attrs


def service_gateway_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    vcn = _gateway_common(attrs, world)
    _one_per_vcn(attrs, world, "oci_core_service_gateway", "service gateway", vcn)
    catalog = {s["id"]: s for s in services(world.region)}
    chosen = attrs.get("services") or []
    if not chosen:
        raise invalid("service gateway needs at least one services { service_id } block")
    for entry in chosen:
        sid = entry.get("service_id")
        if sid not in catalog:
            raise invalid(
                f"services.service_id {sid!r} is not a service of {world.region} "
                f"(expected one of the oci_core_services ids: {', '.join(catalog)})"
            )
        entry["service_name"] = catalog[sid]["name"]
    attrs["block_traffic"] = False
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={})
    return attrs


# --- Route tables ----------------------------------------------------------------------------


def route_table_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    _compartment(attrs, world)
    vcn = _vcn_of(attrs, world)
    # The VCN's default table is a record too, so it counts against the limit.
    _per_vcn_limit(world, attrs, ROUTE_TABLE_TYPES, MAX_ROUTE_TABLES_PER_VCN, "route tables")
    _route_rules(attrs, vcn, world)
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={})
    return attrs


def _route_rules(attrs: Attrs, vcn: w.Resource, world: w.WorldView) -> None:
    rules = attrs.get("route_rules") or []
    if len(rules) > MAX_ROUTE_RULES:
        raise limit_exceeded(
            f"route table has {len(rules)} route_rules (limit {MAX_ROUTE_RULES} per table)"
        )
    labels = {s["cidr_block"] for s in services(world.region)}
    seen: set[str] = set()
    for rule in rules:
        _route_rule(rule, vcn, labels, world)
        if rule["destination"] in seen:
            raise invalid(f"route_rules has two rules for destination {rule['destination']}")
        seen.add(rule["destination"])


def _route_rule(rule: Attrs, vcn: w.Resource, labels: set[str], world: w.WorldView) -> None:
    target = require_ocid("route_rules.network_entity_id", rule.get("network_entity_id"))
    kind = ocid_type(target)
    if kind not in ROUTE_TARGET_TYPES:
        raise invalid(
            f"route_rules.network_entity_id {target} is a {kind}, expected an "
            "internet, NAT, service, local peering or dynamic routing gateway or a "
            "private IP"
        )
    entity = w.find(world, target)
    if entity is None:
        raise not_found(str(kind), target)
    if entity["attrs"].get("vcn_id") not in (None, vcn["id"]):
        raise invalid(
            f"route_rules.network_entity_id {target} belongs to vcn "
            f"{entity['attrs'].get('vcn_id')}, not to the route table's vcn {vcn['id']}"
        )
    destination = rule.get("destination") or rule.get("cidr_block")
    if destination is None:
        raise invalid("route_rules needs destination (or the deprecated cidr_block)")
    dtype = rule.get("destination_type") or "CIDR_BLOCK"
    if dtype == "CIDR_BLOCK":
        parse_cidr("route_rules.destination", destination)
        if kind == "servicegateway":
            raise invalid(
                f"route rule to service gateway {target} needs destination_type "
                f"SERVICE_CIDR_BLOCK, got CIDR_BLOCK with {destination}"
            )
        rule["cidr_block"] = rule.get("cidr_block") or destination
    elif dtype == "SERVICE_CIDR_BLOCK":
        if destination not in labels:
            raise invalid(
                f"route_rules.destination {destination!r} is not a service CIDR label "
                f"(expected one of: {', '.join(sorted(labels))})"
            )
        if kind != "servicegateway":
            raise invalid(
                f"route rule for service {destination} must target a service gateway, "
                f"not {kind} {target}"
            )
        enabled = {s.get("service_id") for s in entity["attrs"].get("services") or []}
        wanted = {s["id"] for s in services(world.region) if s["cidr_block"] == destination}
        if not wanted & enabled:
            raise invalid(f"service gateway {target} is not enabled for {destination}")
    else:
        raise invalid(
            f"route_rules.destination_type {dtype!r} is invalid "
            "(expected CIDR_BLOCK or SERVICE_CIDR_BLOCK)"
        )
    rule["destination"] = destination
    rule["destination_type"] = dtype
    if rule.get("route_type") is None:
        rule["route_type"] = "STATIC"


# --- Security lists and DHCP options ---------------------------------------------------------


def _port_range(field: str, block: Attrs) -> None:
    low, high = block.get("min"), block.get("max")
    for value in (low, high):
        if value is not None and not 1 <= value <= 65535:
            raise invalid(f"{field} port {value} is out of range 1-65535")
    if low is not None and high is not None and low > high:
        raise invalid(f"{field} min {low} is greater than max {high}")


def _security_rule(rule: Attrs, peer: str, labels: set[str]) -> None:
    security_rule_peer(rule, peer, labels)
    security_rule_options(rule)


def security_rule_peer(
    rule: Attrs, peer: str, labels: set[str], other_kinds: tuple[str, ...] = ()
) -> str:
    """A rule's `peer` ("source" or "destination") and its type, CIDR_BLOCK when unset: a CIDR
    block or a service CIDR label is checked here, a type of `other_kinds` is the caller's."""
    kind = rule.get(f"{peer}_type") or "CIDR_BLOCK"
    value = rule.get(peer)
    if kind == "CIDR_BLOCK":
        parse_cidr(f"security rule {peer}", value)
    elif kind == "SERVICE_CIDR_BLOCK":
        if value not in labels:
            raise invalid(f"security rule {peer} {value!r} is not a service CIDR label")
    elif kind not in other_kinds:
        expected = ", ".join(("CIDR_BLOCK", "SERVICE_CIDR_BLOCK", *other_kinds))
        raise invalid(f"security rule {peer}_type {kind!r} is invalid (expected {expected})")
    rule[f"{peer}_type"] = kind
    return kind


def security_rule_options(rule: Attrs) -> None:
    """A security list's or an NSG's rule: its protocol, statefulness and port options."""
    protocol = rule.get("protocol")
    if protocol not in _PROTOCOLS:
        raise invalid(
            f"security rule protocol {protocol!r} is invalid (expected 'all' or an "
            "IANA protocol number such as 6 for TCP, 17 for UDP, 1 for ICMP)"
        )
    if rule.get("stateless") is None:
        rule["stateless"] = False
    for opts in ("tcp_options", "udp_options"):
        for block in rule.get(opts) or []:
            if protocol != {"tcp_options": "6", "udp_options": "17"}[opts]:
                raise invalid(f"{opts} given for protocol {protocol}")
            _port_range(opts, block)
            # An NSG rule's ports are nested one level deeper than a security list's.
            for nested in ("source_port_range", "destination_port_range"):
                for ports in block.get(nested) or []:
                    _port_range(f"{opts}.{nested}", ports)


def security_list_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    _compartment(attrs, world)
    _vcn_of(attrs, world)
    _per_vcn_limit(world, attrs, SECURITY_LIST_TYPES, MAX_SECURITY_LISTS_PER_VCN, "security lists")
    _security_rules(attrs, world)
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={})
    return attrs


def _security_rules(attrs: Attrs, world: w.WorldView) -> None:
    labels = {s["cidr_block"] for s in services(world.region)}
    for key, peer in (
        ("ingress_security_rules", "source"),
        ("egress_security_rules", "destination"),
    ):
        rules = attrs.get(key) or []
        if len(rules) > MAX_RULES_PER_DIRECTION:
            raise limit_exceeded(
                f"security list has {len(rules)} {key} (limit {MAX_RULES_PER_DIRECTION} "
                "per direction)"
            )
        for rule in rules:
            _security_rule(rule, peer, labels)


# --- a VCN's default route table and security list, taken over --------------------------------


def _default_of(world: w.WorldView, attrs: Attrs, vcn_key: str, tf_types: tuple[str, ...]) -> Any:
    """(record or None, owning VCN or None) for manage_default_resource_id; 404 if neither."""
    target = require_ocid("manage_default_resource_id", attrs.get("manage_default_resource_id"))
    record = w.find(world, target)
    vcn = next(
        (v for v in w.of_type(world, "oci_core_vcn") if v["attrs"].get(vcn_key) == target), None
    )
    if record is not None and record["type"] not in tf_types:
        raise invalid(
            f"manage_default_resource_id {target} is a {record['type']}, expected one of "
            f"{', '.join(tf_types)}"
        )
    if record is None and vcn is None:
        raise not_found(str(ocid_type(target)), target)
    if vcn is None:
        vcn = w.find(world, str((record or {}).get("attrs", {}).get("vcn_id")))
    return record, vcn


def _takeover(attrs: Attrs, record: w.Resource | None, vcn: w.Resource | None) -> None:
    before = (record or {}).get("attrs", {})
    owner = (vcn or {}).get("attrs", {})
    if attrs.get("compartment_id") is None:
        attrs["compartment_id"] = before.get("compartment_id") or owner.get("compartment_id")
    attrs["id"] = attrs["manage_default_resource_id"]
    attrs["time_created"] = before.get("time_created") or attrs.get("time_created")
    w.fill_defaults(
        attrs, display_name=before.get("display_name"), defined_tags={}, freeform_tags={}
    )


def default_security_list_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    record, vcn = _default_of(world, attrs, "default_security_list_id", SECURITY_LIST_TYPES)
    if attrs.get("compartment_id") is not None:
        require_compartment("compartment_id", attrs["compartment_id"], world.tenancy_id)
    _display_name(attrs)
    _security_rules(attrs, world)
    _takeover(attrs, record, vcn)
    return attrs


def default_route_table_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    record, vcn = _default_of(world, attrs, "default_route_table_id", ROUTE_TABLE_TYPES)
    if attrs.get("compartment_id") is not None:
        require_compartment("compartment_id", attrs["compartment_id"], world.tenancy_id)
    _display_name(attrs)
    if vcn is not None:
        _route_rules(attrs, vcn, world)
    _takeover(attrs, record, vcn)
    return attrs


def _reset(attrs: Attrs, world: w.WorldView, tf_type: str, vcn_key: str, **empty: Any) -> Any:
    """What the provider's destroy leaves: the same object with its rules emptied."""
    vcn = next(
        (v for v in w.of_type(world, "oci_core_vcn") if v["attrs"].get(vcn_key) == attrs["id"]),
        None,
    )
    kept = {**attrs, **empty}
    if vcn is not None:
        kept["vcn_id"] = vcn["id"]
    return {"type": tf_type, "id": attrs["id"], "attrs": kept}


def default_security_list_delete(attrs: Attrs, world: w.WorldView) -> Any:
    return _reset(
        attrs,
        world,
        "oci_core_security_list",
        "default_security_list_id",
        ingress_security_rules=[],
        egress_security_rules=[],
    )


def default_route_table_delete(attrs: Attrs, world: w.WorldView) -> Any:
    return _reset(attrs, world, "oci_core_route_table", "default_route_table_id", route_rules=[])


def dhcp_options_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    _compartment(attrs, world)
    _vcn_of(attrs, world)
    for opt in attrs.get("options") or []:
        require_one_of("oci_core_dhcp_options", "options.type", opt.get("type"))
        server = opt.get("server_type")
        if opt["type"] == "DomainNameServer":
            require_one_of("oci_core_dhcp_options", "options.server_type", server)
        if server == "CustomDnsServer" and not opt.get("custom_dns_servers"):
            raise invalid("options.server_type CustomDnsServer needs custom_dns_servers")
    w.fill_defaults(attrs, domain_name_type="CUSTOM_DOMAIN", defined_tags={}, freeform_tags={})
    return attrs


def vcn_member_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    """Other VCN children (network security groups): the VCN must exist."""
    _compartment(attrs, world)
    _vcn_of(attrs, world)
    return attrs


def gateway_delete(attrs: Attrs, world: w.WorldView) -> None:
    tables = [t for tf_type in ROUTE_TABLE_TYPES for t in w.of_type(world, tf_type)]
    for table in tables:
        for rule in table["attrs"].get("route_rules") or []:
            if rule.get("network_entity_id") == attrs.get("id"):
                raise conflict(
                    f"gateway {attrs.get('id')} is the target of a route rule in "
                    f"route table {table['id']}; remove the rule first"
                )


def nat_gateway_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    return nat_gateway_create(attrs, world, prior)

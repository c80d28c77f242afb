"""Data sources with the values a real tenancy returns, and the provider's ``filter`` blocks."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from typing import Any

from oci_emulator.ocids import REGION_KEYS

from . import containers, shapes
from . import world as w
from .errors import invalid, not_found
from .ocids import require_compartment, require_ocid
from .regions import ad_names, ad_prefix, region_key, services

Attrs = dict[str, Any]


# --- filter { name, values, regex } ----------------------------------------------------------


def _as_text(value: object) -> str:
    """How the provider stringifies a property before comparing it with filter values."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _lookup(item: object, path: list[str]) -> tuple[bool, object]:
    for key in path:
        if isinstance(item, list) and len(item) == 1:  # a nested single block
            item = item[0]
        if not isinstance(item, dict) or item.get(key) is None:
            return False, None
        item = item[key]
    return True, item


def apply_filters(items: list[Attrs], filters: list[Attrs] | None) -> list[Attrs]:
    """Keep items matching every filter; within one filter any value may match.

    As in the provider: ``name`` is a property path (dots for nesting), ``regex = true`` matches
    by search (not full match), lists match when any element matches.
    """
    for flt in filters or []:
        path = str(flt.get("name")).split(".")
        values = [str(v) for v in flt.get("values") or []]
        if flt.get("regex"):
            try:
                patterns = [re.compile(v) for v in values]
            except re.error as exc:
                raise invalid(
                    f"filter {flt.get('name')} regex {exc.pattern!r} is invalid: {exc}"
                ) from None

            def match(text: str, patterns: list[re.Pattern[str]] = patterns) -> bool:
                return any(p.search(text) for p in patterns)
        else:

            def match(text: str, values: list[str] = values) -> bool:
                return text in values

        kept = []
        for item in items:
            found, value = _lookup(item, path)
            candidates = value if isinstance(value, list) else [value]
            if found and any(match(_as_text(c)) for c in candidates):
                kept.append(item)
        items = kept
    return items


def _list_id(kind: str, *parts: object) -> str:
    return f"{kind}DataSource-{w.digest(*(str(p) for p in parts), length=10)}"


# --- readers ---------------------------------------------------------------------------------


def _compartment(config: Attrs, world: w.WorldView) -> str:
    return require_compartment("compartment_id", config.get("compartment_id"), world.tenancy_id)


def availability_domains(config: Attrs, world: w.WorldView) -> Attrs:
    comp = _compartment(config, world)
    ads = [
        {
            "compartment_id": comp,
            "name": name,
            "id": f"ocid1.availabilitydomain.oc1..aaaaaaaa{w.digest(name, length=52)}",
        }
        for name in ad_names(world.region, ad_prefix(world.tenancy_id))
    ]
    return {
        **config,
        "availability_domains": apply_filters(ads, config.get("filter")),
        "id": _list_id("IdentityAvailabilityDomains", comp, world.region),
    }


def availability_domain(config: Attrs, world: w.WorldView) -> Attrs:
    listed = availability_domains({"compartment_id": config.get("compartment_id")}, world)
    ads = listed["availability_domains"]
    number, wanted = config.get("ad_number"), config.get("id")
    for n, ad in enumerate(ads, 1):
        if (number is not None and int(number) == n) or (wanted is not None and ad["id"] == wanted):
            return {**config, "ad_number": n, "id": ad["id"], "name": ad["name"]}
    raise invalid(
        f"availability domain ad_number={number!r} id={wanted!r} does not exist in "
        f"{world.region} ({len(ads)} availability domains)"
    )


def namespace(config: Attrs, world: w.WorldView) -> Attrs:
    if config.get("compartment_id") is not None:
        _compartment(config, world)
    return {**config, "namespace": world.namespace, "id": world.namespace}


def core_services(config: Attrs, world: w.WorldView) -> Attrs:
    return {
        **config,
        "services": apply_filters(services(world.region), config.get("filter")),
        "id": _list_id("CoreServices", world.region),
    }


def vnic(config: Attrs, world: w.WorldView) -> Attrs:
    wanted = require_ocid("vnic_id", config.get("vnic_id"), "vnic")
    for inst, nic in containers.vnics_of(world):
        if nic.get("vnic_id") == wanted:
            subnet = w.find(world, nic["subnet_id"])
            return {
                **config,
                "id": wanted,
                "availability_domain": inst["attrs"].get("availability_domain"),
                "compartment_id": inst["attrs"].get("compartment_id"),
                "display_name": nic.get("display_name") or inst["attrs"].get("display_name"),
                "hostname_label": nic.get("hostname_label"),
                "is_primary": True,
                "mac_address": ":".join(
                    ["02", "00", "17", *re.findall("..", w.digest(wanted, length=6))]
                ),
                "nsg_ids": list(nic.get("nsg_ids") or []),
                "private_ip_address": nic.get("private_ip"),
                "public_ip_address": None,
                "route_table_id": subnet["attrs"].get("route_table_id") if subnet else None,
                "skip_source_dest_check": bool(nic.get("skip_source_dest_check")),
                "state": "AVAILABLE",
                "subnet_id": nic.get("subnet_id"),
                "time_created": inst["attrs"].get("time_created"),
                "vlan_id": None,
                "ipv6addresses": [],
                "defined_tags": nic.get("defined_tags") or {},
                "freeform_tags": nic.get("freeform_tags") or {},
                "security_attributes": {},
            }
    raise not_found("vnic", wanted)


def container_instance_shapes(config: Attrs, world: w.WorldView) -> Attrs:
    comp = _compartment(config, world)
    ad = config.get("availability_domain")
    if ad is not None and ad not in ad_names(world.region, ad_prefix(world.tenancy_id)):
        raise invalid(f"availability_domain {ad!r} is not an availability domain of {world.region}")
    items = apply_filters(
        [shapes.describe(s) for s in shapes.SHAPES.values()], config.get("filter")
    )
    return {
        **config,
        "container_instance_shape_collection": [{"items": items}],
        "id": _list_id("ContainerInstancesContainerInstanceShapes", comp, ad),
    }


def tenancy(config: Attrs, world: w.WorldView) -> Attrs:
    wanted = require_ocid("tenancy_id", config.get("tenancy_id"), "tenancy")
    if wanted != world.tenancy_id:
        raise not_found("tenancy", wanted)
    name = f"tenancy-{w.digest(wanted, length=6)}"
    return {
        **config,
        "id": wanted,
        "name": name,
        "description": name,
        "home_region_key": region_key(world.home_region),
        "defined_tags": {},
        "freeform_tags": {},
        "upi_idcs_compatibility_layer_endpoint": None,
    }


def regions(config: Attrs, world: w.WorldView) -> Attrs:
    items = [{"key": key, "name": name} for name, key in sorted(REGION_KEYS.items())]
    return {
        **config,
        "regions": apply_filters(items, config.get("filter")),
        "id": _list_id("IdentityRegions"),
    }


def region_subscriptions(config: Attrs, world: w.WorldView) -> Attrs:
    tenancy(config, world)
    # The home region, plus the caller's: a provider can only call a subscribed region.
    subscribed = dict.fromkeys([world.home_region, world.region])
    items = [
        {
            "is_home_region": name == world.home_region,
            "region_key": region_key(name),
            "region_name": name,
            "state": "READY",
            "tenancy_id": world.tenancy_id,
        }
        for name in subscribed
    ]
    return {
        **config,
        "region_subscriptions": apply_filters(items, config.get("filter")),
        "id": _list_id("IdentityRegionSubscriptions", world.tenancy_id),
    }


def _compartment_view(res: w.Resource) -> Attrs:
    a = res["attrs"]
    return {
        "compartment_id": a.get("compartment_id"),
        "defined_tags": a.get("defined_tags") or {},
        "enable_delete": a.get("enable_delete"),
        "freeform_tags": a.get("freeform_tags") or {},
        "id": res["id"],
        "inactive_state": a.get("inactive_state"),
        "is_accessible": True,
        "name": a.get("name"),
        "state": a.get("state") or "ACTIVE",
        "time_created": a.get("time_created"),
    }


def compartments(config: Attrs, world: w.WorldView) -> Attrs:
    parent = _compartment(config, world)
    subtree = bool(config.get("compartment_id_in_subtree"))
    items = []
    for res in w.of_type(world, "oci_identity_compartment"):
        chain = w.ancestors(world, res["id"])[1:]
        if (parent in chain) if subtree else (chain[:1] == [parent]):
            items.append(_compartment_view(res))
    if config.get("name") is not None:
        items = [c for c in items if c["name"] == config["name"]]
    if config.get("state") is not None:
        items = [c for c in items if c["state"] == config["state"]]
    return {
        **config,
        "compartments": apply_filters(items, config.get("filter")),
        "id": _list_id("IdentityCompartments", parent, subtree),
    }


def compartment(config: Attrs, world: w.WorldView) -> Attrs:
    wanted = require_ocid("id", config.get("id"), "compartment", "tenancy")
    res = w.find(world, wanted)
    if res is None or res["type"] != "oci_identity_compartment":
        raise not_found("compartment", wanted)
    view = _compartment_view(res)
    view.pop("enable_delete")
    return {**config, **view}


# Resource attrs the by-id data sources do not carry.
_NOT_IN_DATA_SOURCES = {"timeouts"}


def by_id(tf_type: str, key: str) -> Callable[[Attrs, w.WorldView], Attrs]:
    """A data source that reads one resource of ``tf_type`` named by ``config[key]``."""

    def read(config: Attrs, world: w.WorldView) -> Attrs:
        res = w.require(world, key, config.get(key), tf_type)
        attrs = {
            k: copy.deepcopy(v) for k, v in res["attrs"].items() if k not in _NOT_IN_DATA_SOURCES
        }
        # What the configuration sets wins; what it leaves null comes from the resource.
        given = {k: v for k, v in config.items() if v is not None}
        return {**attrs, **given, "id": res["id"]}

    return read


def subnets(config: Attrs, world: w.WorldView) -> Attrs:
    comp = _compartment(config, world)
    items = []
    for res in w.of_type(world, "oci_core_subnet"):
        a = res["attrs"]
        if a.get("compartment_id") != comp:
            continue
        if config.get("vcn_id") is not None and a.get("vcn_id") != config["vcn_id"]:
            continue
        if (
            config.get("display_name") is not None
            and a.get("display_name") != config["display_name"]
        ):
            continue
        items.append({k: copy.deepcopy(v) for k, v in a.items() if k != "timeouts"})
    return {
        **config,
        "subnets": apply_filters(items, config.get("filter")),
        "id": _list_id("CoreSubnets", comp, config.get("vcn_id")),
    }


def bucket(config: Attrs, world: w.WorldView) -> Attrs:
    for res in w.of_type(world, "oci_objectstorage_bucket"):
        a = res["attrs"]
        if (a.get("namespace"), a.get("name")) == (config.get("namespace"), config.get("name")):
            return {**{k: copy.deepcopy(v) for k, v in a.items() if k != "timeouts"}, **config}
    raise not_found("bucket", f"{config.get('namespace')}/{config.get('name')}")


READERS: dict[str, Callable[[Attrs, w.WorldView], Attrs]] = {
    "oci_identity_availability_domains": availability_domains,
    "oci_identity_availability_domain": availability_domain,
    "oci_objectstorage_namespace": namespace,
    "oci_core_services": core_services,
    "oci_core_vnic": vnic,
    "oci_container_instances_container_instance_shapes": container_instance_shapes,
    "oci_identity_tenancy": tenancy,
    "oci_identity_regions": regions,
    "oci_identity_region_subscriptions": region_subscriptions,
    "oci_identity_compartments": compartments,
    "oci_identity_compartment": compartment,
    "oci_core_subnet": by_id("oci_core_subnet", "subnet_id"),
    "oci_core_subnets": subnets,
    "oci_core_vcn": by_id("oci_core_vcn", "vcn_id"),
    "oci_container_instances_container_instance": by_id(
        "oci_container_instances_container_instance", "container_instance_id"
    ),
    "oci_apigateway_gateway": by_id("oci_apigateway_gateway", "gateway_id"),
    "oci_apigateway_deployment": by_id("oci_apigateway_deployment", "deployment_id"),
    "oci_objectstorage_bucket": bucket,
}

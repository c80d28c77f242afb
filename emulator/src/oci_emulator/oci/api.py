"""Entry points the emulator core calls: create / update / delete / read_data_source.

Values are plain Python as in the provider schema (nested blocks are lists of dicts). ``World``
(from ``world.py``) is the snapshot of the cloud the core passes in; the rules never mutate it.
Types without specific behaviour are not in ``RESOURCE_TYPES``/``DATA_SOURCE_TYPES``; calling
``create``/``update`` for them returns the attrs unchanged.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import apigateway, containers, iam_policy, network, storage
from .data_sources import READERS
from .errors import OciError
from .ocids import OCID_TYPES, new_ocid
from .world import World, WorldView

__all__ = [
    "DATA_SOURCE_TYPES",
    "OCID_TYPES",
    "RECOMPUTED_ON_UPDATE",
    "RESOURCE_TYPES",
    "OciError",
    "World",
    "create",
    "delete",
    "new_ocid",
    "read_data_source",
    "update",
]

Attrs = dict[str, Any]
Create = Callable[[Attrs, WorldView], Attrs]
Update = Callable[[Attrs, Attrs, WorldView], Attrs]
Delete = Callable[[Attrs, WorldView], None]


def _revalidate(create: Create) -> Update:
    """Updates that check the new attrs like a create, keeping the prior computed values."""

    def update(prior: Attrs, attrs: Attrs, world: WorldView) -> Attrs:
        merged = {k: (prior.get(k) if v is None else v) for k, v in attrs.items()}
        return create(merged, world)

    return update


def _nothing(attrs: Attrs, world: WorldView) -> None:
    return None


@dataclass(frozen=True)
class Rules:
    create: Create
    update: Update
    delete: Delete = _nothing


_RULES: dict[str, Rules] = {
    "oci_core_vcn": Rules(network.vcn_create, network.vcn_update, network.vcn_delete),
    "oci_core_subnet": Rules(network.subnet_create, network.subnet_update),
    "oci_core_internet_gateway": Rules(
        network.internet_gateway_create,
        _revalidate(network.internet_gateway_create),
        network.gateway_delete,
    ),
    "oci_core_nat_gateway": Rules(
        network.nat_gateway_create, network.nat_gateway_update, network.gateway_delete
    ),
    "oci_core_service_gateway": Rules(
        network.service_gateway_create,
        _revalidate(network.service_gateway_create),
        network.gateway_delete,
    ),
    "oci_core_route_table": Rules(
        network.route_table_create, _revalidate(network.route_table_create)
    ),
    "oci_core_security_list": Rules(
        network.security_list_create, _revalidate(network.security_list_create)
    ),
    "oci_core_dhcp_options": Rules(
        network.dhcp_options_create, _revalidate(network.dhcp_options_create)
    ),
    "oci_core_network_security_group": Rules(
        network.vcn_member_create, _revalidate(network.vcn_member_create)
    ),
    "oci_objectstorage_bucket": Rules(storage.create, storage.update, storage.delete),
    "oci_identity_policy": Rules(iam_policy.create, iam_policy.update),
    "oci_container_instances_container_instance": Rules(containers.create, containers.update),
    "oci_apigateway_gateway": Rules(
        apigateway.gateway_create, apigateway.gateway_update, apigateway.gateway_delete
    ),
    "oci_apigateway_deployment": Rules(apigateway.deployment_create, apigateway.deployment_update),
}

RESOURCE_TYPES: set[str] = set(_RULES)
# Computed-only attributes the service changes on every in-place update: the core plans them as
# "known after apply" so the values the rules compute reach the state (as the real provider
# refreshes them after an update).
RECOMPUTED_ON_UPDATE: dict[str, tuple[str, ...]] = {
    "oci_identity_policy": ("lastUpdateETag", "policyHash"),
    "oci_objectstorage_bucket": ("etag",),
    "oci_apigateway_gateway": ("time_updated",),
    "oci_apigateway_deployment": ("time_updated",),
    "oci_container_instances_container_instance": ("time_updated",),
}
DATA_SOURCE_TYPES: set[str] = set(READERS)


def create(type_: str, attrs: Attrs, world: WorldView) -> Attrs:
    """Validate a new resource (raise OciError) and return its attrs with computed values."""
    rules = _RULES.get(type_)
    return rules.create(copy.deepcopy(attrs), world) if rules else attrs


def update(type_: str, prior: Attrs, attrs: Attrs, world: WorldView) -> Attrs:
    rules = _RULES.get(type_)
    return rules.update(copy.deepcopy(prior), copy.deepcopy(attrs), world) if rules else attrs


def delete(type_: str, attrs: Attrs, world: WorldView) -> None:
    rules = _RULES.get(type_)
    if rules:
        rules.delete(attrs, world)


def read_data_source(type_: str, config: Attrs, world: WorldView) -> Attrs:
    reader = READERS.get(type_)
    if reader is None:
        raise OciError(
            400,
            "InvalidParameter",
            f"data source {type_} is not emulated (supported: {', '.join(sorted(READERS))})",
        )
    return reader(copy.deepcopy(config), world)

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

from . import (
    alarms,
    apigateway,
    apigw_certificates,
    budgets,
    containers,
    iam_policy,
    identity,
    kms,
    logs,
    network,
    nsg,
    objects,
    registry,
    storage,
)
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
# A delete may return the record that stays in the cloud (a reset default), else None.
Delete = Callable[[Attrs, WorldView], Any]


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


def _home_region_only(rules: Rules, deletes_call_oci: bool = True) -> Rules:
    """IAM writes (create, update, delete) answer 403 outside the tenancy's home region.

    ``deletes_call_oci=False``: the rules' delete decides (a compartment's destroy calls OCI only
    with enable_delete).
    """

    def create(attrs: Attrs, world: WorldView) -> Attrs:
        identity.require_home_region(world)
        return rules.create(attrs, world)

    def update(prior: Attrs, attrs: Attrs, world: WorldView) -> Attrs:
        identity.require_home_region(world)
        return rules.update(prior, attrs, world)

    def delete(attrs: Attrs, world: WorldView) -> Any:
        if deletes_call_oci:
            identity.require_home_region(world)
        return rules.delete(attrs, world)

    return Rules(create, update, delete)


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
        network.vcn_member_create, _revalidate(network.vcn_member_create), nsg.nsg_delete
    ),
    "oci_core_network_security_group_security_rule": Rules(nsg.rule_create, nsg.rule_update),
    "oci_core_default_security_list": Rules(
        network.default_security_list_create,
        _revalidate(network.default_security_list_create),
        network.default_security_list_delete,
    ),
    "oci_core_default_route_table": Rules(
        network.default_route_table_create,
        _revalidate(network.default_route_table_create),
        network.default_route_table_delete,
    ),
    "oci_objectstorage_bucket": Rules(storage.create, storage.update, storage.delete),
    "oci_objectstorage_object": Rules(
        objects.object_create, objects.object_update, objects.object_delete
    ),
    "oci_objectstorage_object_lifecycle_policy": Rules(
        objects.lifecycle_create, objects.lifecycle_update
    ),
    "oci_kms_vault": Rules(kms.vault_create, kms.vault_update),
    "oci_kms_key": Rules(kms.key_create, kms.key_update),
    "oci_logging_log_group": Rules(
        logs.log_group_create, logs.log_group_update, logs.log_group_delete
    ),
    "oci_logging_log": Rules(logs.log_create, logs.log_update),
    "oci_identity_policy": Rules(iam_policy.create, iam_policy.update, iam_policy.delete),
    "oci_identity_compartment": Rules(
        identity.compartment_create, identity.compartment_update, identity.compartment_delete
    ),
    "oci_identity_dynamic_group": Rules(
        identity.dynamic_group_create, _revalidate(identity.dynamic_group_create)
    ),
    "oci_identity_tag_namespace": Rules(
        identity.tag_namespace_create, _revalidate(identity.tag_namespace_create)
    ),
    "oci_identity_tag": Rules(identity.tag_create, _revalidate(identity.tag_create)),
    "oci_container_instances_container_instance": Rules(containers.create, containers.update),
    "oci_apigateway_gateway": Rules(
        apigateway.gateway_create, apigateway.gateway_update, apigateway.gateway_delete
    ),
    "oci_apigateway_deployment": Rules(apigateway.deployment_create, apigateway.deployment_update),
    "oci_apigateway_certificate": Rules(
        apigw_certificates.certificate_create,
        apigw_certificates.certificate_update,
        apigw_certificates.certificate_delete,
    ),
    "oci_budget_budget": Rules(budgets.budget_create, budgets.budget_update),
    "oci_budget_alert_rule": Rules(budgets.alert_rule_create, budgets.alert_rule_update),
    "oci_artifacts_container_repository": Rules(
        registry.repository_create, registry.repository_update
    ),
    "oci_monitoring_alarm": Rules(alarms.alarm_create, alarms.alarm_update),
    "oci_ons_notification_topic": Rules(
        alarms.topic_create, alarms.topic_update, alarms.topic_delete
    ),
    "oci_ons_subscription": Rules(alarms.subscription_create, alarms.subscription_update),
}

# IAM writes of every registered identity type go to the home region only.
_RULES = {
    name: _home_region_only(rules, name != "oci_identity_compartment")
    if name.startswith("oci_identity_")
    else rules
    for name, rules in _RULES.items()
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
    "oci_logging_log_group": ("time_last_modified",),
    "oci_logging_log": ("time_last_modified",),
    "oci_budget_budget": ("time_updated", "version"),
    "oci_budget_alert_rule": ("time_updated", "version"),
    "oci_monitoring_alarm": ("time_updated",),
}
DATA_SOURCE_TYPES: set[str] = set(READERS)


def create(type_: str, attrs: Attrs, world: WorldView) -> Attrs:
    """Validate a new resource (raise OciError) and return its attrs with computed values."""
    rules = _RULES.get(type_)
    return rules.create(copy.deepcopy(attrs), world) if rules else attrs


def update(type_: str, prior: Attrs, attrs: Attrs, world: WorldView) -> Attrs:
    rules = _RULES.get(type_)
    return rules.update(copy.deepcopy(prior), copy.deepcopy(attrs), world) if rules else attrs


def delete(type_: str, attrs: Attrs, world: WorldView) -> Any:
    """Check a delete (raise OciError); return the record left in the cloud, if any."""
    rules = _RULES.get(type_)
    return rules.delete(copy.deepcopy(attrs), world) if rules else None


def read_data_source(type_: str, config: Attrs, world: WorldView) -> Attrs:
    reader = READERS.get(type_)
    if reader is None:
        raise OciError(
            400,
            "InvalidParameter",
            f"data source {type_} is not emulated (supported: {', '.join(sorted(READERS))})",
        )
    return reader(copy.deepcopy(config), world)

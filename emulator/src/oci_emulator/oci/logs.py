"""Logging rules: log groups, and custom or service logs inside them.

From the Logging API reference (CreateLog, CreateLogGroup) and the provider's documentation:
display names are unique within the enclosing resource (the compartment for a log group, the
log group for a log); one log per (service, resource, category); retention in 30-day steps up to
180 days; service logs name their source. Status codes of the conflicts are unverified.
"""

from __future__ import annotations

from typing import Any

from . import world as w
from .errors import conflict, invalid
from .ocids import require_compartment

Attrs = dict[str, Any]
LOG_GROUP = "oci_logging_log_group"
LOG = "oci_logging_log"
LOG_TYPES = ("CUSTOM", "SERVICE")
RETENTION_DAYS = (30, 60, 90, 120, 150, 180)
MAX_DISPLAY_NAME = 255  # unverified: the API reference's usual display-name length
# Services whose logs the emulator checks: the resource a log names, and its categories
# (Logging "Supported Services"). Other services are accepted as given.
SERVICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "apigateway": ("oci_apigateway_deployment", ("access", "execution")),
    "objectstorage": ("oci_objectstorage_bucket", ("read", "write")),
}


def _display_name(kind: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_DISPLAY_NAME:
        raise invalid(
            f"{kind} display_name {value!r} is invalid (expected 1-{MAX_DISPLAY_NAME} characters)"
        )
    return value


# --- log groups ------------------------------------------------------------------------------


def log_group_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    compartment = require_compartment(
        "compartment_id", attrs.get("compartment_id"), world.tenancy_id
    )
    name = _display_name("log group", attrs.get("display_name"))
    for other in w.other(world, LOG_GROUP, attrs.get("id")):
        a = other["attrs"]
        if a.get("compartment_id") == compartment and a.get("display_name") == name:
            raise conflict(
                f"log group display_name {name!r} is already used by {other['id']} in "
                f"compartment {compartment}; log group names are unique per compartment"
            )
    attrs["time_last_modified"] = attrs.get("time_created") or w.now()
    w.fill_defaults(attrs, description="", defined_tags={}, freeform_tags={})
    return attrs


def log_group_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    attrs = log_group_create(attrs, world)
    attrs["time_created"] = prior.get("time_created")
    attrs["time_last_modified"] = w.now()
    return attrs


def log_group_delete(attrs: Attrs, world: w.WorldView) -> None:
    for log in w.of_type(world, LOG):
        if log["attrs"].get("log_group_id") == attrs.get("id"):
            raise conflict(
                f"log group {attrs.get('id')} still contains log {log['id']} "
                f"({log['attrs'].get('display_name')!r}); delete its logs first"
            )


# --- logs ------------------------------------------------------------------------------------


def _source(attrs: Attrs, world: w.WorldView) -> tuple[str, str, str] | None:
    """The (service, resource, category) a service log reads, after checking it."""
    configs = attrs.get("configuration") or []
    if attrs["log_type"] == "CUSTOM":
        return None
    if not configs or not (configs[0].get("source") or []):
        raise invalid(
            'log_type SERVICE needs configuration { source { source_type = "OCISERVICE", '
            "service, resource, category } }"
        )
    source = configs[0]["source"][0]
    if source.get("source_type") != "OCISERVICE":
        raise invalid(
            f"configuration.source.source_type {source.get('source_type')!r} is invalid "
            "(expected OCISERVICE)"
        )
    service, resource, category = (source.get(k) for k in ("service", "resource", "category"))
    if service in SERVICES:
        tf_type, categories = SERVICES[service]
        if category not in categories:
            raise invalid(
                f"configuration.source.category {category!r} is not a log category of "
                f"service {service} (expected one of: {', '.join(categories)})"
            )
        if tf_type == "oci_objectstorage_bucket":
            if not any(
                b["attrs"].get("name") == resource
                for b in w.of_type(world, "oci_objectstorage_bucket")
            ):
                raise invalid(f"configuration.source.resource: bucket {resource!r} not found")
        else:
            w.require(world, "configuration.source.resource", resource, tf_type)
    return str(service), str(resource), str(category)


def log_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    group = w.require(world, "log_group_id", attrs.get("log_group_id"), LOG_GROUP)
    name = _display_name("log", attrs.get("display_name"))
    log_type = attrs.get("log_type")
    if log_type not in LOG_TYPES:
        raise invalid(f"log_type {log_type!r} is invalid (expected CUSTOM or SERVICE)")
    retention = attrs.get("retention_duration")
    if retention is not None and retention not in RETENTION_DAYS:
        raise invalid(
            f"retention_duration {retention!r} is invalid (expected 30-day steps from 30 to "
            f"180: {', '.join(map(str, RETENTION_DAYS))})"
        )
    source = _source(attrs, world)
    for other in w.other(world, LOG, attrs.get("id")):
        a = other["attrs"]
        if a.get("log_group_id") == group["id"] and a.get("display_name") == name:
            raise conflict(
                f"log display_name {name!r} is already used by {other['id']} in log group "
                f"{group['id']}"
            )
        if source is not None and _source_of(a) == source:
            raise conflict(
                f"a log for service {source[0]}, resource {source[1]}, category "
                f"{source[2]} already exists ({other['id']}); one log per source"
            )
    compartment = group["attrs"].get("compartment_id")
    for config in attrs.get("configuration") or []:
        w.fill_defaults(config, compartment_id=compartment)
        for src in config.get("source") or []:
            w.fill_defaults(src, parameters={})
    attrs.update(compartment_id=compartment, tenancy_id=world.tenancy_id)
    attrs["time_last_modified"] = attrs.get("time_created") or w.now()
    w.fill_defaults(
        attrs, is_enabled=True, retention_duration=30, defined_tags={}, freeform_tags={}
    )
    return attrs


def _source_of(attrs: Attrs) -> tuple[str, str, str] | None:
    for config in attrs.get("configuration") or []:
        for src in config.get("source") or []:
            return (str(src.get("service")), str(src.get("resource")), str(src.get("category")))
    return None


def log_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    attrs = log_create(attrs, world)
    attrs["time_created"] = prior.get("time_created")
    attrs["time_last_modified"] = w.now()
    return attrs

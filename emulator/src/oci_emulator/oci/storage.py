"""Object Storage bucket rules: names, namespace, versioning, tiers, access types, keys."""

from __future__ import annotations

import re
from typing import Any

from . import propagation, retention
from . import world as w
from .errors import OciError, conflict, invalid
from .iam_policy import Need, service_allowed, service_grant_pending
from .objects import contents
from .ocids import new_ocid, require_compartment, require_ocid

Attrs = dict[str, Any]

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,256}$")
STORAGE_TIERS = ("Standard", "Archive")
ACCESS_TYPES = ("NoPublicAccess", "ObjectRead", "ObjectReadWithoutList")
AUTO_TIERING = ("Disabled", "InfrequentAccess")
KEY_NEED = Need("use", frozenset({"keys", "kms-family"}), "KEY_")


def bucket_key(namespace: str, name: str) -> str:
    """The provider's id for a bucket (not an OCID)."""
    return f"n/{namespace}/b/{name}"


def _one_of(field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise invalid(f"{field} {value!r} is invalid (expected one of: {', '.join(allowed)})")


def _validate(attrs: Attrs, world: w.WorldView, prior: Attrs | None = None) -> None:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    name = attrs.get("name")
    if not isinstance(name, str) or not _NAME.match(name):
        raise invalid(
            f"bucket name {name!r} is invalid (expected 1-256 letters, digits, '-', '_' or '.')"
        )
    namespace = attrs.get("namespace")
    if namespace != world.namespace:
        raise OciError(
            404,
            "NamespaceNotFound",
            f"namespace {namespace!r} does not exist or is not this tenancy's "
            f"namespace ({world.namespace})",
        )
    _one_of("storage_tier", attrs.get("storage_tier") or "Standard", STORAGE_TIERS)
    _one_of("access_type", attrs.get("access_type") or "NoPublicAccess", ACCESS_TYPES)
    _one_of("auto_tiering", attrs.get("auto_tiering") or "Disabled", AUTO_TIERING)
    # The key is checked when it is set: an unchanged key is not re-checked on other updates.
    if attrs.get("kms_key_id") is not None and attrs["kms_key_id"] != (prior or {}).get(
        "kms_key_id"
    ):
        _check_key(require_ocid("kms_key_id", attrs["kms_key_id"], "key"), world)
    retention.check_rules(
        list((prior or {}).get("retention_rules") or []),
        list(attrs.get("retention_rules") or []),
        attrs.get("versioning"),
    )


def _check_key(key_id: str, world: w.WorldView) -> None:
    """A customer-managed key must exist and the Object Storage service must be allowed to use
    it; OCI answers both failures with 404 NotAuthorizedOrFoundKmsKey (provider issue #1514)."""
    principal = f"objectstorage-{world.region}"
    key = w.find(world, key_id)
    if key is None or key["type"] != "oci_kms_key":
        raise OciError(
            404,
            "NotAuthorizedOrFoundKmsKey",
            f"kms_key_id {key_id} does not exist or is not authorized (no oci_kms_key with "
            "this OCID in the tenancy)",
        )
    compartment = str(key["attrs"].get("compartment_id"))
    variables = {"target.key.id": key_id}
    if not service_allowed(world, principal, KEY_NEED, compartment, variables):
        # A grant still propagating is refused as a missing one (OCI cannot tell them apart).
        pending = service_grant_pending(world, principal, KEY_NEED, compartment, variables)
        raise OciError(
            404,
            "NotAuthorizedOrFoundKmsKey",
            f"kms_key_id {key_id}: the service {principal} is not authorized to use this key; "
            + (
                f"it needs a policy such as: Allow service {principal} to use keys in "
                f"compartment id {compartment} where target.key.id = '{key_id}'"
                if pending is None
                else propagation.pending_note(world, pending)
            ),
        )


def create(attrs: Attrs, world: w.WorldView) -> Attrs:
    _validate(attrs, world)
    name, namespace = attrs["name"], attrs["namespace"]
    # Every bucket already in the cloud counts: a bucket's id is its name, so a second bucket of
    # the same name arrives with the first one's id.
    for other in w.of_type(world, "oci_objectstorage_bucket"):
        if (other["attrs"].get("namespace"), other["attrs"].get("name")) == (namespace, name):
            raise conflict(
                f"Either the bucket {name!r} in namespace {namespace!r} already "
                "exists or you are not authorized to create it",
                code="BucketAlreadyExists",
            )
    versioning = attrs.get("versioning") or "Disabled"
    _one_of("versioning", versioning, ("Enabled", "Disabled"))
    created = attrs.get("time_created") or w.now()
    for rule in attrs.get("retention_rules") or []:
        # Format unverified; keep an id the core already made for this nested block.
        rule["retention_rule_id"] = rule.get("retention_rule_id") or w.etag()
        rule["time_created"] = rule["time_modified"] = created
    attrs.update(
        id=bucket_key(namespace, name),
        bucket_id=new_ocid("bucket", world.region),
        versioning=versioning,
        etag=w.etag(),
        created_by=f"ocid1.user.oc1..aaaaaaaa{w.digest(world.tenancy_id, length=52)}",
        time_created=created,
        approximate_count="0",
        approximate_size="0",
        is_read_only=False,
        replication_enabled=False,
        object_lifecycle_policy_etag=None,
    )
    _defaults(attrs)
    return attrs


def _defaults(attrs: Attrs) -> None:
    w.fill_defaults(
        attrs,
        storage_tier="Standard",
        access_type="NoPublicAccess",
        auto_tiering="Disabled",
        object_events_enabled=False,
        is_bucket_key_enabled=False,
        defined_tags={},
        freeform_tags={},
    )


def update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    _validate(attrs, world, prior)
    before, after = prior.get("versioning") or "Disabled", attrs.get("versioning") or "Disabled"
    allowed = {
        "Disabled": ("Disabled", "Enabled"),
        "Enabled": ("Enabled", "Suspended"),
        "Suspended": ("Suspended", "Enabled"),
    }[before]
    if after not in allowed:
        raise invalid(
            f"versioning cannot change from {before} to {after!r} "
            f"(allowed: {', '.join(allowed)}; once enabled it can only be suspended)"
        )
    if (attrs["name"], attrs["namespace"]) != (prior.get("name"), prior.get("namespace")):
        for other in w.of_type(world, "oci_objectstorage_bucket"):
            if (other["attrs"].get("namespace"), other["attrs"].get("name")) == (
                attrs["namespace"],
                attrs["name"],
            ) and other["attrs"].get("bucket_id") != prior.get("bucket_id"):
                raise conflict(
                    f"bucket {attrs['name']!r} already exists in namespace {attrs['namespace']!r}",
                    code="BucketAlreadyExists",
                )
    for key in (
        "bucket_id",
        "created_by",
        "time_created",
        "approximate_count",
        "approximate_size",
        "is_read_only",
        "replication_enabled",
    ):
        attrs[key] = prior.get(key)
    attrs["id"] = bucket_key(attrs["namespace"], attrs["name"])
    attrs["versioning"] = after
    attrs["etag"] = w.etag()
    _defaults(attrs)
    return attrs


def delete(attrs: Attrs, world: w.WorldView) -> None:
    held = contents(world, attrs.get("namespace"), attrs.get("name"))
    if held:
        raise conflict(
            f"Bucket named '{attrs.get('name')}' is not empty. Delete all object versions "
            f"first. ({len(held)} objects or previous versions)",
            code="BucketNotEmpty",
        )

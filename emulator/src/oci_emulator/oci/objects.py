"""What buckets hold: objects and their previous versions, and object lifecycle policies.

Objects are cloud records of type ``oci_objectstorage_object`` keyed like the provider's ids
(``n/<ns>/b/<bucket>/o/<name>``), whether Terraform made them or ``put`` did (the harness's
stand-in for a program writing to the bucket). In a versioned bucket, overwriting or deleting an
object keeps the replaced one as a previous version (records of ``VERSION``), which counts
against deleting the bucket until removed.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from pathlib import Path
from typing import Any

from . import propagation, retention
from . import world as w
from .errors import OciError, invalid, limit_exceeded
from .iam_policy import Need, service_allowed, service_grant_pending

Attrs = dict[str, Any]
BUCKET = "oci_objectstorage_bucket"
OBJECT = "oci_objectstorage_object"
VERSION = "objectstorage_object_version"  # internal: no Terraform type reads these
LIFECYCLE = "oci_objectstorage_object_lifecycle_policy"
MAX_OBJECT_NAME = 1024
# Lifecycle rules: actions per target, from the API's ObjectLifecycleRule.
TARGET_ACTIONS = {
    "objects": ("ARCHIVE", "INFREQUENT_ACCESS", "DELETE"),
    "previous-object-versions": ("ARCHIVE", "INFREQUENT_ACCESS", "DELETE"),
    "multipart-uploads": ("ABORT",),
}
TIME_UNITS = ("DAYS", "YEARS")
MAX_LIFECYCLE_RULES = 1000  # "Using Object Lifecycle Management": up to 1,000 rules
MAX_GLOB = 1024  # ObjectNameFilter: glob patterns are 1-1024 characters
LIFECYCLE_NEED = Need("manage", frozenset({"object-family", "objects"}), "OBJECT_")


def object_key(namespace: str, bucket: str, name: str) -> str:
    return f"n/{namespace}/b/{bucket}/o/{name}"


def find_bucket(world: w.WorldView, namespace: object, name: object) -> w.Resource:
    """The bucket, or OCI's 404 BucketNotFound."""
    for bucket in w.of_type(world, BUCKET):
        if (bucket["attrs"].get("namespace"), bucket["attrs"].get("name")) == (namespace, name):
            return bucket
    raise OciError(
        404,
        "BucketNotFound",
        f"Either the bucket named '{name}' does not exist in the namespace '{namespace}' or you "
        "are not authorized to access it",
    )


def _versioned(bucket: w.Resource) -> bool:
    return bucket["attrs"].get("versioning") in ("Enabled", "Suspended")


def contents(world: w.WorldView, namespace: object, bucket: object) -> list[w.Resource]:
    """Objects and previous versions in a bucket."""
    return [
        r
        for r in world.resources.values()
        if r["type"] in (OBJECT, VERSION)
        and (r["attrs"].get("namespace"), r["attrs"].get("bucket")) == (namespace, bucket)
    ]


def _retire(world: w.WorldView, bucket: w.Resource, current: w.Resource) -> None:
    """Keep the object being replaced or deleted as a previous version, if the bucket versions."""
    if not _versioned(bucket):
        return
    attrs = dict(current["attrs"])
    version = attrs.get("version_id") or str(uuid.uuid4())
    w.keep(world, VERSION, f"{current['id']}?versionId={version}", attrs)


def _describe(data: bytes) -> Attrs:
    return {
        "content_length": str(len(data)),
        "content_md5": base64.b64encode(hashlib.md5(data).digest()).decode(),  # noqa: S324 - OCI's Content-MD5
        "version_id": str(uuid.uuid4()),
        # Last-Modified: retention rules keep an object for their duration from it.
        "modified_at": time.time(),
    }


def put(world: w.WorldView, namespace: str, bucket_name: str, name: str, data: bytes) -> Attrs:
    """Write an object as a client would (not through Terraform); returns its attrs."""
    bucket = find_bucket(world, namespace, bucket_name)
    _check_name(name)
    key = object_key(namespace, bucket_name, name)
    if key in world.resources:
        retention.check_change(bucket, world.resources[key]["attrs"], "overwrite")
        _retire(world, bucket, world.resources[key])
    attrs: Attrs = {
        "id": key,
        "namespace": namespace,
        "bucket": bucket_name,
        "object": name,
        "content_type": "application/octet-stream",
        "storage_tier": bucket["attrs"].get("storage_tier") or "Standard",
        "state": "AVAILABLE",
        **_describe(data),
    }
    w.keep(world, OBJECT, key, attrs)
    return attrs


def remove(world: w.WorldView, namespace: str, bucket_name: str, name: str) -> None:
    """Delete an object as a client would: a versioned bucket keeps it as a previous version."""
    bucket = find_bucket(world, namespace, bucket_name)
    key = object_key(namespace, bucket_name, name)
    current = world.resources.get(key)
    if current is None or current["type"] != OBJECT:
        raise OciError(
            404,
            "ObjectNotFound",
            f"The object '{name}' was not found in the bucket '{bucket_name}'",
        )
    retention.check_change(bucket, current["attrs"], "delete")
    _retire(world, bucket, current)
    w.drop(world, key)


def empty(world: w.WorldView, namespace: str, bucket_name: str) -> int:
    """Remove every object and previous version (what "empty the bucket" does); the count."""
    bucket = find_bucket(world, namespace, bucket_name)
    held = contents(world, namespace, bucket_name)
    for record in held:
        retention.check_change(bucket, record["attrs"], "delete")
        w.drop(world, record["id"])
    return len(held)


# --- oci_objectstorage_object ----------------------------------------------------------------


def _check_name(name: object) -> None:
    if not isinstance(name, str) or not name or len(name.encode()) > MAX_OBJECT_NAME:
        raise invalid(
            f"object name {name!r} is invalid (expected 1-{MAX_OBJECT_NAME} bytes of UTF-8)"
        )


def _data(attrs: Attrs) -> bytes:
    if attrs.get("content") is not None:
        return str(attrs["content"]).encode()
    source = attrs.get("source")
    if isinstance(source, str) and Path(source).is_absolute() and Path(source).is_file():
        return Path(source).read_bytes()
    return b""


def object_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    bucket = find_bucket(world, attrs.get("namespace"), attrs.get("bucket"))
    _check_name(attrs.get("object"))
    key = object_key(attrs["namespace"], attrs["bucket"], attrs["object"])
    if key in world.resources and world.resources[key]["type"] == OBJECT:
        retention.check_change(bucket, world.resources[key]["attrs"], "overwrite")
        _retire(world, bucket, world.resources[key])
    described = _describe(_data(attrs))
    md5 = attrs.get("content_md5")
    if md5 is not None and md5 != described["content_md5"]:
        raise invalid(
            f"content_md5 {md5!r} does not match the content (its MD5 is "
            f"{described['content_md5']})"
        )
    attrs.update(
        content_length=described["content_length"],
        content_md5=described["content_md5"],
        version_id=described["version_id"],
        work_request_id=None,
        state="AVAILABLE",
    )
    w.fill_defaults(
        attrs,
        content_type="application/octet-stream",
        storage_tier=bucket["attrs"].get("storage_tier") or "Standard",
        opc_sse_kms_key_id=bucket["attrs"].get("kms_key_id"),
    )
    return attrs


def object_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    find_bucket(world, attrs.get("namespace"), attrs.get("bucket"))
    for key in ("content_length", "content_md5", "version_id", "work_request_id", "state"):
        attrs[key] = prior.get(key)
    return attrs


def object_delete(attrs: Attrs, world: w.WorldView) -> None:
    """As the provider does: delete the object, or every version of it when asked to."""
    key = str(attrs.get("id"))
    buckets = [
        b
        for b in w.of_type(world, BUCKET)
        if (b["attrs"].get("namespace"), b["attrs"].get("name"))
        == (attrs.get("namespace"), attrs.get("bucket"))
    ]
    if attrs.get("delete_all_object_versions"):
        for record in contents(world, attrs.get("namespace"), attrs.get("bucket")):
            if record["type"] == VERSION and record["attrs"].get("object") == attrs.get("object"):
                if buckets:
                    retention.check_change(buckets[0], record["attrs"], "delete")
                w.drop(world, record["id"])
        return
    current = world.resources.get(key)
    if current is not None and buckets:
        retention.check_change(buckets[0], current["attrs"], "delete")
        _retire(world, buckets[0], current)


# --- oci_objectstorage_object_lifecycle_policy -----------------------------------------------


def _lifecycle_rule(rule: Attrs) -> None:
    name = rule.get("name")
    target = rule.get("target") or "objects"
    if target not in TARGET_ACTIONS:
        raise invalid(
            f"rules {name!r}: target {target!r} is invalid "
            f"(expected one of: {', '.join(TARGET_ACTIONS)})"
        )
    action = rule.get("action")
    if action not in TARGET_ACTIONS[target]:
        raise invalid(
            f"rules {name!r}: action {action!r} is invalid for target {target} "
            f"(expected one of: {', '.join(TARGET_ACTIONS[target])})"
        )
    unit = rule.get("time_unit")
    if unit not in TIME_UNITS:
        raise invalid(f"rules {name!r}: time_unit {unit!r} is invalid (expected DAYS or YEARS)")
    try:
        amount = int(str(rule.get("time_amount")))
    except ValueError:
        amount = 0
    if amount < 1:
        raise invalid(
            f"rules {name!r}: time_amount {rule.get('time_amount')!r} must be a whole "
            "number of at least 1"
        )
    rule["target"] = target
    for name_filter in rule.get("object_name_filter") or []:
        for field in ("inclusion_patterns", "exclusion_patterns", "inclusion_prefixes"):
            for pattern in name_filter.get(field) or []:
                if not 1 <= len(pattern) <= MAX_GLOB:
                    raise invalid(
                        f"rules {name!r}: object_name_filter.{field} {pattern!r} must be "
                        f"1-{MAX_GLOB} characters"
                    )
            w.fill_defaults(name_filter, **{field: []})


def lifecycle_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    bucket = find_bucket(world, attrs.get("namespace"), attrs.get("bucket"))
    rules = attrs.get("rules") or []
    if len(rules) > MAX_LIFECYCLE_RULES:
        raise limit_exceeded(
            f"lifecycle policy has {len(rules)} rules (limit {MAX_LIFECYCLE_RULES})"
        )
    seen: set[str] = set()
    for rule in rules:
        if rule.get("name") in seen:
            raise invalid(f"rules name {rule.get('name')!r} is used by two rules of the policy")
        seen.add(rule.get("name"))
        _lifecycle_rule(rule)
    principal = f"objectstorage-{world.region}"
    compartment = str(bucket["attrs"].get("compartment_id"))
    variables = {"target.bucket.name": str(bucket["attrs"].get("name"))}
    if not service_allowed(world, principal, LIFECYCLE_NEED, compartment, variables):
        # A grant still propagating is refused as a missing one (OCI cannot tell them apart).
        pending = service_grant_pending(world, principal, LIFECYCLE_NEED, compartment, variables)
        hint = (
            f" (Lifecycle policies need a policy such as: Allow service {principal} to manage "
            f"object-family in compartment id {compartment})"
            if pending is None
            else f" ({propagation.pending_note(world, pending)})"
        )
        raise OciError(
            400,
            "InsufficientServicePermissions",
            f'Permissions granted to the object storage service principal "{principal}" to '
            f"this bucket are insufficient.{hint}",
        )
    attrs["time_created"] = attrs.get("time_created") or w.now()
    return attrs


def lifecycle_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    attrs = lifecycle_create(attrs, world)
    attrs["time_created"] = prior.get("time_created") or attrs["time_created"]
    return attrs

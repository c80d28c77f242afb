"""Object Storage's data plane for a resource principal: objects in buckets, put / get / head /
list / delete, each call decided against the policies in the cloud (``authz``).

The cloud records objects as ``objects.py`` does (versioned buckets keep previous versions); the
bytes live beside the cloud in a content-addressed directory (``blobs``), so the JSON store stays
small. Paths and answers follow the Object Storage API (``/n/{namespace}/b/{bucket}/o/{object}``);
what is not served answers 404 ``NotFound`` naming the operation.

A call the policies do not grant answers what Object Storage answers for a bucket the caller
may not use, whether it exists or not: 404 ``BucketNotFound`` "Either the bucket named '…' does
not exist in the namespace '…' or you are not authorized to access it" (oracle/oci-java-sdk issue
#113, a PutObject without the overwrite permission). The emulator appends the permission that was
missing, or when the grant takes effect if it is still propagating.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from . import authz, objects, propagation, retention
from . import world as w
from .errors import OciError

Headers = dict[str, str]


@dataclass
class Request:
    method: str
    path: str  # raw (percent-encoded) path
    query: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    body: bytes = b""


@dataclass
class Response:
    status: int
    headers: Headers = field(default_factory=dict)
    body: bytes = b""


def error(err: OciError) -> Response:
    body = json.dumps({"code": err.code, "message": err.message}).encode()
    return Response(err.status, {"content-type": "application/json"}, body)


class Blobs:
    """Object bytes by SHA-256, under the cloud's directory."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        path = self.directory / digest[:2] / digest
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(data)
            tmp.replace(path)
        return digest

    def get(self, digest: str) -> bytes:
        return (self.directory / digest[:2] / digest).read_bytes()


def _json(value: Any, status: int = 200) -> Response:
    return Response(status, {"content-type": "application/json"}, json.dumps(value).encode())


def _bucket_refused(namespace: str, bucket: str, why: str) -> OciError:
    return OciError(
        404,
        "BucketNotFound",
        f"Either the bucket named '{bucket}' does not exist in the namespace '{namespace}' or "
        f"you are not authorized to access it ({why})",
    )


def _authorize(
    world: w.WorldView,
    principal: authz.Principal,
    namespace: str,
    bucket_name: str,
    permission: str,
    object_name: str | None = None,
) -> w.Resource:
    """The bucket, if ``principal`` may do ``permission`` on it (or on ``object_name`` in it)."""
    try:
        bucket = objects.find_bucket(world, namespace, bucket_name)
    except OciError:
        raise _bucket_refused(namespace, bucket_name, "no such bucket") from None
    variables = {"target.bucket.name": bucket_name}
    if object_name is not None:
        variables["target.object.name"] = object_name
    target = authz.Target(str(bucket["attrs"].get("compartment_id")), variables)
    decision = authz.decide(world, principal, [permission], target)
    if not decision.allowed:
        why = (
            f"{permission} is not granted to {principal.type} {principal.id}"
            if decision.pending_s is None
            else propagation.pending_note(world, decision.pending_s)
        )
        raise _bucket_refused(namespace, bucket_name, why)
    return bucket


def _object_headers(attrs: Mapping[str, Any]) -> Headers:
    modified = float(attrs.get("modified_at") or time.time())
    return {
        "etag": str(attrs.get("etag") or attrs.get("version_id") or ""),
        "content-md5": str(attrs.get("content_md5") or ""),
        "content-type": str(attrs.get("content_type") or "application/octet-stream"),
        "content-length": str(attrs.get("content_length") or "0"),
        "last-modified": formatdate(modified, usegmt=True),
        "version-id": str(attrs.get("version_id") or ""),
        "archival-state": "Available",
        "storage-tier": str(attrs.get("storage_tier") or "Standard"),
    }


def _not_found_object(name: str, bucket: str) -> OciError:
    return OciError(
        404, "ObjectNotFound", f"The object '{name}' was not found in the bucket '{bucket}'"
    )


def _split(path: str) -> list[str]:
    return [unquote(p) for p in path.strip("/").split("/")] if path.strip("/") else []


def handle(
    store_world: Any,
    blobs: Blobs,
    principal: authz.Principal,
    request: Request,
) -> Response:
    """Serve one Object Storage call on ``store_world`` (a World in a transaction for writes)."""
    try:
        return _route(store_world, blobs, principal, request)
    except OciError as err:
        return error(err)


def is_write(request: Request) -> bool:
    return request.method in ("PUT", "POST", "DELETE")


def _route(world: Any, blobs: Blobs, principal: authz.Principal, request: Request) -> Response:
    parts = _split(request.path.split("?", 1)[0])
    method = request.method
    if parts == ["n"] and method == "GET":
        # GetNamespace: any authenticated caller learns its tenancy's namespace (unverified).
        return _json(world.namespace)
    if len(parts) < 4 or parts[0] != "n" or parts[2] != "b":
        raise OciError(404, "NotFound", f"{method} {request.path} is not an emulated operation")
    namespace, bucket_name = parts[1], parts[3]
    if namespace != world.namespace:
        raise OciError(
            404,
            "NamespaceNotFound",
            f"You do not have authorization to perform this request, or the requested resource "
            f"could not be found (namespace '{namespace}')",
        )
    rest = parts[4:]
    if not rest:
        permission = "BUCKET_INSPECT" if method == "HEAD" else "BUCKET_READ"
        bucket = _authorize(world, principal, namespace, bucket_name, permission)
        if method == "HEAD":
            return Response(200, {"etag": str(bucket["attrs"].get("etag") or "")})
        if method == "GET":
            return _json(_bucket_view(bucket["attrs"]))
    elif rest == ["o"] and method == "GET":
        _authorize(world, principal, namespace, bucket_name, "OBJECT_INSPECT")
        return _list(world, namespace, bucket_name, request.query)
    elif rest[0] == "o" and len(rest) >= 2:
        name = "/".join(rest[1:])
        return _object(world, blobs, principal, request, namespace, bucket_name, name)
    raise OciError(404, "NotFound", f"{method} {request.path} is not an emulated operation")


def _bucket_view(attrs: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "namespace": attrs.get("namespace"),
        "name": attrs.get("name"),
        "compartmentId": attrs.get("compartment_id"),
        "etag": attrs.get("etag"),
        "versioning": attrs.get("versioning"),
        "storageTier": attrs.get("storage_tier"),
        "publicAccessType": attrs.get("access_type"),
        "timeCreated": attrs.get("time_created"),
    }


def _list(world: Any, namespace: str, bucket: str, query: Mapping[str, str]) -> Response:
    prefix = query.get("prefix", "")
    start = query.get("start", "")
    limit = max(1, min(int(query.get("limit") or 1000), 1000))
    found = sorted(
        (
            r["attrs"]
            for r in objects.contents(world, namespace, bucket)
            if r["type"] == objects.OBJECT
            and str(r["attrs"].get("object")).startswith(prefix)
            and str(r["attrs"].get("object")) >= start
        ),
        key=lambda a: str(a.get("object")),
    )
    page, rest = found[:limit], found[limit:]
    return _json(
        {
            "objects": [
                {
                    "name": a.get("object"),
                    "size": int(a.get("content_length") or 0),
                    "md5": a.get("content_md5"),
                    "etag": a.get("etag") or a.get("version_id"),
                }
                for a in page
            ],
            "prefixes": [],
            "nextStartWith": rest[0].get("object") if rest else None,
        }
    )


def _object(
    world: Any,
    blobs: Blobs,
    principal: authz.Principal,
    request: Request,
    namespace: str,
    bucket_name: str,
    name: str,
) -> Response:
    key = objects.object_key(namespace, bucket_name, name)
    current = world.resources.get(key)
    if current is not None and current["type"] != objects.OBJECT:
        current = None
    method = request.method
    if method in ("GET", "HEAD"):
        _authorize(world, principal, namespace, bucket_name, "OBJECT_READ", name)
        if current is None:
            raise _not_found_object(name, bucket_name)
        headers = _object_headers(current["attrs"])
        if method == "HEAD":
            return Response(200, headers)
        digest = current["attrs"].get("data_sha256")
        data = blobs.get(digest) if digest else str(current["attrs"].get("content") or "").encode()
        return Response(200, headers, data)
    if method == "PUT":
        # PutObject needs OBJECT_CREATE for a new name, OBJECT_OVERWRITE to replace one.
        permission = "OBJECT_OVERWRITE" if current is not None else "OBJECT_CREATE"
        _authorize(world, principal, namespace, bucket_name, permission, name)
        attrs = objects.put(world, namespace, bucket_name, name, request.body)
        attrs["data_sha256"] = blobs.put(request.body)
        attrs["modified_at"] = time.time()
        attrs["etag"] = attrs["version_id"]
        attrs["content_type"] = request.headers.get("content-type") or "application/octet-stream"
        md5 = base64.b64encode(hashlib.md5(request.body).digest()).decode()  # noqa: S324 - OCI's Content-MD5
        return Response(
            200,
            {
                "etag": attrs["etag"],
                "opc-content-md5": md5,
                "last-modified": formatdate(attrs["modified_at"], usegmt=True),
                "version-id": attrs["version_id"],
            },
        )
    if method == "DELETE":
        version_id = request.query.get("versionId")
        permission = "OBJECT_VERSION_DELETE" if version_id else "OBJECT_DELETE"
        bucket = _authorize(world, principal, namespace, bucket_name, permission, name)
        if version_id:
            return _delete_version(world, bucket, key, name, version_id)
        if current is None:
            raise _not_found_object(name, bucket_name)
        objects.remove(world, namespace, bucket_name, name)  # a retention rule may refuse it
        return Response(204, {"version-id": str(current["attrs"].get("version_id") or "")})
    raise OciError(404, "NotFound", f"{method} on an object is not an emulated operation")


def _delete_version(
    world: Any, bucket: w.Resource, key: str, name: str, version_id: str
) -> Response:
    """DeleteObject with versionId: that version only, current or previous."""
    bucket_name = str(bucket["attrs"].get("name"))
    for record in objects.contents(world, bucket["attrs"].get("namespace"), bucket_name):
        attrs = record["attrs"]
        if attrs.get("object") == name and attrs.get("version_id") == version_id:
            retention.check_change(bucket, attrs, "delete")
            w.drop(world, record["id"])
            return Response(204, {"version-id": version_id})
    raise OciError(
        404,
        "ObjectNotFound",
        f"The object '{name}' (version {version_id}) was not found in the bucket '{bucket_name}'",
    )

"""The emulated cloud as the rules see it.

``World`` is the snapshot the emulator core hands to ``api.create``/``update``/``delete``/
``read_data_source``; the core may build this dataclass directly (``api.World``) or pass any object
with the same attributes. The rules only read it: every change goes back through returned attrs.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from .errors import OciError, not_found
from .ocids import OCID_TYPES, ocid_type, require_ocid

Resource = dict[str, Any]  # {"type": tf_type, "id": ocid, "attrs": {...}}


class WorldView(Protocol):
    region: str
    tenancy_id: str
    namespace: str
    resources: dict[str, Resource]
    compartment_parent: dict[str, str]


@dataclass
class World:
    region: str
    tenancy_id: str
    namespace: str
    resources: dict[str, Resource] = field(default_factory=dict)
    compartment_parent: dict[str, str] = field(default_factory=dict)


def of_type(world: WorldView, tf_type: str) -> Iterator[Resource]:
    """Every resource of ``tf_type`` the cloud holds."""
    return (r for r in world.resources.values() if r["type"] == tf_type)


def find(world: WorldView, ocid: str) -> Resource | None:
    resource = world.resources.get(ocid)
    if resource is not None:
        return resource
    # The core may key resources differently from their id (buckets: "n/<ns>/b/<name>").
    return next((r for r in world.resources.values() if r.get("id") == ocid), None)


def require(world: WorldView, field_name: str, ocid: object, *tf_types: str) -> Resource:
    """The resource ``ocid`` names; 400 when malformed or of the wrong type, 404 when absent."""
    expected = [OCID_TYPES[t] for t in tf_types]
    value = require_ocid(field_name, ocid, *expected)
    resource = find(world, value)
    if resource is None or (tf_types and resource["type"] not in tf_types):
        raise not_found(ocid_type(value) or field_name, value)
    return resource


def other(world: WorldView, tf_type: str, own_id: object) -> Iterator[Resource]:
    """Resources of ``tf_type`` except the one being changed."""
    return (r for r in of_type(world, tf_type) if r.get("id") != own_id)


def now() -> str:
    """A timestamp printed as the provider prints OCI's SDK times."""
    stamp = datetime.now(UTC)
    return stamp.strftime("%Y-%m-%d %H:%M:%S.") + f"{stamp.microsecond // 1000:03d} +0000 UTC"


def etag() -> str:
    return str(uuid.uuid4())


def digest(*parts: str, length: int = 8) -> str:
    """A short stable hex digest of ``parts`` (stable per tenancy/region across runs)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def default_namespace(tenancy_id: str) -> str:
    """An Object Storage namespace shaped like OCI's (12 lowercase letters and digits)."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    raw = hashlib.sha256(f"namespace/{tenancy_id}".encode()).digest()
    return alphabet[raw[0] % 26] + "".join(alphabet[b % 36] for b in raw[1:12])


def parent_of(world: WorldView, compartment: str) -> str | None:
    """The parent compartment; the tenancy (root) has none."""
    if compartment == world.tenancy_id:
        return None
    parent = world.compartment_parent.get(compartment)
    if parent is None:
        for res in of_type(world, "oci_identity_compartment"):
            if res["id"] == compartment:
                parent = res["attrs"].get("compartment_id")
                break
    return parent or world.tenancy_id


def ancestors(world: WorldView, compartment: str) -> list[str]:
    """``compartment`` then each parent up to the tenancy."""
    chain = [compartment]
    while (parent := parent_of(world, chain[-1])) is not None:
        if parent in chain:  # a cycle in a hand-written tree: stop rather than loop
            raise OciError(500, "InternalServerError", f"compartment cycle at {parent}")
        chain.append(parent)
    return chain

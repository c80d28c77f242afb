"""The emulated cloud as the rules see it.

``World`` (the core's, re-exported as ``api.World``) is the snapshot the emulator core hands to
``api.create``/``update``/``delete``/``read_data_source``; any object with the same attributes
(``WorldView``) will do. The rules read it, and change the resource asked for only through the
attrs they return. The one exception is ``keep``/``drop``: what a service creates or removes
beside that resource (a VCN's default security list, an object's previous versions). The core
saves the world only when the call succeeds, so a refused call changes nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any, Protocol

from oci_emulator.ocids import now as now  # re-exported: the rules stamp times with w.now()
from oci_emulator.store import World as World  # re-exported as api.World

from .errors import OciError, not_found
from .ocids import OCID_TYPES, ocid_type, require_ocid

Attrs = dict[str, Any]
Resource = dict[str, Any]  # {"type": tf_type, "id": ocid, "attrs": {...}}


class WorldView(Protocol):
    region: str
    home_region: str
    tenancy_id: str
    namespace: str
    resources: dict[str, Resource]
    compartment_parent: dict[str, str]
    statements_written: dict[str, dict[str, float]]


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


def keep(world: WorldView, tf_type: str, key: str, attrs: Attrs) -> None:
    """Record a companion resource the service made (see the module docstring)."""
    world.resources[key] = {"type": tf_type, "id": key, "attrs": attrs}


def drop(world: WorldView, key: str) -> None:
    world.resources.pop(key, None)


def other(world: WorldView, tf_type: str, own_id: object) -> Iterator[Resource]:
    """Resources of ``tf_type`` except the one being changed."""
    return (r for r in of_type(world, tf_type) if r.get("id") != own_id)


def etag() -> str:
    return str(uuid.uuid4())


def digest(*parts: str, length: int = 8) -> str:
    """A short stable hex digest of ``parts`` (stable per tenancy/region across runs)."""
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:length]


def fill_defaults(attrs: Attrs, **values: Any) -> None:
    """Defaults for optional+computed attributes the configuration left unset."""
    for key, value in values.items():
        if attrs.get(key) is None:
            attrs[key] = value


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

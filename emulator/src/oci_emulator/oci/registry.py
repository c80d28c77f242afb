"""Container Registry (OCIR) rules: container repositories (``oci_artifacts_container_repository``).

Sources, per rule:

- the repository name: the provider's ``internal/service/artifacts`` (``display_name`` required and
  ForceNew: a new name is a new repository; ``compartment_id`` updatable: a move) and Container
  Registry's "Creating a Repository" (a name may hold ``/``, which is one character of the name,
  not a hierarchy). Its characters: the image name grammar of the OCI distribution spec v1.0.1
  (``[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\\.|_|__|-+)[a-z0-9]+)*)*``), which every
  push or pull of ``<registry>/<namespace>/<name>`` must match; OCIR's own check of a create, and
  the 255-character limit, are unverified;
- one name per tenancy and region: the release note "Support for repositories in compartments"
  (2021-02-18: the name "must be unique across all compartments in the entire tenancy") and "About
  Repositories" (a repository exists within a region and tenancy); the status code is
  unverified;
- a repository with images may be deleted, its images with it ("Deleting a Repository");
- ``is_immutable`` ("Images cannot be overwritten in an immutable repository", provider
  documentation) is updatable (provider schema); whether OCI lets an immutable repository become
  mutable again is unverified (allowed here). Defaults (private, mutable) are unverified;
- the readme's formats: the API's ContainerRepositoryReadme (TEXT_MARKDOWN, TEXT_PLAIN).

The emulator's data plane runs images from the local Docker engine, so a repository is a record
only: pushes, image counts and immutability are not enforced on images.
"""

from __future__ import annotations

import re
from typing import Any

from . import world as w
from .errors import conflict, invalid
from .ocids import require_compartment

Attrs = dict[str, Any]
REPOSITORY = "oci_artifacts_container_repository"
MAX_NAME = 255  # unverified for OCIR (Artifact Registry's generic repositories: 1-255)
README_FORMATS = ("TEXT_MARKDOWN", "TEXT_PLAIN")
_COMPONENT = r"[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*"
_NAME = re.compile(rf"^{_COMPONENT}(?:/{_COMPONENT})*$")


def _region_key(ocid: object) -> str:
    """The region segment of a regional OCID (``ocid1.<type>.<realm>.<region>.<id>``)."""
    parts = str(ocid).split(".")
    return parts[3] if len(parts) > 4 else ""


def _name(value: object) -> str:
    if not isinstance(value, str) or not _NAME.match(value) or len(value) > MAX_NAME:
        raise invalid(
            f"display_name {value!r} is invalid (expected a repository name of 1-{MAX_NAME} "
            "characters: lowercase letters and digits, separated by '.', '_', '__' or dashes, "
            "in components joined by '/')"
        )
    return value


def repository_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    name = _name(attrs.get("display_name"))
    region = _region_key(attrs.get("id"))
    for other in w.other(world, REPOSITORY, attrs.get("id")):
        if other["attrs"].get("display_name") == name and _region_key(other["id"]) == region:
            raise conflict(
                f"container repository {name!r} already exists in this region's registry "
                f"({other['id']}, compartment {other['attrs'].get('compartment_id')}): repository "
                "names are unique across all compartments of the tenancy",
                code="NamespaceConflict",  # unverified: OCIR's error code
            )
    for readme in attrs.get("readme") or []:
        if readme.get("format") not in README_FORMATS:
            raise invalid(
                f"readme format {readme.get('format')!r} is invalid (expected TEXT_MARKDOWN or "
                "TEXT_PLAIN)"
            )
    w.fill_defaults(
        attrs,
        is_immutable=False,  # unverified default
        is_public=False,  # unverified default
        defined_tags={},
        freeform_tags={},
    )
    attrs.update(
        namespace=world.namespace,
        state="AVAILABLE",
        system_tags=attrs.get("system_tags") or {},
        image_count=attrs.get("image_count") or 0,
        layer_count=attrs.get("layer_count") or 0,
        layers_size_in_bytes=attrs.get("layers_size_in_bytes") or "0",
        billable_size_in_gbs=attrs.get("billable_size_in_gbs") or "0",
        # unverified: the creator's OCID; the emulator has no calling user.
        created_by=attrs.get("created_by")
        or f"ocid1.user.oc1..aaaaaaaa{w.digest(name, length=52)}",
    )
    return attrs


def repository_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    merged = {k: (prior.get(k) if v is None else v) for k, v in attrs.items()}
    for kept in ("time_created", "time_last_pushed", "created_by", "image_count", "layer_count"):
        merged[kept] = prior.get(kept)
    return repository_create(merged, world)

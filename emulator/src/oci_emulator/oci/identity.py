"""IAM writes: home region only, compartments, dynamic groups, tag namespaces and tags.

IAM is global to the tenancy but written only through the home region's endpoint; any other
region answers ``403-NotAllowed`` (provider issue #1596, Oracle's "Managing Regions" page).
Policies (``iam_policy.py``) go through the same check in ``api.py``.
"""

from __future__ import annotations

import re
from typing import Any

from . import world as w
from .errors import OciError, conflict, invalid
from .ocids import require_compartment
from .regions import region_key

Attrs = dict[str, Any]
# IAM object names: letters, digits, '.', '-', '_' (policies also allow spaces), 1-100 characters.
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
MAX_DESCRIPTION = 400
# Tag namespace and tag key names: at most 100 characters, no period or space (a defined tag is
# written <namespace>.<key>): "Creating a Tag Namespace", "Creating a Tag Key Definition"
# (Oracle's IAM docs). Other characters are not listed there and are let through.
_TAG_NAME = re.compile(r"^[^.\s]{1,100}$")


def require_home_region(world: w.WorldView) -> None:
    """403 NotAllowed when the call's region is not the tenancy's home region."""
    if world.region != world.home_region:
        raise OciError(
            403,
            "NotAllowed",
            f"Please go to your home region {region_key(world.home_region)} to execute "
            "CREATE, UPDATE and DELETE operations.",
        )


def check_name(kind: str, name: object, pattern: re.Pattern[str] = _NAME) -> str:
    if not isinstance(name, str) or not pattern.match(name):
        raise invalid(
            f"{kind} name {name!r} is invalid (expected 1-100 letters, digits, '.', '-' or '_')"
        )
    return name


def check_description(kind: str, description: object) -> None:
    if description is None:
        raise invalid(f"{kind} description is required")
    if not isinstance(description, str) or len(description) > MAX_DESCRIPTION:
        raise invalid(
            f"{kind} description is {len(str(description))} characters, "
            f"at most {MAX_DESCRIPTION} allowed"
        )


def _tags(attrs: Attrs) -> None:
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={})


# --- compartments ----------------------------------------------------------------------------


def compartment_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    parent = attrs.get("compartment_id") or world.tenancy_id
    require_compartment("compartment_id", parent, world.tenancy_id)
    name = check_name("compartment", attrs.get("name"))
    check_description("compartment", attrs.get("description"))
    for sibling in w.other(world, "oci_identity_compartment", attrs.get("id")):
        a = sibling["attrs"]
        if a.get("compartment_id") == parent and a.get("name") == name:
            if attrs.get("enable_delete"):
                raise conflict(
                    f"compartment {name!r} already exists in {parent} ({sibling['id']}); "
                    "with enable_delete = true the provider does not import it"
                )
            # The provider answers the 409 by importing the existing compartment.
            attrs.update(
                {k: v for k, v in a.items() if k not in ("enable_delete", "timeouts")},
                id=sibling["id"],
                description=attrs["description"],
            )
            return attrs
    attrs["compartment_id"] = parent
    attrs.update(is_accessible=True, inactive_state=None)
    _tags(attrs)
    return attrs


def compartment_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    check_name("compartment", attrs.get("name"))
    check_description("compartment", attrs.get("description"))
    attrs["compartment_id"] = attrs.get("compartment_id") or prior.get("compartment_id")
    return attrs


def compartment_delete(attrs: Attrs, world: w.WorldView) -> Attrs | None:
    """Without enable_delete the provider forgets the compartment but leaves it in the cloud
    (and calls no API, so any region will do)."""
    if attrs.get("enable_delete"):
        require_home_region(world)
        for res in world.resources.values():
            if res["id"] != attrs.get("id") and res["attrs"].get("compartment_id") == attrs["id"]:
                raise conflict(
                    f"compartment {attrs['id']} still holds {res['type']} {res['id']}; "
                    "delete it first"
                )
        return None
    return {"type": "oci_identity_compartment", "id": attrs["id"], "attrs": attrs}


# --- dynamic groups and tags -----------------------------------------------------------------


def dynamic_group_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    if attrs["compartment_id"] != world.tenancy_id:
        raise invalid(
            f"dynamic group compartment_id {attrs['compartment_id']} must be the tenancy "
            f"({world.tenancy_id})"
        )
    name = check_name("dynamic group", attrs.get("name"))
    check_description("dynamic group", attrs.get("description"))
    rule = attrs.get("matching_rule")
    if not isinstance(rule, str) or not rule.strip():
        raise invalid("dynamic group matching_rule is required (e.g. ALL {resource.type='...'})")
    for other in w.other(world, "oci_identity_dynamic_group", attrs.get("id")):
        if str(other["attrs"].get("name")).lower() == name.lower():
            raise conflict(f"a dynamic group named {name!r} already exists ({other['id']})")
    attrs["inactive_state"] = None
    _tags(attrs)
    return attrs


def _check_tag_name(kind: str, name: object) -> str:
    if not isinstance(name, str) or not _TAG_NAME.match(name):
        raise invalid(
            f"{kind} name {name!r} is invalid (expected 1-100 characters, no period or space)"
        )
    return name


def tag_namespace_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    name = _check_tag_name("tag namespace", attrs.get("name"))
    check_description("tag namespace", attrs.get("description"))
    for other in w.other(world, "oci_identity_tag_namespace", attrs.get("id")):
        if str(other["attrs"].get("name")).lower() == name.lower():
            raise conflict(f"a tag namespace named {name!r} already exists ({other['id']})")
    w.fill_defaults(attrs, is_retired=False)
    _tags(attrs)
    return attrs


def tag_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    namespace = w.require(
        world, "tag_namespace_id", attrs.get("tag_namespace_id"), "oci_identity_tag_namespace"
    )
    name = _check_tag_name("tag", attrs.get("name"))
    check_description("tag", attrs.get("description"))
    for other in w.other(world, "oci_identity_tag", attrs.get("id")):
        a = other["attrs"]
        if a.get("tag_namespace_id") == namespace["id"] and str(a.get("name")).lower() == (
            name.lower()
        ):
            raise conflict(f"tag {name!r} already exists in tag namespace {namespace['id']}")
    w.fill_defaults(attrs, is_retired=False, is_cost_tracking=False, validator=[])
    _tags(attrs)
    return attrs

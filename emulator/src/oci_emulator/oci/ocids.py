"""OCIDs as OCI's API checks them; making and parsing them is ``oci_emulator.ocids``."""

from __future__ import annotations

from oci_emulator import ocids
from oci_emulator.ocids import GLOBAL_OCID_TYPES, OCID_TYPES, ocid_type

from .errors import invalid, not_found
from .regions import region_key

__all__ = ["OCID_TYPES", "new_ocid", "ocid_type", "require_compartment", "require_ocid"]


def new_ocid(resource_type: str, region: str) -> str:
    """A fresh OCID for an OCID resource type ("vcn") in ``region``; 400 for an unknown region."""
    if resource_type not in GLOBAL_OCID_TYPES:
        region_key(region)
    return ocids.new_ocid(resource_type, region)


def require_ocid(field: str, value: object, *types: str) -> str:
    """``value`` as a well-formed OCID of one of ``types`` (any type when none), else 400."""
    kind = ocid_type(value)
    if kind is None:
        raise invalid(
            f"{field} {value!r} is not a valid OCID "
            "(expected ocid1.<resource-type>.<realm>.[region].<unique-id>)"
        )
    if types and kind not in types:
        expected = " or ".join(f"ocid1.{t}.*" for t in types)
        raise invalid(f"{field} {value} is an OCID of type {kind!r}, expected {expected}")
    assert isinstance(value, str)
    return value


def require_compartment(field: str, value: object, tenancy_id: str) -> str:
    """A compartment id: ``ocid1.compartment.*`` or this tenancy's ``ocid1.tenancy.*``."""
    ocid = require_ocid(field, value, "compartment", "tenancy")
    if ocid_type(ocid) == "tenancy" and ocid != tenancy_id:
        raise not_found("tenancy", ocid)
    return ocid

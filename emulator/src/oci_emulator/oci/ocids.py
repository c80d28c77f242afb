"""OCID syntax: ``ocid1.<resource-type>.<realm>.[region][.future-use].<unique-id>``.

``OCID_TYPES`` maps each Terraform type to the resource-type segment OCI puts in its OCIDs;
``new_ocid`` makes one (the emulator core may use it for generic ids too).
"""

from __future__ import annotations

import re
import secrets
import string

from .errors import invalid, not_found
from .regions import region_key

OCID_TYPES: dict[str, str] = {
    "oci_apigateway_certificate": "apigatewaycertificate",
    "oci_apigateway_deployment": "apideployment",
    "oci_apigateway_gateway": "apigateway",
    "oci_artifacts_container_repository": "containerrepo",
    "oci_container_instances_container_instance": "computecontainerinstance",
    "oci_core_dhcp_options": "dhcpoptions",
    "oci_core_internet_gateway": "internetgateway",
    "oci_core_nat_gateway": "natgateway",
    "oci_core_network_security_group": "networksecuritygroup",
    "oci_core_route_table": "routetable",
    "oci_core_security_list": "securitylist",
    "oci_core_service_gateway": "servicegateway",
    "oci_core_subnet": "subnet",
    "oci_core_vcn": "vcn",
    "oci_identity_compartment": "compartment",
    "oci_identity_dynamic_group": "dynamicgroup",
    "oci_identity_policy": "policy",
    "oci_identity_tag": "tagdefinition",
    "oci_identity_tag_namespace": "tagnamespace",
    "oci_kms_key": "key",
    "oci_kms_vault": "vault",
    "oci_logging_log": "log",
    "oci_logging_log_group": "loggroup",
    "oci_objectstorage_bucket": "bucket",
    "oci_vault_secret": "vaultsecret",
}

# Identity resources live in no region: their OCIDs have an empty region segment.
GLOBAL_OCID_TYPES = frozenset(
    {
        "compartment",
        "dynamicgroup",
        "group",
        "policy",
        "tagdefinition",
        "tagnamespace",
        "tenancy",
        "user",
        "availabilitydomain",
    }
)

_OCID_RE = re.compile(
    r"^ocid1\.(?P<type>[a-z0-9]+)\.(?P<realm>oc[0-9]+)\.(?P<region>[a-z0-9-]*)"
    r"(?:\.[a-z0-9-]*)?\.(?P<unique>[a-z0-9]+)$"
)
_ALPHABET = string.ascii_lowercase + string.digits


def unique_part(length: int = 60) -> str:
    """A random unique-id segment shaped like OCI's ("aaaaaaaa" followed by base-32 text)."""
    return "aaaaaaaa" + "".join(secrets.choice(_ALPHABET) for _ in range(length - 8))


def new_ocid(resource_type: str, region: str) -> str:
    """A fresh OCID for an OCID resource type ("vcn") in ``region``."""
    where = "" if resource_type in GLOBAL_OCID_TYPES else region_key(region).lower()
    return f"ocid1.{resource_type}.oc1.{where}.{unique_part()}"


def ocid_type(value: object) -> str | None:
    """The resource-type segment of a well-formed OCID, else None."""
    if not isinstance(value, str):
        return None
    match = _OCID_RE.match(value)
    return match.group("type") if match else None


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

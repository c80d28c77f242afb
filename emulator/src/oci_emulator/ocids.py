"""OCI identifiers and printed forms: region keys, OCIDs (made and parsed), namespaces, times.

OCID syntax: ``ocid1.<resource-type>.<realm>.[region][.future-use].<unique-id>``. The core makes
generic ids with these; the rules (``oci/``) add the checks OCI's API makes on them.
"""

from __future__ import annotations

import re
import secrets
import string
from datetime import UTC, datetime

# Public commercial (oc1) regions, from OCI's "Regions and Availability Domains" page.
REGION_KEYS: dict[str, str] = {
    "af-johannesburg-1": "JNB",
    "ap-chuncheon-1": "YNY",
    "ap-hyderabad-1": "HYD",
    "ap-melbourne-1": "MEL",
    "ap-mumbai-1": "BOM",
    "ap-osaka-1": "KIX",
    "ap-seoul-1": "ICN",
    "ap-singapore-1": "SIN",
    "ap-sydney-1": "SYD",
    "ap-tokyo-1": "NRT",
    "ca-montreal-1": "YUL",
    "ca-toronto-1": "YYZ",
    "eu-amsterdam-1": "AMS",
    "eu-frankfurt-1": "FRA",
    "eu-madrid-1": "MAD",
    "eu-marseille-1": "MRS",
    "eu-milan-1": "LIN",
    "eu-paris-1": "CDG",
    "eu-stockholm-1": "ARN",
    "eu-zurich-1": "ZRH",
    "il-jerusalem-1": "MTZ",
    "me-dubai-1": "DXB",
    "me-jeddah-1": "JED",
    "mx-monterrey-1": "MTY",
    "mx-queretaro-1": "QRO",
    "sa-santiago-1": "SCL",
    "sa-saopaulo-1": "GRU",
    "sa-vinhedo-1": "VCP",
    "uk-cardiff-1": "CWL",
    "uk-london-1": "LHR",
    "us-ashburn-1": "IAD",
    "us-chicago-1": "ORD",
    "us-phoenix-1": "PHX",
    "us-sanjose-1": "SJC",
}

# Terraform type -> the resource-type segment OCI puts in its OCIDs, where it is not simply the
# type's name without service and underscores (see ``kind_for``).
OCID_TYPES: dict[str, str] = {
    "oci_apigateway_certificate": "apigatewaycertificate",
    "oci_apigateway_deployment": "apideployment",
    "oci_apigateway_gateway": "apigateway",
    "oci_artifacts_container_repository": "containerrepo",
    "oci_container_instances_container_instance": "computecontainerinstance",
    "oci_core_default_route_table": "routetable",
    "oci_core_default_security_list": "securitylist",
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
    "oci_ons_notification_topic": "onstopic",
    "oci_ons_subscription": "onssubscription",
    "oci_vault_secret": "vaultsecret",
}

# Identity resources live in no region: their OCIDs have an empty region segment.
GLOBAL_OCID_TYPES = frozenset(
    {
        "availabilitydomain",
        "compartment",
        "dynamicgroup",
        "group",
        "policy",
        "tagdefinition",
        "tagnamespace",
        "tenancy",
        "user",
    }
)

_OCID_RE = re.compile(
    r"^ocid1\.(?P<type>[a-z0-9]+)\.(?P<realm>oc[0-9]+)\.(?P<region>[a-z0-9-]*)"
    r"(?:\.[a-z0-9-]*)?\.(?P<unique>[a-z0-9]+)$"
)
_ALPHABET = string.ascii_lowercase + string.digits


def kind_for(type_name: str) -> str:
    """The OCID resource-type segment of a Terraform type ("oci_core_vcn" -> "vcn")."""
    if type_name in OCID_TYPES:
        return OCID_TYPES[type_name]
    return type_name.removeprefix("oci_").split("_", 1)[-1].replace("_", "")


def unique_part(length: int = 60) -> str:
    """A random unique-id segment shaped like OCI's ("aaaaaaaa" followed by base-32 text)."""
    return "aaaaaaaa" + "".join(secrets.choice(_ALPHABET) for _ in range(length - 8))


def new_ocid(resource_type: str, region: str) -> str:
    """A fresh OCID for an OCID resource type ("vcn") in ``region``.

    The provider accepts any region name, so an unknown one gets a key made from its name
    (the rules' ``new_ocid`` rejects it instead, as OCI's API does).
    """
    if resource_type in GLOBAL_OCID_TYPES:
        where = ""
    elif region in REGION_KEYS:
        where = REGION_KEYS[region].lower()
    else:
        where = region.split("-")[1][:3] if "-" in region else region[:3]
    return f"ocid1.{resource_type}.oc1.{where}.{unique_part()}"


def ocid_type(value: object) -> str | None:
    """The resource-type segment of a well-formed OCID, else None."""
    if not isinstance(value, str):
        return None
    match = _OCID_RE.match(value)
    return match.group("type") if match else None


def tenancy_ocid() -> str:
    return new_ocid("tenancy", "")


def object_storage_namespace() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def short_id(length: int = 6) -> str:
    return "".join(secrets.choice("0123456789ABCDEF") for _ in range(length))


def now() -> str:
    """The time as the provider prints OCI's SDK times (Go's time.String())."""
    stamp = datetime.now(UTC)
    return stamp.strftime("%Y-%m-%d %H:%M:%S.") + f"{stamp.microsecond // 1000:03d} +0000 UTC"

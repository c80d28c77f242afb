"""Realistic OCI identifiers: OCIDs, bucket ids, namespaces, region keys."""

from __future__ import annotations

import secrets
import string

# Region identifier -> the three-letter key OCIDs carry.
REGION_KEYS = {
    "us-ashburn-1": "iad",
    "us-phoenix-1": "phx",
    "us-sanjose-1": "sjc",
    "us-chicago-1": "ord",
    "ca-toronto-1": "yyz",
    "ca-montreal-1": "yul",
    "eu-frankfurt-1": "fra",
    "eu-amsterdam-1": "ams",
    "eu-zurich-1": "zrh",
    "eu-paris-1": "cdg",
    "eu-madrid-1": "mad",
    "eu-milan-1": "lin",
    "eu-stockholm-1": "arn",
    "eu-marseille-1": "mrs",
    "uk-london-1": "lhr",
    "uk-cardiff-1": "cwl",
    "ap-tokyo-1": "nrt",
    "ap-osaka-1": "kix",
    "ap-seoul-1": "icn",
    "ap-mumbai-1": "bom",
    "ap-sydney-1": "syd",
    "ap-melbourne-1": "mel",
    "ap-singapore-1": "sin",
    "sa-saopaulo-1": "gru",
    "me-dubai-1": "dxb",
    "af-johannesburg-1": "jnb",
}

# Terraform type -> OCID resource-type segment, where it is not the obvious squashed name.
_KIND = {
    "oci_core_vcn": "vcn",
    "oci_core_subnet": "subnet",
    "oci_core_internet_gateway": "internetgateway",
    "oci_core_nat_gateway": "natgateway",
    "oci_core_service_gateway": "servicegateway",
    "oci_core_route_table": "routetable",
    "oci_core_default_route_table": "routetable",
    "oci_core_security_list": "securitylist",
    "oci_core_default_security_list": "securitylist",
    "oci_core_dhcp_options": "dhcpoptions",
    "oci_core_network_security_group": "networksecuritygroup",
    "oci_identity_compartment": "compartment",
    "oci_identity_policy": "policy",
    "oci_identity_dynamic_group": "dynamicgroup",
    "oci_identity_tag_namespace": "tagnamespace",
    "oci_identity_tag": "tagdefinition",
    "oci_container_instances_container_instance": "computecontainerinstance",
    "oci_apigateway_gateway": "apigateway",
    "oci_apigateway_deployment": "apideployment",
    "oci_apigateway_certificate": "apigatewaycertificate",
    "oci_artifacts_container_repository": "containerrepo",
    "oci_kms_vault": "vault",
    "oci_kms_key": "key",
    "oci_vault_secret": "vaultsecret",
    "oci_logging_log_group": "loggroup",
    "oci_logging_log": "log",
    "oci_objectstorage_bucket": "bucket",
}

# Identity resources live in the home region and carry no region key in their OCID.
_GLOBAL_KINDS = {
    "tenancy",
    "compartment",
    "policy",
    "dynamicgroup",
    "tagnamespace",
    "tagdefinition",
}

_ALPHABET = string.ascii_lowercase + string.digits


def region_key(region: str) -> str:
    return REGION_KEYS.get(region, region.split("-")[1][:3] if "-" in region else region[:3])


def kind_for(type_name: str) -> str:
    if type_name in _KIND:
        return _KIND[type_name]
    service_and_name = type_name.removeprefix("oci_").split("_", 1)
    return service_and_name[-1].replace("_", "")


def random_suffix(length: int = 60) -> str:
    return "aaaaaaaa" + "".join(secrets.choice(_ALPHABET) for _ in range(length - 8))


def ocid(kind: str, region: str) -> str:
    location = "" if kind in _GLOBAL_KINDS else region_key(region)
    return f"ocid1.{kind}.oc1.{location}.{random_suffix()}"


def tenancy_ocid() -> str:
    return ocid("tenancy", "")


def object_storage_namespace() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def short_id(length: int = 6) -> str:
    return "".join(secrets.choice("0123456789ABCDEF") for _ in range(length))

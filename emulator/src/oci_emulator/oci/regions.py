"""OCI regions as the API checks them: keys of known regions, AD names, service-gateway services."""

from __future__ import annotations

import hashlib

from oci_emulator.ocids import REGION_KEYS

from .errors import invalid

# Regions with three availability domains; every other commercial region has one.
MULTI_AD_REGIONS = frozenset({"us-ashburn-1", "us-phoenix-1", "eu-frankfurt-1", "uk-london-1"})

# The oldest regions name their ADs without the trailing "-1" (or with the key): "Uocm:PHX-AD-1".
_AD_STEMS = {"us-ashburn-1": "US-ASHBURN", "us-phoenix-1": "PHX"}


def region_key(region: str) -> str:
    """The upper-case key of ``region`` ("us-ashburn-1" -> "IAD")."""
    try:
        return REGION_KEYS[region]
    except KeyError:
        raise invalid(
            f"region {region!r} is not a known OCI region (expected one of: "
            f"{', '.join(sorted(REGION_KEYS))})"
        ) from None


def ad_names(region: str, prefix: str) -> list[str]:
    """Availability-domain names as OCI prints them, e.g. "Xyzw:US-ASHBURN-AD-1"."""
    region_key(region)
    stem = _AD_STEMS.get(region, region.upper())
    count = 3 if region in MULTI_AD_REGIONS else 1
    return [f"{prefix}:{stem}-AD-{n}" for n in range(1, count + 1)]


def ad_prefix(tenancy_id: str) -> str:
    """The 4-letter tenancy-specific AD prefix ("Uocm"); stable for a tenancy."""
    letters = "abcdefghijklmnopqrstuvwxyz"
    digest = hashlib.sha256(tenancy_id.encode()).digest()
    return "".join(letters[b % 26] for b in digest[:4]).capitalize()


def services(region: str) -> list[dict[str, str]]:
    """The Oracle Services Network services a service gateway can reach in ``region``.

    Ids are stable per region, like OCI's (one service OCID per region and service).
    """
    key = region_key(region)
    out = []
    for name, label in (
        (
            f"All {key} Services In Oracle Services Network",
            f"all-{key.lower()}-services-in-oracle-services-network",
        ),
        (f"OCI {key} Object Storage", f"oci-{key.lower()}-objectstorage"),
    ):
        unique = hashlib.sha256(f"{region}/{label}".encode()).hexdigest()[:52]
        out.append(
            {
                "id": f"ocid1.service.oc1.{key.lower()}.aaaaaaaa{unique}",
                "name": name,
                "cidr_block": label,
            }
        )
    return out

"""Vault (KMS) rules: vaults and their master encryption keys.

A key is created through its vault's management endpoint, so ``management_endpoint`` must be
one a vault in the cloud has. Key shapes follow the API's KeyShape: AES 16/24/32 bytes, RSA
256/384/512, ECDSA 32/48/66 with the matching NIST curve.
"""

from __future__ import annotations

import secrets
import string
from typing import Any

from . import world as w
from .errors import OciError, invalid
from .ocids import new_ocid, require_compartment

Attrs = dict[str, Any]
VAULT = "oci_kms_vault"
KEY = "oci_kms_key"
VAULT_TYPES = ("DEFAULT", "VIRTUAL_PRIVATE", "EXTERNAL")
PROTECTION_MODES = ("HSM", "SOFTWARE", "EXTERNAL")
KEY_LENGTHS = {"AES": (16, 24, 32), "RSA": (256, 384, 512), "ECDSA": (32, 48, 66)}
ECDSA_CURVES = {32: "NIST_P256", 48: "NIST_P384", 66: "NIST_P521"}
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits


def _one_of(field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise invalid(f"{field} {value!r} is invalid (expected one of: {', '.join(allowed)})")


def _display_name(attrs: Attrs) -> None:
    name = attrs.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise invalid(f"display_name {name!r} is required")


def vault_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    _display_name(attrs)
    kind = attrs.get("vault_type")
    _one_of("vault_type", kind, VAULT_TYPES)
    if kind == "EXTERNAL" and not attrs.get("external_key_manager_metadata"):
        raise invalid("vault_type EXTERNAL needs external_key_manager_metadata")
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(13))
    host = f"kms.{world.region}.oraclecloud.com"
    attrs.update(
        id=_in_vault(new_ocid("vault", world.region), prefix),
        crypto_endpoint=f"https://{prefix}-crypto.{host}",
        management_endpoint=f"https://{prefix}-management.{host}",
        is_primary=True,
        is_vault_replicable=False,
        replica_details=[],
        restored_from_vault_id=None,
        external_key_manager_metadata_summary=[],
    )
    w.fill_defaults(attrs, time_of_deletion=None, defined_tags={}, freeform_tags={})
    return attrs


def vault_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    _display_name(attrs)
    for key in ("crypto_endpoint", "management_endpoint", "is_primary", "time_created"):
        attrs[key] = prior.get(key)
    return attrs


def _in_vault(ocid: str, prefix: str) -> str:
    """Vault and key OCIDs carry the vault's endpoint prefix as an extra segment
    (ocid1.key.oc1.iad.<prefix>.<unique>), which is how modules validate them."""
    head, unique = ocid.rsplit(".", 1)
    return f"{head}.{prefix}.{unique}"


def _vault_at(endpoint: object, world: w.WorldView) -> w.Resource:
    for vault in w.of_type(world, VAULT):
        if vault["attrs"].get("management_endpoint") == endpoint:
            return vault
    raise OciError(
        404,
        "NotAuthorizedOrNotFound",
        f"management_endpoint {endpoint!r} is not the management endpoint of any vault "
        "(expected oci_kms_vault.<name>.management_endpoint)",
    )


def _key_shape(attrs: Attrs) -> None:
    shapes = attrs.get("key_shape") or []
    if len(shapes) != 1:
        raise invalid("key needs one key_shape { algorithm, length }")
    shape = shapes[0]
    algorithm, length = shape.get("algorithm"), shape.get("length")
    _one_of("key_shape.algorithm", algorithm, tuple(KEY_LENGTHS))
    if length not in KEY_LENGTHS[algorithm]:
        raise invalid(
            f"key_shape.length {length!r} is invalid for {algorithm} (expected bytes: "
            f"{', '.join(map(str, KEY_LENGTHS[algorithm]))})"
        )
    curve = shape.get("curve_id")
    if algorithm == "ECDSA":
        expected = ECDSA_CURVES[int(length)]
        if curve not in (None, expected):
            raise invalid(
                f"key_shape.curve_id {curve!r} does not match length {length} (expected {expected})"
            )
        shape["curve_id"] = expected
    elif curve is not None:
        raise invalid(f"key_shape.curve_id {curve!r} applies to ECDSA keys only")


def key_create(attrs: Attrs, world: w.WorldView, prior: Attrs | None = None) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    _display_name(attrs)
    vault = _vault_at(attrs.get("management_endpoint"), world)
    _key_shape(attrs)
    mode = attrs.get("protection_mode") or "HSM"
    _one_of("protection_mode", mode, PROTECTION_MODES)
    if (mode == "EXTERNAL") != (vault["attrs"].get("vault_type") == "EXTERNAL"):
        raise invalid(
            f"protection_mode {mode} does not fit vault {vault['id']} of type "
            f"{vault['attrs'].get('vault_type')} (EXTERNAL keys live in EXTERNAL vaults only)"
        )
    desired = attrs.get("desired_state")
    if desired is not None:
        _one_of("desired_state", desired, ("ENABLED", "DISABLED"))
    if prior is None:
        prefix = str(vault["attrs"]["management_endpoint"]).removeprefix("https://").split("-")[0]
        attrs["id"] = _in_vault(new_ocid("key", world.region), prefix)
    attrs.update(
        protection_mode=mode,
        vault_id=vault["id"],
        state=desired or (prior or {}).get("state") or "ENABLED",
        current_key_version=(prior or {}).get("current_key_version")
        or new_ocid("keyversion", world.region),
        is_primary=True,
        replica_details=[],
        restored_from_key_id=None,
        external_key_reference_details=[],
    )
    w.fill_defaults(
        attrs,
        desired_state=attrs["state"],
        is_auto_rotation_enabled=False,
        auto_key_rotation_details=[],
        time_of_deletion=None,
        defined_tags={},
        freeform_tags={},
    )
    return attrs


def key_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    return key_create(attrs, world, prior)

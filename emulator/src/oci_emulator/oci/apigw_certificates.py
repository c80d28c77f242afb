"""API Gateway certificates (oci_apigateway_certificate): what OCI checks on the PEMs at create.

Which of these rules are verified against OCI and which are the emulator's reading of its docs is
listed in emulator/README.md ("API Gateway certificates").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from . import world as w
from .errors import conflict, invalid
from .ocids import require_compartment

Attrs = dict[str, Any]
CERTIFICATE = "oci_apigateway_certificate"
GATEWAY = "oci_apigateway_gateway"


def _certificates(field: str, pem: object) -> list[x509.Certificate]:
    if not isinstance(pem, str) or "-----BEGIN CERTIFICATE-----" not in pem:
        raise invalid(f"{field} is not a PEM-encoded X.509 certificate")
    try:
        return x509.load_pem_x509_certificates(pem.encode())
    except ValueError as e:
        raise invalid(f"{field} is not a valid PEM-encoded X.509 certificate: {e}") from None


def _names(cert: x509.Certificate) -> list[str]:
    """DNS names of the SAN, else the subject's common name (what the certificate covers)."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName)
        names = san.value.get_values_for_type(x509.DNSName)
    except x509.ExtensionNotFound:
        names = []
    if names:
        return list(names)
    return [str(a.value) for a in cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)]


def certificate_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    (leaf, *extra) = _certificates("certificate", attrs.get("certificate"))
    if extra:
        raise invalid(
            "certificate holds several certificates: give the leaf only and the rest "
            "in intermediateCertificates"
        )
    chain = []
    if attrs.get("intermediate_certificates"):
        chain = _certificates("intermediateCertificates", attrs["intermediate_certificates"])

    try:
        key = serialization.load_pem_private_key(str(attrs.get("private_key")).encode(), None)
    except (ValueError, TypeError):
        raise invalid("privateKey is not an unencrypted PEM-encoded private key") from None
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise invalid("privateKey: expected an RSA or EC private key")
    leaf_public = leaf.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key_public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    if leaf_public != key_public:
        raise invalid("privateKey does not match the public key of the certificate")

    now = dt.datetime.now(dt.UTC)
    for cert in (leaf, *chain):
        if cert.not_valid_after_utc <= now:
            raise invalid(
                f"certificate {cert.subject.rfc4514_string()} expired on "
                f"{cert.not_valid_after_utc.isoformat()}"
            )
        if cert.not_valid_before_utc > now:
            raise invalid(
                f"certificate {cert.subject.rfc4514_string()} is not valid before "
                f"{cert.not_valid_before_utc.isoformat()}"
            )
    # The chain in order: each certificate issued (and signed) by the next one.
    for child, parent in zip((leaf, *chain), chain, strict=False):
        try:
            child.verify_directly_issued_by(parent)
        except (InvalidSignature, ValueError, TypeError) as e:
            raise invalid(
                f"intermediateCertificates do not form a chain: {child.subject.rfc4514_string()} "
                f"is not issued by {parent.subject.rfc4514_string()} ({type(e).__name__}); give "
                "the intermediates from the leaf's issuer towards the root, in order"
            ) from None

    attrs.update(
        subject_names=_names(leaf),
        time_not_valid_after=leaf.not_valid_after_utc.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        lifecycle_details=None,
        time_updated=attrs.get("time_created"),
        system_tags=attrs.get("system_tags") or {},
    )
    w.fill_defaults(
        attrs,
        defined_tags={},
        freeform_tags={},
        intermediate_certificates=attrs.get("intermediate_certificates") or "",
    )
    return attrs


def certificate_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    # The PEMs force a new resource (provider schema), so an update touches names and tags only.
    for key in ("subject_names", "time_not_valid_after", "time_created", "system_tags"):
        attrs[key] = prior.get(key)
    attrs["time_updated"] = w.now()
    return attrs


def certificate_delete(attrs: Attrs, world: w.WorldView) -> None:
    for gateway in w.of_type(world, GATEWAY):
        if gateway["attrs"].get("certificate_id") == attrs.get("id"):
            raise conflict(
                f"certificate {attrs.get('id')} is used by gateway {gateway['id']}; move the "
                "gateway to another certificate first"
            )

"""Resource principal credentials (dataplane/principal.py): the files and environment a container
gets, and the check of requests signed as the OCI SDK signs them (draft-cavage, keyId ST$<token>).

The end-to-end test with the real `oci` CLI is tests/e2e/test_resource_principal.py; here the
signature is made the SDK's way by hand, to reach every refusal."""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from oci_emulator.dataplane import desired
from oci_emulator.dataplane import principal as rp
from oci_emulator.oci.authz import Principal

HOST = "objectstorage.us-ashburn-1.oraclecloud.com"
WHO = Principal(
    "computecontainerinstance",
    "ocid1.computecontainerinstance.oc1.iad.aaaaaaaaexample",
    "ocid1.compartment.oc1..aaaaaaaagalley",
    "ocid1.tenancy.oc1..aaaaaaaatenancy",
)


@pytest.fixture
def issuer(tmp_path: Path) -> rp.Issuer:
    return rp.Issuer(tmp_path / "principal", b"-----CA-----\n")


def _sign(creds: rp.Credentials, method: str, target: str, body: bytes = b"", **overrides):
    """Headers of a request signed as oci.signer does it for a security token."""
    token = (creds.directory / "rpst").read_text()
    key = serialization.load_pem_private_key((creds.directory / "private.pem").read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    headers = {"date": email.utils.formatdate(usegmt=True), "host": HOST}
    names = ["date", "(request-target)", "host"]
    if method in ("PUT", "POST"):
        headers["content-length"] = str(len(body))
        headers["content-type"] = "application/octet-stream"
        headers["x-content-sha256"] = base64.b64encode(hashlib.sha256(body).digest()).decode()
        names += ["content-length", "content-type", "x-content-sha256"]
    headers.update(overrides)
    lines = [
        f"(request-target): {method.lower()} {target}"
        if n == "(request-target)"
        else f"{n}: {headers[n]}"
        for n in names
    ]
    signature = base64.b64encode(
        key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    ).decode()
    headers["authorization"] = (
        f'Signature algorithm="rsa-sha256",headers="{" ".join(names)}",keyId="ST${token}",'
        f'signature="{signature}",version="1"'
    )
    return headers


def test_credentials_are_rp_2_2_files_with_the_instance_claims(issuer):
    creds = issuer.credentials(WHO, "us-ashburn-1")
    assert creds.environment == {
        "OCI_RESOURCE_PRINCIPAL_VERSION": "2.2",
        "OCI_RESOURCE_PRINCIPAL_RPST": f"{rp.MOUNT}/rpst",
        "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": f"{rp.MOUNT}/private.pem",
        "OCI_RESOURCE_PRINCIPAL_REGION": "us-ashburn-1",
        "REQUESTS_CA_BUNDLE": f"{rp.MOUNT}/ca-bundle.pem",
        "SSL_CERT_FILE": f"{rp.MOUNT}/ca-bundle.pem",
    }
    payload = (creds.directory / "rpst").read_text().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert (claims["res_id"], claims["res_compartment"], claims["res_tenant"]) == (
        WHO.id,
        WHO.compartment_id,
        WHO.tenancy_id,
    )
    assert (creds.directory / "ca-bundle.pem").read_bytes() == b"-----CA-----\n"
    # Stable while valid: a second call keeps the same key and token.
    before = (creds.directory / "rpst").read_text()
    assert (issuer.credentials(WHO, "us-ashburn-1").directory / "rpst").read_text() == before


def test_a_request_signed_with_the_session_key_names_the_principal(issuer):
    creds = issuer.credentials(WHO, "us-ashburn-1")
    target = "/n/ns/b/galley/o/a%2Fb.txt?versionId=1"
    assert issuer.verify("GET", target, _sign(creds, "GET", target), b"") == WHO
    body = b"hello"
    put = "/n/ns/b/galley/o/a"
    assert issuer.verify("PUT", put, _sign(creds, "PUT", put, body), body) == WHO


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda h, t, b: (h, "/n/ns/b/other/o/a", b), "signature does not match"),
        (lambda h, t, b: ({**h, "host": "evil"}, t, b), "signature does not match"),
        (lambda h, t, b: (h, t, b"tampered"), "x-content-sha256 does not match"),
        (lambda h, t, b: ({k: v for k, v in h.items() if k != "authorization"}, t, b), "no"),
        (
            lambda h, t, b: ({**h, "authorization": h["authorization"].replace("ST$", "x/")}, t, b),
            "not a security token",
        ),
    ],
    ids=["path", "host", "body", "unsigned", "api-key"],
)
def test_a_changed_or_unsigned_request_is_refused(issuer, change, why):
    creds = issuer.credentials(WHO, "us-ashburn-1")
    target, body = "/n/ns/b/galley/o/a", b"data"
    headers, target2, body2 = change(_sign(creds, "PUT", target, body), target, body)
    with pytest.raises(rp.NotAuthenticated, match=why):
        issuer.verify("PUT", target2, headers, body2)


def test_a_stale_date_and_an_expired_token_are_refused(issuer):
    creds = issuer.credentials(WHO, "us-ashburn-1")
    target = "/n/ns/b/galley/o"
    stale = email.utils.formatdate(time.time() - 600, usegmt=True)
    with pytest.raises(rp.NotAuthenticated, match="more than 5 minutes off"):
        issuer.verify("GET", target, _sign(creds, "GET", target, date=stale), b"")
    later = time.time() + rp.TOKEN_LIFETIME_S + 60
    headers = _sign(creds, "GET", target, date=email.utils.formatdate(later, usegmt=True))
    with pytest.raises(rp.NotAuthenticated, match="expired"):
        issuer.verify("GET", target, headers, b"", now=later)


def test_a_token_from_another_cloud_is_refused(issuer, tmp_path):
    other = rp.Issuer(tmp_path / "other", b"")
    creds = other.credentials(WHO, "us-ashburn-1")
    target = "/n/ns/b/galley/o"
    with pytest.raises(rp.NotAuthenticated, match="not valid here"):
        issuer.verify("GET", target, _sign(creds, "GET", target), b"")


def test_the_data_plane_reads_the_principal_and_its_opt_out_from_the_instance():
    record = {
        "type": desired.INSTANCE,
        "id": WHO.id,
        "attrs": {
            "compartment_id": WHO.compartment_id,
            "containers": [
                {"image_url": "galley:1"},
                {"image_url": "sidecar:1", "is_resource_principal_disabled": True},
            ],
        },
    }
    (spec,) = desired.instances({WHO.id: record})
    assert spec.compartment_id == WHO.compartment_id
    assert [c.resource_principal_disabled for c in spec.containers] == [False, True]

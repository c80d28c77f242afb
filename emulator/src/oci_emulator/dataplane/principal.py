"""Resource principals for the containers the data plane runs: what OCI gives a container instance,
and the check of every request signed with it.

A container instance's containers get resource principal version 2.2 (Container Instances API,
``isResourcePrincipalDisabled``: "This method utilizes resource principal version 2.2"). The OCI
SDKs and CLI read it from the environment (oci-python-sdk ``resource_principals_signer.py``):
``OCI_RESOURCE_PRINCIPAL_VERSION=2.2``, ``OCI_RESOURCE_PRINCIPAL_RPST`` (the resource principal
session token, a JWT whose claims name the resource: ``res_tenant``, ``res_compartment``, …),
``OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM`` (the session key the token is bound to) and
``OCI_RESOURCE_PRINCIPAL_REGION``; with absolute paths the SDK re-reads the files, so the token
can be renewed under it. Requests are then signed (draft-cavage HTTP signatures, ``rsa-sha256``)
with the session key and ``keyId="ST$<token>"`` (``security_token_signer.py``).

Here the cloud has an issuer key of its own (``<state dir>/dataplane/principal/issuer-key.pem``):
it signs each instance's token, whose ``jwk`` claim carries the session key's public half, so a
request is checked with nothing but the token it carries. Where OCI mounts the files inside the
container is not documented: the emulator mounts them read-only at ``MOUNT``.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import os
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from oci_emulator.oci.authz import Principal

MOUNT = "/run/oci-resource-principal"
RESOURCE_TYPE = "computecontainerinstance"
TOKEN_LIFETIME_S = 3600.0  # unverified: OCI documents no figure for RPSTs
RENEW_AFTER_S = TOKEN_LIFETIME_S / 2
# OCI refuses a request whose Date is more than 5 minutes off ("Request Signatures": clock skew).
MAX_SKEW_S = 300.0
_ISSUER = "oci-emulator"
_AUTH_PARAM = re.compile(r'(\w+)="([^"]*)"')


class NotAuthenticated(Exception):
    """401 NotAuthenticated; ``str()`` says what was wrong (the emulator's addition)."""


@dataclass(frozen=True)
class Credentials:
    """The files of one instance's resource principal, and the environment naming them."""

    directory: Path  # mounted read-only at MOUNT
    environment: dict[str, str]


def _pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _from_b64url(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def _write(path: Path, data: bytes) -> None:
    # Readable by the container's user, whoever that is (the image decides); the directory
    # holding it is the cloud's own.
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.chmod(0o644)
    tmp.replace(path)


class Issuer:
    """Makes and renews instances' credentials; checks signed requests."""

    def __init__(self, directory: Path, ca_bundle: bytes) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        key_path = directory / "issuer-key.pem"
        if not key_path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            fd = os.open(key_path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(_pem(key))
        loaded = serialization.load_pem_private_key(key_path.read_bytes(), None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        self._key = loaded
        self._public = loaded.public_key()
        self._ca_bundle = ca_bundle

    def _instance_dir(self, instance_id: str) -> Path:
        return self.directory / "instances" / hashlib.sha256(instance_id.encode()).hexdigest()[:16]

    def credentials(self, principal: Principal, region: str) -> Credentials:
        """The instance's files (made, or renewed past half their life) and its environment."""
        directory = self._instance_dir(principal.id)
        directory.mkdir(parents=True, exist_ok=True)
        directory.chmod(0o755)
        token_path, key_path = directory / "rpst", directory / "private.pem"
        if not key_path.exists():
            _write(key_path, _pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)))
        if not token_path.exists() or time.time() - token_path.stat().st_mtime > RENEW_AFTER_S:
            session = serialization.load_pem_private_key(key_path.read_bytes(), None)
            assert isinstance(session, rsa.RSAPrivateKey)
            _write(token_path, self._token(principal, session.public_key()).encode())
        bundle = directory / "ca-bundle.pem"
        if not bundle.exists() or bundle.read_bytes() != self._ca_bundle:
            _write(bundle, self._ca_bundle)
        return Credentials(directory, environment(region))

    def _token(self, principal: Principal, session: rsa.RSAPublicKey) -> str:
        numbers = session.public_numbers()
        now = int(time.time())
        claims = {
            "iss": _ISSUER,
            "sub": principal.id,
            "iat": now,
            "exp": now + int(TOKEN_LIFETIME_S),
            "res_type": principal.type,
            "res_id": principal.id,
            "res_compartment": principal.compartment_id,
            "res_tenant": principal.tenancy_id,
            "jwk": {"kty": "RSA", "alg": "RS256", "n": _b64url(numbers.n), "e": _b64url(numbers.e)},
        }
        return jwt.encode(claims, self._key, algorithm="RS256")

    def forget(self, instance_id: str) -> None:
        directory = self._instance_dir(instance_id)
        for child in directory.glob("*"):
            child.unlink(missing_ok=True)
        if directory.exists():
            directory.rmdir()

    # --- the check of a signed request ----------------------------------------------------------

    def verify(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes,
        now: float | None = None,
    ) -> Principal:
        """The principal a request is signed by; NotAuthenticated saying why not.

        ``target`` is the request target (path and query, as sent); ``headers`` has lower-case
        names."""
        auth = headers.get("authorization", "")
        if not auth.startswith("Signature "):
            raise NotAuthenticated("no 'Authorization: Signature …' header")
        params = dict(_AUTH_PARAM.findall(auth))
        key_id = params.get("keyId", "")
        if not key_id.startswith("ST$"):
            raise NotAuthenticated("keyId is not a security token (ST$<token>)")
        if params.get("algorithm") != "rsa-sha256":
            raise NotAuthenticated(f"algorithm {params.get('algorithm')!r} is not rsa-sha256")
        claims = self._claims(key_id[3:], now or time.time())
        signed = params.get("headers", "date").split()
        for required in ("date", "(request-target)", "host"):
            if required not in signed and not (required == "date" and "x-date" in signed):
                raise NotAuthenticated(f"the signature does not cover {required!r}")
        lines = []
        for name in signed:
            if name == "(request-target)":
                lines.append(f"(request-target): {method.lower()} {target}")
            elif name in headers:
                lines.append(f"{name}: {headers[name]}")
            else:
                raise NotAuthenticated(f"signed header {name!r} is missing from the request")
        session = rsa.RSAPublicNumbers(
            _from_b64url(claims["jwk"]["e"]), _from_b64url(claims["jwk"]["n"])
        ).public_key()
        try:
            session.verify(
                base64.b64decode(params.get("signature", "")),
                "\n".join(lines).encode(),
                padding.PKCS1v15(),
                hashes.SHA256(),
            )
        except (InvalidSignature, ValueError):
            raise NotAuthenticated("the signature does not match the request") from None
        self._check_date(headers.get("x-date") or headers.get("date", ""), now)
        if "x-content-sha256" in signed:
            digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
            if headers["x-content-sha256"] != digest:
                raise NotAuthenticated("x-content-sha256 does not match the body")
        return Principal(
            type=str(claims["res_type"]),
            id=str(claims["res_id"]),
            compartment_id=str(claims["res_compartment"]),
            tenancy_id=str(claims["res_tenant"]),
        )

    def _claims(self, token: str, now: float) -> dict[str, Any]:
        try:
            claims = jwt.decode(
                token,
                self._public,
                algorithms=["RS256"],
                issuer=_ISSUER,
                # Expiry against the caller's clock (``now``), below.
                options={
                    "require": ["exp", "iat", "res_id", "res_type", "jwk"],
                    "verify_exp": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise NotAuthenticated(f"the security token is not valid here ({exc})") from None
        if float(claims["exp"]) <= now:
            raise NotAuthenticated("the security token has expired")
        return claims

    @staticmethod
    def _check_date(value: str, now: float | None) -> None:
        try:
            sent = email.utils.parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError):
            raise NotAuthenticated(f"Date header {value!r} is not an HTTP date") from None
        if abs((now or time.time()) - sent) > MAX_SKEW_S:
            raise NotAuthenticated(f"Date {value!r} is more than 5 minutes off")


def environment(region: str) -> dict[str, str]:
    """What a container gets: the SDK's resource principal variables, and the emulator's CA
    (for the SDK's requests: REQUESTS_CA_BUNDLE; Go and OpenSSL clients: SSL_CERT_FILE)."""
    return {
        "OCI_RESOURCE_PRINCIPAL_VERSION": "2.2",
        "OCI_RESOURCE_PRINCIPAL_RPST": f"{MOUNT}/rpst",
        "OCI_RESOURCE_PRINCIPAL_PRIVATE_PEM": f"{MOUNT}/private.pem",
        "OCI_RESOURCE_PRINCIPAL_REGION": region,
        "REQUESTS_CA_BUNDLE": f"{MOUNT}/ca-bundle.pem",
        "SSL_CERT_FILE": f"{MOUNT}/ca-bundle.pem",
    }

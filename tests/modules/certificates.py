"""A test certificate authority (a root and an intermediate) and leaves it issues, for the
custom-domain tests of tests/modules and tests/e2e (which puts this folder on its path)."""

from __future__ import annotations

import datetime as dt

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

HOST = "mcp.galley.test"


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: ec.EllipticCurvePrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


class FakeCA:
    """A root and an intermediate made for the test; leaves for any names and validity."""

    def __init__(self) -> None:
        now = dt.datetime.now(dt.UTC)
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        root_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Galley Test Root")])
        self.root = self._sign(
            root_name,
            root_name,
            self.root_key.public_key(),
            self.root_key,
            now,
            now + dt.timedelta(days=30),
            ca=True,
        )
        self.int_key = ec.generate_private_key(ec.SECP256R1())
        int_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Galley Test Issuing")])
        self.intermediate = self._sign(
            int_name,
            root_name,
            self.int_key.public_key(),
            self.root_key,
            now,
            now + dt.timedelta(days=30),
            ca=True,
        )

    @staticmethod
    def _sign(subject, issuer, public_key, signing_key, start, end, *, ca, names=()):
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(end)
            .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        )
        if names:
            builder = builder.add_extension(
                x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), critical=False
            )
        return builder.sign(signing_key, hashes.SHA256())

    def leaf(self, *names: str, days: float = 10, key=None) -> dict[str, str]:
        """Gateway inputs for a leaf covering names, valid from a day ago for `days` days."""
        key = key or ec.generate_private_key(ec.SECP256R1())
        now = dt.datetime.now(dt.UTC)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
        cert = self._sign(
            subject,
            self.intermediate.subject,
            key.public_key(),
            self.int_key,
            now - dt.timedelta(days=1),
            now + dt.timedelta(days=days),
            ca=False,
            names=names,
        )
        return {
            "custom_hostname": HOST,
            "certificate_pem": pem(cert),
            "certificate_chain_pem": pem(self.intermediate),
            "certificate_private_key_pem": key_pem(key),
        }

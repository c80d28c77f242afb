"""A certificate authority per emulated cloud, and the gateways' server certificates it signs.

Clients trust the cloud's CA file (``ca.pem``; NODE_EXTRA_CA_CERTS for Node, SSL_CERT_FILE or
``verify=`` for Python, ``--cacert`` for curl), never a system-wide change. The CA key stays in
the cloud's directory (mode 0600). Certificates carry the extensions strict verifiers (Python
3.13's VERIFY_X509_STRICT, Node) insist on: key identifiers, key usage, basic constraints.
"""

from __future__ import annotations

import ipaddress
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_VALIDITY = timedelta(days=3650)
SERVER_VALIDITY = timedelta(days=365)
RENEW_BEFORE = timedelta(days=7)


def _write_private(path: Path, data: bytes) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=True,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


class CertificateAuthority:
    def __init__(self, directory: Path, name: str = "oci-emulator") -> None:
        self.directory = directory
        self.cert_path = directory / "ca.pem"
        self._key_path = directory / "ca-key.pem"
        self._name = name
        directory.mkdir(parents=True, exist_ok=True)
        if not (self.cert_path.exists() and self._key_path.exists()):
            self._create()
        self._cert = x509.load_pem_x509_certificate(self.cert_path.read_bytes())
        key = serialization.load_pem_private_key(self._key_path.read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        self._key = key

    def _create(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"{self._name} local CA")])
        now = datetime.now(UTC)
        cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + CA_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(_usage(ca=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        _write_private(self._key_path, _key_pem(key))
        self.cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))

    def server_certificate(self, name: str, hostnames: list[str]) -> tuple[Path, Path]:
        """(certificate, key) files for 127.0.0.1, localhost and ``hostnames``; kept while valid
        for the same names, so restarts do not change what clients see."""
        cert_path = self.directory / f"{name}.pem"
        key_path = self.directory / f"{name}-key.pem"
        dns = sorted({"localhost", *(h for h in hostnames if h)})
        if cert_path.exists() and key_path.exists() and self._still_good(cert_path, dns):
            return cert_path, key_path
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        names: list[x509.GeneralName] = [x509.DNSName(h) for h in dns]
        names.append(x509.IPAddress(ipaddress.IPv4Address("127.0.0.1")))
        cert = (
            x509.CertificateBuilder()
            # Clients match the SANs; a CN must stay within 64 characters, hostnames need not.
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name[:64])]))
            .issuer_name(self._cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + SERVER_VALIDITY)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(_usage(ca=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False)
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(self._key.public_key()), False
            )
            .sign(self._key, hashes.SHA256())
        )
        _write_private(key_path, _key_pem(key))
        cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        return cert_path, key_path

    def custom_certificate(self, name: str, chain_pem: str, key_pem: str) -> tuple[Path, Path]:
        """(certificate chain, key) files of a certificate the user brought (an API Gateway
        certificate), beside the CA's own; the key file is private as the CA key is."""
        cert_path = self.directory / f"{name}.pem"
        key_path = self.directory / f"{name}-key.pem"
        _write_private(key_path, key_pem.encode())
        cert_path.write_text(chain_pem)
        return cert_path, key_path

    def _still_good(self, cert_path: Path, dns: list[str]) -> bool:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if cert.issuer != self._cert.subject:
            return False
        if cert.not_valid_after_utc - datetime.now(UTC) < RENEW_BEFORE:
            return False
        sans = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        return sorted(sans.get_values_for_type(x509.DNSName)) == dns

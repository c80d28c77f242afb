"""Runtime settings read from GALLEY_* environment variables.

Stdlib only: `python -m galley healthcheck` imports this and must start fast.
"""

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from galley.datadir import ensure_data_dir
from galley.url_token import EMPTY_TOKEN_SHA256, MIN_TOKEN_LENGTH, SHA256_HEX_LENGTH, token_sha256

DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - the container must be reachable from the gateway
DEFAULT_PORT = 8000
DEFAULT_DATA_DIR = "/var/lib/galley"
# Longer than a tool call can take (the CLIs' 10 s probe timeout, environment.py) with a margin
# for the error answer to the calls it still has to cut. More than `docker stop`'s 10 s: run the
# image with `--stop-timeout 20` (docker/README.md); the container-instance module sets its own
# (graceful_shutdown_timeout_in_seconds - 5).
DEFAULT_SHUTDOWN_GRACE_SECONDS = 15.0
MAX_SHUTDOWN_GRACE_SECONDS = 300.0
# RFC 3986 unreserved characters: the token travels in the URL unencoded. The same class as the
# url_token validation of modules/container-instance.
URL_SAFE_TOKEN = re.compile(r"[A-Za-z0-9._~-]+")
HEX_DIGITS = re.compile(r"[0-9A-Fa-f]+")
TOKEN_VAR = "GALLEY_URL_TOKEN"  # noqa: S105 - names of variables, not secrets
TOKEN_SHA256_VAR = "GALLEY_URL_TOKEN_SHA256"  # noqa: S105


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming the variable."""


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    data_dir: Path
    url_token_digests: tuple[bytes, ...] = field(repr=False)
    """SHA-256 of each valid token: the runtime keeps only digests, whichever variable gave them.
    Several while tokens are rotated: every one of them is accepted."""
    # Empty: every request carrying an Origin header is refused (browsers send one; MCP hosts
    # calling server-to-server send none), as the MCP transport spec asks of servers.
    allowed_origins: frozenset[str] = frozenset()
    shutdown_grace_seconds: float = DEFAULT_SHUTDOWN_GRACE_SECONDS
    # The OCI Logging custom log audit records are shipped to (audit_shipping.py); None: stdout.
    audit_log_id: str | None = None


def parse_port(env: Mapping[str, str]) -> int:
    raw = env.get("GALLEY_PORT", "").strip() or str(DEFAULT_PORT)
    try:
        port = int(raw)
    except ValueError:
        raise SettingsError(
            f"GALLEY_PORT={raw!r} is not a whole number; expected a port from 1 to 65535"
        ) from None
    if not 1 <= port <= 65535:
        raise SettingsError(f"GALLEY_PORT={raw!r} is out of range; expected a port from 1 to 65535")
    return port


def _parse_token(token: str) -> bytes:
    # Messages give the length only: the value is a secret.
    if not URL_SAFE_TOKEN.fullmatch(token):
        raise SettingsError(
            f"{TOKEN_VAR} contains characters that are not URL-safe; expected only "
            "letters, digits, '.', '_', '~' and '-'"
        )
    if len(token) < MIN_TOKEN_LENGTH:
        raise SettingsError(
            f"{TOKEN_VAR} is {len(token)} characters long; expected at least {MIN_TOKEN_LENGTH}"
        )
    return token_sha256(token)


def _parse_one_digest(digest: str, where: str) -> bytes:
    if len(digest) != SHA256_HEX_LENGTH or not HEX_DIGITS.fullmatch(digest):
        raise SettingsError(
            f"{TOKEN_SHA256_VAR} {where}is not a SHA-256 digest ({len(digest)} characters); "
            f"expected {SHA256_HEX_LENGTH} hexadecimal digits, the SHA-256 of the token's UTF-8 "
            "bytes (Terraform's sha256(token))"
        )
    value = bytes.fromhex(digest)
    if value == EMPTY_TOKEN_SHA256:
        # The one digest whose token is known to everyone: it would open the server to `?token=`.
        raise SettingsError(
            f"{TOKEN_SHA256_VAR} {where}is the SHA-256 of an empty token; expected the digest of "
            f"a token of at least {MIN_TOKEN_LENGTH} characters"
        )
    return value


def _parse_token_sha256(raw: str) -> tuple[bytes, ...]:
    """One digest, or several separated by commas (tokens being rotated), all valid at once."""
    items = raw.split(",")
    digests: list[bytes] = []
    for number, item in enumerate(items, start=1):
        where = f"item {number} of {len(items)} " if len(items) > 1 else ""
        if not item:  # only possible with a comma, so `where` names the item
            raise SettingsError(
                f"{TOKEN_SHA256_VAR} {where}is empty; expected one or more digests "
                "separated by single commas, with no comma at either end"
            )
        value = _parse_one_digest(item, where)
        if value in digests:
            raise SettingsError(
                f"{TOKEN_SHA256_VAR} lists the same digest twice (items {digests.index(value) + 1}"
                f" and {number}); expected each valid token's digest once"
            )
        digests.append(value)
    return tuple(digests)


def _parse_url_token(env: Mapping[str, str]) -> tuple[bytes, ...]:
    """The valid tokens' SHA-256 digests, from exactly one of GALLEY_URL_TOKEN and its digest
    variable.

    The digest form keeps the token out of the container instance's environment, which anyone
    allowed to read the instance can see, and out of /proc/<pid>/environ, which the CLIs Galley
    runs (as the same user) could read; the runtime never needs the token itself.
    """
    token = env.get(TOKEN_VAR, "")
    digest = env.get(TOKEN_SHA256_VAR, "")
    if token and digest:
        raise SettingsError(
            f"{TOKEN_VAR} and {TOKEN_SHA256_VAR} are both set; expected exactly one of them"
        )
    if digest:
        return _parse_token_sha256(digest)
    if token:
        return (_parse_token(token),)
    raise SettingsError(
        f"{TOKEN_VAR} is not set, nor {TOKEN_SHA256_VAR}; expected one of them: the secret "
        f"clients pass as ?token= or as `Authorization: Bearer` (at least {MIN_TOKEN_LENGTH} "
        f"URL-safe characters) or its SHA-256 as {SHA256_HEX_LENGTH} hexadecimal digits "
        "(several, comma-separated, while tokens are rotated)"
    )


def _parse_origins(env: Mapping[str, str]) -> frozenset[str]:
    raw = env.get("GALLEY_ALLOWED_ORIGINS", "")
    origins = [item.strip() for item in raw.split(",") if item.strip()]
    for origin in origins:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
            raise SettingsError(
                f"GALLEY_ALLOWED_ORIGINS has {origin!r}; "
                "expected comma-separated origins like https://host.example.com"
            )
    return frozenset(origin.lower() for origin in origins)


def _parse_grace(env: Mapping[str, str]) -> float:
    raw = env.get("GALLEY_SHUTDOWN_GRACE_SECONDS", "").strip()
    if not raw:
        return DEFAULT_SHUTDOWN_GRACE_SECONDS
    try:
        grace = float(raw)
    except ValueError:
        grace = -1.0
    if not 0 <= grace <= MAX_SHUTDOWN_GRACE_SECONDS:  # also rejects nan
        raise SettingsError(
            f"GALLEY_SHUTDOWN_GRACE_SECONDS={raw!r} is invalid; "
            f"expected seconds from 0 to {MAX_SHUTDOWN_GRACE_SECONDS:g}"
        )
    return grace


_LOG_OCID = re.compile(r"ocid1\.log\.oc[0-9]+\.[a-z0-9-]*\.[a-z0-9]+")


def _parse_audit_log_id(env: Mapping[str, str]) -> str | None:
    raw = env.get("GALLEY_AUDIT_LOG_ID", "").strip()
    if not raw:
        return None
    if not _LOG_OCID.fullmatch(raw):
        raise SettingsError(
            f"GALLEY_AUDIT_LOG_ID={raw!r} is not a log OCID; expected ocid1.log.oc1.<region>.<id>"
            " (the custom log the audit records go to), or unset for stdout only"
        )
    return raw


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Parse and check every setting; create the data dir. Raises SettingsError."""
    host = env.get("GALLEY_HOST", "").strip() or DEFAULT_HOST
    port = parse_port(env)
    url_token_digests = _parse_url_token(env)
    allowed_origins = _parse_origins(env)
    shutdown_grace_seconds = _parse_grace(env)
    raw_dir = env.get("GALLEY_DATA_DIR", "").strip() or DEFAULT_DATA_DIR
    data_dir = Path(raw_dir)
    if not data_dir.is_absolute():
        raise SettingsError(f"GALLEY_DATA_DIR={raw_dir!r} is relative; expected an absolute path")
    problem = ensure_data_dir(data_dir)
    if problem is not None:
        raise SettingsError(f"GALLEY_DATA_DIR={raw_dir!r} is unusable: {problem}")
    return Settings(
        host=host,
        port=port,
        data_dir=data_dir,
        url_token_digests=url_token_digests,
        allowed_origins=allowed_origins,
        shutdown_grace_seconds=shutdown_grace_seconds,
        audit_log_id=_parse_audit_log_id(env),
    )

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

DEFAULT_HOST = "0.0.0.0"  # noqa: S104 - the container must be reachable from the gateway
DEFAULT_PORT = 8000
DEFAULT_DATA_DIR = "/var/lib/galley"
DEFAULT_SHUTDOWN_GRACE_SECONDS = 8.0  # below `docker stop`'s 10 s before SIGKILL
MAX_SHUTDOWN_GRACE_SECONDS = 300.0
MIN_TOKEN_LENGTH = 16
# RFC 3986 unreserved characters: the token travels in the URL unencoded. The same class as the
# url_token validation of modules/container-instance.
URL_SAFE_TOKEN = re.compile(r"[A-Za-z0-9._~-]+")


class SettingsError(Exception):
    """A setting is missing or invalid; the message is one line naming the variable."""


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    data_dir: Path
    url_token: str = field(repr=False)
    # Empty: every request carrying an Origin header is refused (browsers send one; MCP hosts
    # calling server-to-server send none), as the MCP transport spec asks of servers.
    allowed_origins: frozenset[str] = frozenset()
    shutdown_grace_seconds: float = DEFAULT_SHUTDOWN_GRACE_SECONDS


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


def _parse_token(env: Mapping[str, str]) -> str:
    # Messages give the length only: the value is a secret.
    token = env.get("GALLEY_URL_TOKEN", "")
    if not token:
        raise SettingsError(
            "GALLEY_URL_TOKEN is not set; expected a secret of at least "
            f"{MIN_TOKEN_LENGTH} characters that clients pass as ?token="
        )
    if not URL_SAFE_TOKEN.fullmatch(token):
        raise SettingsError(
            "GALLEY_URL_TOKEN contains characters that are not URL-safe; expected only "
            "letters, digits, '.', '_', '~' and '-'"
        )
    if len(token) < MIN_TOKEN_LENGTH:
        raise SettingsError(
            f"GALLEY_URL_TOKEN is {len(token)} characters long; "
            f"expected at least {MIN_TOKEN_LENGTH}"
        )
    return token


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


def load_settings(env: Mapping[str, str] = os.environ) -> Settings:
    """Parse and check every setting; create the data dir. Raises SettingsError."""
    host = env.get("GALLEY_HOST", "").strip() or DEFAULT_HOST
    port = parse_port(env)
    token = _parse_token(env)
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
        url_token=token,
        allowed_origins=allowed_origins,
        shutdown_grace_seconds=shutdown_grace_seconds,
    )

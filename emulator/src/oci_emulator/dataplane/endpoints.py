"""From a cloud URL to the local one: ``https://<gateway hostname>/...`` as the data plane
serves it (``https://127.0.0.1:<port>/...``), for scripts and tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from oci_emulator.dataplane import daemon
from oci_emulator.dataplane.listeners import covers


def local_url(remote_url: str, current: dict[str, Any]) -> str | None:
    """``remote_url`` through the listener of its gateway in status ``current``, or None."""
    parts = urlsplit(remote_url)
    for gateway in (current.get("gateways") or {}).values():
        custom = tuple(gateway.get("certificate_names") or ())
        if gateway.get("hostname") == parts.hostname or covers(custom, parts.hostname or ""):
            return urlunsplit(parts._replace(netloc=f"127.0.0.1:{gateway['port']}"))
    return None


def wait_for_local_url(state_dir: Path, remote_url: str, timeout_s: float) -> str:
    """The local URL once the gateway of ``remote_url`` listens (bounded wait)."""
    current = daemon.wait_for(state_dir, lambda s: local_url(remote_url, s) is not None, timeout_s)
    url = local_url(remote_url, current)
    assert url is not None
    return url


def ca_path(state_dir: Path) -> Path:
    """The CA certificate clients of this cloud's gateways trust."""
    return daemon.status.Paths(state_dir).ca_cert

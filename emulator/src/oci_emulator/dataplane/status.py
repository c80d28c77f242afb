"""The data plane's files under ``<state dir>/dataplane``: where they are, and the status file
the daemon rewrites after each reconcile (what runs, where gateways listen, the CA path)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any


class Paths:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir.resolve()
        self.root = self.state_dir / "dataplane"
        self.pidfile = self.root / "daemon.pid"
        self.status = self.root / "status.json"
        self.log = self.root / "daemon.log"
        self.ports = self.root / "ports.json"
        self.ca_dir = self.root / "ca"
        self.ca_cert = self.ca_dir / "ca.pem"


def write(path: Path, data: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".status-", suffix=".json")
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=1, sort_keys=True)
    os.replace(tmp, path)


def read(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

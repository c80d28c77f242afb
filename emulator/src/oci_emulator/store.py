"""The emulated cloud's persistent state: one JSON file per state directory, under a file lock.

Terraform runs provider calls in parallel (and in several processes: one per phase, plus separate
roots sharing one cloud), so every read-modify-write happens under an exclusive `flock` and the
file is replaced atomically.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from oci_emulator import ocids
from oci_emulator.envvars import HOME_REGION_ENV, REGION_ENV, STATE_DIR_ENV

DEFAULT_REGION = "us-ashburn-1"
_STATE_FILE = "cloud.json"
_LOCK_FILE = "cloud.lock"


@dataclass
class World:
    """What the OCI rules see: the cloud's contents plus the caller's region and tenancy.

    ``region`` is the region of the call (the provider's); ``home_region`` the tenancy's home
    region, where IAM writes must go (``region`` when not given).
    """

    region: str
    tenancy_id: str
    namespace: str
    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    compartment_parent: dict[str, str] = field(default_factory=dict)
    home_region: str = ""
    # policy id -> statement -> when it was written (unix seconds): IAM propagation (oci/).
    statements_written: dict[str, dict[str, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.home_region = self.home_region or self.region

    def to_json(self) -> dict[str, Any]:
        return {
            "tenancy_id": self.tenancy_id,
            "namespace": self.namespace,
            "region": self.region,
            "home_region": self.home_region,
            "resources": self.resources,
            "compartment_parent": self.compartment_parent,
            "statements_written": self.statements_written,
        }


def default_state_dir() -> Path:
    value = os.environ.get(STATE_DIR_ENV)
    return Path(value) if value else Path.cwd() / ".oci-emulator"


def known_region(setting: str, value: str) -> str:
    """``value`` if it is a public OCI region name, else a ValueError naming the setting."""
    if value not in ocids.REGION_KEYS:
        raise ValueError(
            f"{setting} {value!r} is not a known OCI region "
            f"(expected one of: {', '.join(sorted(ocids.REGION_KEYS))})"
        )
    return value


class Store:
    """The cloud in ``state_dir``, created on first use.

    ``default_region`` applies to a new cloud only. ``home_region`` (or $OCI_EMULATOR_HOME_REGION)
    is the tenancy's home region: given, it is (re)recorded, so the opener decides; not given, a
    new cloud's home is its default region.
    """

    def __init__(
        self,
        state_dir: Path | str | None = None,
        default_region: str | None = None,
        home_region: str | None = None,
    ) -> None:
        self.state_dir = Path(state_dir) if state_dir else default_state_dir()
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self._state_path = self.state_dir / _STATE_FILE
        self._lock_path = self.state_dir / _LOCK_FILE
        home = home_region or os.environ.get(HOME_REGION_ENV) or None
        if home is not None:
            known_region(f"home region ({HOME_REGION_ENV})", home)
        with self._locked():
            if not self._state_path.exists():
                self._write(self._fresh(default_region, home))
            elif home is not None:
                data = self._read()
                if data.get("home_region") != home:
                    data["home_region"] = home
                    self._write(data)

    @staticmethod
    def _fresh(region: str | None, home_region: str | None) -> dict[str, Any]:
        region = region or os.environ.get(REGION_ENV, DEFAULT_REGION)
        return World(
            region=region,
            tenancy_id=ocids.tenancy_ocid(),
            namespace=ocids.object_storage_namespace(),
            home_region=home_region or region,
        ).to_json()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        # A new open file description per call: flock then also excludes other threads.
        with open(self._lock_path, "a+") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _read(self) -> dict[str, Any]:
        return json.loads(self._state_path.read_text())

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.state_dir, prefix=".cloud-", suffix=".json")
        with os.fdopen(fd, "w") as f:
            json.dump(data, f, indent=1, sort_keys=True)
        os.replace(tmp, self._state_path)

    @staticmethod
    def _world(data: dict[str, Any], region: str | None) -> World:
        return World(
            region=region or data["region"],
            tenancy_id=data["tenancy_id"],
            namespace=data["namespace"],
            resources=data["resources"],
            compartment_parent=data["compartment_parent"],
            # Clouds written before home regions existed: their default region is home.
            home_region=data.get("home_region") or data["region"],
            statements_written=data.get("statements_written", {}),
        )

    @contextmanager
    def transaction(self, region: str | None = None) -> Iterator[World]:
        """Yield the world for a read-modify-write; changes are saved if the block succeeds."""
        with self._locked():
            data = self._read()
            world = self._world(data, region)
            yield world
            data["resources"] = world.resources
            data["compartment_parent"] = world.compartment_parent
            data["statements_written"] = world.statements_written
            self._write(data)

    def snapshot(self, region: str | None = None) -> World:
        """A consistent copy of the world for read-only use."""
        with self._locked():
            data = self._read()
        return self._world(data, region)  # freshly parsed: nothing else holds it

    def resources(self, type_: str | None = None) -> list[dict[str, Any]]:
        world = self.snapshot()
        return [r for r in world.resources.values() if type_ is None or r["type"] == type_]

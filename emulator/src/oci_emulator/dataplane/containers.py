"""Container instances as Docker containers (docker SDK; blocking calls, run in threads).

Each container is labelled with its cloud, instance and container spec, so the data plane finds
what it runs after a restart and never touches anything else. Images are used as the engine has
them under the exact ``image_url`` reference: nothing is ever pulled. Ports the image exposes and
health-check ports are published on 127.0.0.1 only. The containers of one instance share the
first one's network namespace, as an instance's containers share its VNIC.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import docker
import docker.errors

from oci_emulator.dataplane.addresses import LOOPBACK
from oci_emulator.dataplane.desired import ContainerSpec, InstanceSpec

LABEL_CLOUD = "oci-emulator.cloud"
LABEL_INSTANCE = "oci-emulator.instance"
LABEL_INDEX = "oci-emulator.container-index"
LABEL_SPEC = "oci-emulator.spec"
LABEL_GRACE = "oci-emulator.grace-seconds"
VCPUS_PER_OCPU = 2  # flexible E4/E5 shapes


class ImageMissing(Exception):
    """The engine has no image under the container's image_url."""


def cloud_key(state_dir: Path) -> str:
    """Names one emulated cloud among the engine's containers (its directory, resolved)."""
    return hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:12]


def _timestamp(value: str | None) -> float | None:
    if not value or value.startswith("0001-"):
        return None
    # Docker gives RFC 3339 with nanoseconds; seconds are precise enough here.
    head = value.split(".")[0].rstrip("Z")
    return datetime.fromisoformat(head + "+00:00").timestamp()


@dataclass
class Observed:
    """A container of this cloud as the engine reports it."""

    docker_id: str
    name: str
    instance_id: str
    index: int
    spec: str
    grace_s: int
    image: str
    status: str  # created, running, paused, restarting, exited, dead
    exit_code: int
    started_at: float | None
    finished_at: float | None
    ports: dict[int, int] = field(default_factory=dict)  # container port -> loopback port
    pid: int = 0  # its main process on this machine (0 when not running)

    @property
    def up(self) -> bool:
        return self.status in ("running", "paused")


def _observed(attrs: dict[str, Any]) -> Observed:
    labels = attrs["Config"]["Labels"] or {}
    state = attrs["State"]
    ports: dict[int, int] = {}
    for key, bindings in (attrs["NetworkSettings"].get("Ports") or {}).items():
        port, _, proto = key.partition("/")
        for binding in bindings or []:
            if proto == "tcp" and binding.get("HostIp") == LOOPBACK:
                ports[int(port)] = int(binding["HostPort"])
    return Observed(
        docker_id=attrs["Id"],
        name=attrs["Name"].lstrip("/"),
        instance_id=labels.get(LABEL_INSTANCE, ""),
        index=int(labels.get(LABEL_INDEX, "0")),
        spec=labels.get(LABEL_SPEC, ""),
        grace_s=int(labels.get(LABEL_GRACE, "10")),
        image=attrs["Config"]["Image"],
        status=state["Status"],
        exit_code=int(state.get("ExitCode") or 0),
        started_at=_timestamp(state.get("StartedAt")),
        finished_at=_timestamp(state.get("FinishedAt")),
        ports=ports,
        pid=int(state.get("Pid") or 0),
    )


class Engine:
    def __init__(self, client: docker.DockerClient, cloud: str) -> None:
        self.client = client
        self.cloud = cloud
        self._events: Any = None
        self._closed = False

    def follow_events(self, notify: Callable[[], None]) -> None:
        """Call notify() on each engine event about this cloud's containers, until
        close_events() (blocks: run it in a thread)."""
        while not self._closed:  # the stream ends when the engine restarts: follow it again
            try:
                self._events = self.client.api.events(
                    decode=True,
                    filters={"type": "container", "label": f"{LABEL_CLOUD}={self.cloud}"},
                )
                for _event in self._events:
                    notify()
            except (docker.errors.DockerException, OSError, ValueError):
                if not self._closed:
                    time.sleep(1)

    def close_events(self) -> None:
        self._closed = True
        if self._events is not None:
            with contextlib.suppress(Exception):
                self._events.close()

    def observe(self) -> list[Observed]:
        """Every container of this cloud, running or not."""
        found = []
        listed = self.client.api.containers(
            all=True, filters={"label": f"{LABEL_CLOUD}={self.cloud}"}
        )
        for entry in listed:
            try:
                found.append(_observed(self.client.api.inspect_container(entry["Id"])))
            except docker.errors.NotFound:
                continue  # removed between the list and the inspect
        return found

    def has_image(self, reference: str) -> bool:
        try:
            self.client.images.get(reference)
        except (docker.errors.ImageNotFound, docker.errors.APIError):
            return False
        return True

    def exposed_ports(self, reference: str) -> set[int]:
        config = self.client.images.get(reference).attrs.get("Config") or {}
        return {
            int(key.partition("/")[0])
            for key in config.get("ExposedPorts") or {}
            if key.endswith("/tcp")
        }

    def create(
        self,
        instance: InstanceSpec,
        container: ContainerSpec,
        *,
        publish: set[int],
        network_of: str | None,
        extras: dict[str, Any] | None = None,
    ) -> str:
        """Create and start one container; its id. Raises ImageMissing. ``extras``: the resource
        principal's environment, mounts and host names (services.py)."""
        if not self.has_image(container.image):
            raise ImageMissing(container.image)
        spec = container.fingerprint()
        name = f"ociemu-{self.cloud[:8]}-{instance.id[-8:]}-{container.index}-{spec[:6]}"
        options: dict[str, Any] = {
            "name": name,
            "detach": True,
            "environment": dict(container.environment),
            "labels": {
                LABEL_CLOUD: self.cloud,
                LABEL_INSTANCE: instance.id,
                LABEL_INDEX: str(container.index),
                LABEL_SPEC: spec,
                LABEL_GRACE: str(instance.grace_s),
            },
            # The data plane applies container_restart_policy itself (with OCI's semantics).
            "restart_policy": {"Name": "no"},
            "nano_cpus": int(min(instance.ocpus * VCPUS_PER_OCPU, os.cpu_count() or 1) * 1e9),
        }
        if instance.memory_gb:
            options["mem_limit"] = f"{int(instance.memory_gb * 1024)}m"
        if container.command:
            options["entrypoint"] = list(container.command)
        if container.arguments:
            options["command"] = list(container.arguments)
        if container.working_directory:
            options["working_dir"] = container.working_directory
        if extras and not container.resource_principal_disabled:
            options["environment"] = {**extras["environment"], **options["environment"]}
            options["volumes"] = extras["volumes"]
        if network_of is None:
            options["ports"] = {f"{port}/tcp": (LOOPBACK, None) for port in sorted(publish)}
            if extras:  # the instance's other containers share this one's /etc/hosts
                options["extra_hosts"] = extras["extra_hosts"]
        else:
            options["network_mode"] = f"container:{network_of}"
        with_name = self.client.containers.list(all=True, filters={"name": f"^/{name}$"})
        for stale in with_name:
            stale.remove(force=True)
        created = self.client.containers.create(container.image, **options)
        created.start()
        return str(created.id)

    def start(self, docker_id: str) -> None:
        self.client.api.start(docker_id)

    def kill(self, docker_id: str) -> None:
        try:
            self.client.api.kill(docker_id)
        except docker.errors.APIError as exc:
            if "is not running" not in str(exc):
                raise

    def stop_and_remove(self, docker_id: str, grace_s: int) -> None:
        """SIGTERM, up to grace_s for the container to exit, then SIGKILL; then remove it."""
        try:
            self.client.api.stop(docker_id, timeout=grace_s)
            self.client.api.remove_container(docker_id, force=True)
        except docker.errors.NotFound:
            pass

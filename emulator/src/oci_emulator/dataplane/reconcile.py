"""The reconcile loop: make what runs match what the emulated cloud holds, again and again.

Each step reads the store, observes the engine's containers of this cloud, then starts, stops,
restarts or replaces containers, refreshes the address map and the gateways' listeners, and
writes the status file. Docker calls run in threads so the gateways keep serving meanwhile.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from oci_emulator.dataplane import desired, health, status
from oci_emulator.dataplane.addresses import AddressMap
from oci_emulator.dataplane.ca import CertificateAuthority
from oci_emulator.dataplane.containers import Engine, ImageMissing, Observed
from oci_emulator.dataplane.listeners import Listener, PortBook
from oci_emulator.dataplane.proxy import GatewayApp
from oci_emulator.dataplane.services import Services
from oci_emulator.store import Store

log = logging.getLogger("oci_emulator.dataplane")
# A container that ran this long before exiting restarts without back-off.
_STABLE_RUN_S = 30.0
_MAX_BACKOFF_S = 10.0


@dataclass
class _Restarts:
    count: int = 0
    not_before: float = 0.0


class Reconciler:
    def __init__(
        self,
        store: Store,
        engine: Engine,
        paths: status.Paths,
        client: aiohttp.ClientSession,
    ) -> None:
        self._store = store
        self._engine = engine
        self._paths = paths
        self._client = client
        self.addresses = AddressMap()
        self.ca = CertificateAuthority(paths.ca_dir)
        # OCI's service endpoints inside the instances, for their resource principals.
        self.services = Services(store, paths.root, self.ca)
        self._cloud = ("", "", "")  # tenancy, region, namespace of the last snapshot
        self._ports = PortBook(paths.ports)
        self._listeners: dict[str, Listener] = {}
        self._gateway_specs: dict[str, desired.GatewaySpec] = {}
        # docker id -> (the start those probes watch, the probes)
        self._monitors: dict[str, tuple[float | None, list[asyncio.Task[None]]]] = {}
        self._health: dict[str, dict[str, health.HealthState]] = {}
        self._published: dict[str, dict[int, int]] = {}  # docker id -> ports
        self._stopping: dict[str, asyncio.Task[None]] = {}
        self._restarts: dict[tuple[str, int], _Restarts] = {}
        self._errors: dict[str, str] = {}
        self._observed: list[Observed] = []
        self._status_text = ""
        self.steps = 0
        self._wake: asyncio.Event | None = None  # run()'s: a health change writes back at once

    # --- one step -----------------------------------------------------------------------------

    async def step(self) -> bool:
        """One pass; True while something is in flux (so the next pass comes soon)."""
        world = await asyncio.to_thread(self._store.snapshot)
        self._cloud = (world.tenancy_id, world.region, world.namespace)
        instances = desired.instances(world.resources)
        gateways = desired.gateways(world.resources)
        observed = await asyncio.to_thread(self._engine.observe)
        changed = await self._containers(instances, observed)
        if changed:
            observed = await asyncio.to_thread(self._engine.observe)
        self._observed = observed
        self._published = {o.docker_id: o.ports for o in observed}
        self._health_checks(instances, observed)
        await self._services(instances, observed)
        self.addresses.replace(self._address_entries(instances, observed))
        await self._gateways(gateways)
        self.steps += 1
        self._write_status(instances, gateways)
        await self._write_back(world.resources, instances)
        wanted = sum(len(i.containers) for i in instances if _due(i))
        running = sum(1 for o in observed if o.status == "running")
        pending = any(i.state in ("CREATING", "DELETING") for i in instances)
        return changed or pending or bool(self._stopping or self._errors) or running != wanted

    async def _containers(
        self, instances: list[desired.InstanceSpec], observed: list[Observed]
    ) -> bool:
        wanted = {(i.id, c.index): (i, c) for i in instances if _due(i) for c in i.containers}
        changed = False
        current: dict[tuple[str, int], Observed] = {}
        for o in observed:
            if o.docker_id in self._stopping:
                continue
            want = wanted.get((o.instance_id, o.index))
            if want is None or want[1].fingerprint() != o.spec:
                self._stop(o)  # destroyed, stopped (INACTIVE) or replaced
            else:
                current[(o.instance_id, o.index)] = o
        for instance in instances:
            if not _due(instance):
                continue
            try:
                changed |= await self._instance(instance, current)
                self._errors.pop(instance.id, None)
            except ImageMissing as missing:
                message = f"image {missing} is not in the local Docker engine (nothing is pulled)"
                if self._errors.get(instance.id) != message:
                    log.warning("instance %s: %s", instance.id, message)
                self._errors[instance.id] = message
        return changed

    async def _instance(
        self, instance: desired.InstanceSpec, current: dict[tuple[str, int], Observed]
    ) -> bool:
        changed = False
        first: str | None = None
        for container in instance.containers:
            key = (instance.id, container.index)
            seen = current.get(key)
            if seen is None:
                publish = await self._ports_to_publish(instance)
                extras = await asyncio.to_thread(
                    self.services.container_extras, instance, *self._cloud
                )
                docker_id = await asyncio.to_thread(
                    self._engine.create,
                    instance,
                    container,
                    publish=publish,
                    network_of=first,
                    extras=extras,
                )
                log.info("instance %s: started container %s", instance.id, container.display_name)
                changed = True
            else:
                docker_id = seen.docker_id
                changed |= await self._restart_if_due(instance, seen)
            if first is None:
                first = docker_id
        return changed

    async def _ports_to_publish(self, instance: desired.InstanceSpec) -> set[int]:
        ports: set[int] = set()
        for container in instance.containers:
            ports |= await asyncio.to_thread(self._engine.exposed_ports, container.image)
            ports |= {c.port for c in container.health_checks if c.port}
        return ports

    async def _restart_if_due(self, instance: desired.InstanceSpec, seen: Observed) -> bool:
        if seen.up or seen.status == "restarting":
            return False
        if seen.status == "created":
            await asyncio.to_thread(self._engine.start, seen.docker_id)
            return True
        policy = instance.restart_policy
        if policy == "NEVER" or (policy == "ON_FAILURE" and seen.exit_code == 0):
            return False
        key = (seen.instance_id, seen.index)
        restarts = self._restarts.setdefault(key, _Restarts())
        now = time.time()
        ran = (seen.finished_at or now) - (seen.started_at or now)
        if ran >= _STABLE_RUN_S:
            restarts.count = 0
        if restarts.count and now < restarts.not_before:
            return False
        restarts.count += 1
        restarts.not_before = now + min(0.5 * 2 ** (restarts.count - 1), _MAX_BACKOFF_S)
        log.info(
            "instance %s: container %d exited (%d), restarting (policy %s)",
            seen.instance_id,
            seen.index,
            seen.exit_code,
            policy,
        )
        await asyncio.to_thread(self._engine.start, seen.docker_id)
        return True

    def _stop(self, seen: Observed) -> None:
        self._forget_monitors(seen.docker_id)
        log.info("instance %s: stopping container %s", seen.instance_id, seen.name)

        async def stop() -> None:
            try:
                await asyncio.to_thread(self._engine.stop_and_remove, seen.docker_id, seen.grace_s)
            finally:
                self._stopping.pop(seen.docker_id, None)

        self._stopping[seen.docker_id] = asyncio.ensure_future(stop())

    # --- health checks ------------------------------------------------------------------------

    def _health_checks(
        self, instances: list[desired.InstanceSpec], observed: list[Observed]
    ) -> None:
        specs = {(i.id, c.index): c for i in instances for c in i.containers}
        running = set()
        for o in observed:
            if not o.up or o.docker_id in self._stopping:
                continue
            running.add(o.docker_id)
            watched = self._monitors.get(o.docker_id)
            if watched is not None and watched[0] != o.started_at:
                self._forget_monitors(o.docker_id)  # restarted since: probe it afresh
            elif watched is not None or (o.instance_id, o.index) not in specs:
                continue
            container = specs[(o.instance_id, o.index)]
            first = next(
                (x.docker_id for x in observed if x.instance_id == o.instance_id and x.index == 0),
                o.docker_id,
            )
            states = self._health.setdefault(o.docker_id, {})
            tasks = []
            for check in container.health_checks:
                states[check.name] = health.HealthState()
                tasks.append(
                    asyncio.ensure_future(
                        health.monitor(
                            check,
                            states[check.name],
                            self._port_getter(first, check.port),
                            self._client,
                            self._killer(o),
                            self._poke,
                        )
                    )
                )
            self._monitors[o.docker_id] = (o.started_at, tasks)
        for docker_id in list(self._monitors):
            if docker_id not in running:
                self._forget_monitors(docker_id)

    def _poke(self) -> None:
        if self._wake is not None:
            self._wake.set()

    def _port_getter(self, docker_id: str, port: int) -> Callable[[], int | None]:
        return lambda: self._published.get(docker_id, {}).get(port)

    def _killer(self, seen: Observed) -> Callable[[], Any]:
        async def kill() -> None:
            log.warning(
                "instance %s: container %d is unhealthy, killing it", seen.instance_id, seen.index
            )
            await asyncio.to_thread(self._engine.kill, seen.docker_id)

        return kill

    def _forget_monitors(self, docker_id: str) -> None:
        for task in self._monitors.pop(docker_id, (None, []))[1]:
            task.cancel()
        self._health.pop(docker_id, None)

    async def _services(
        self, instances: list[desired.InstanceSpec], observed: list[Observed]
    ) -> None:
        running = {}
        for instance in instances:
            first = next(
                (
                    o
                    for o in observed
                    if o.instance_id == instance.id and o.index == 0 and o.up and o.pid
                ),
                None,
            )
            # A container in its graceful-shutdown period still reaches OCI's services (the
            # instance keeps its VNIC until its containers stop): Galley ships its last audit
            # records then.
            if first is not None:
                running[instance.id] = (instance, first.pid)
        try:
            await self.services.sync(running, {i.id for i in instances}, self._cloud)
        except Exception:
            log.exception("OCI service endpoints: sync failed; retrying")

    # --- addresses and gateways ---------------------------------------------------------------

    def _address_entries(
        self, instances: list[desired.InstanceSpec], observed: list[Observed]
    ) -> dict[tuple[str, int], int]:
        entries: dict[tuple[str, int], int] = {}
        for instance in instances:
            first = next(
                (
                    o
                    for o in observed
                    if o.instance_id == instance.id
                    and o.index == 0
                    and o.status == "running"
                    and o.docker_id not in self._stopping
                ),
                None,
            )
            if first is None:
                continue  # down: its addresses answer nothing (the gateway says 502)
            for ip in instance.private_ips:
                for port, published in first.ports.items():
                    entries[(ip, port)] = published
        return entries

    async def _gateways(self, gateways: list[desired.GatewaySpec]) -> None:
        wanted = {g.id: g for g in gateways}
        for gateway_id in list(self._listeners):
            if gateway_id not in wanted:
                await self._listeners.pop(gateway_id).stop()
                self._gateway_specs.pop(gateway_id, None)
                self._ports.forget(gateway_id)
                log.info("gateway %s: listener stopped", gateway_id)
        for gateway in gateways:
            try:
                await self._gateway(gateway)
            except Exception:
                # One gateway that cannot be served must not hold the others back.
                log.exception("gateway %s: cannot serve it; retrying", gateway.id)

    async def _gateway(self, gateway: desired.GatewaySpec) -> None:
        listener = self._listeners.get(gateway.id)
        if listener is None:
            cert, key = self.ca.server_certificate(
                f"gateway-{gateway.id[-12:]}", [gateway.hostname]
            )
            app = GatewayApp(self.addresses, self._client)
            app.configure(gateway)
            listener = Listener(gateway.id, app, cert, key)
            self._certificate(listener, gateway)
            port = await listener.start(self._ports.get(gateway.id))
            self._ports.put(gateway.id, port)
            self._listeners[gateway.id] = listener
            log.info("gateway %s: listening on https://127.0.0.1:%d", gateway.id, port)
        elif self._gateway_specs.get(gateway.id) != gateway:
            listener.app.configure(gateway)
            if self._gateway_specs[gateway.id].certificate != gateway.certificate:
                self._certificate(listener, gateway)
        self._gateway_specs[gateway.id] = gateway

    def _certificate(self, listener: Listener, gateway: desired.GatewaySpec) -> None:
        """The gateway's own certificate (custom domain), if it names one, on its listener."""
        custom = gateway.certificate
        if custom is None:
            listener.drop_certificate()
            return
        cert, key = self.ca.custom_certificate(
            f"gateway-{gateway.id[-12:]}-custom", custom.chain_pem, custom.key_pem
        )
        listener.use_certificate(custom.names, cert, key)
        log.info("gateway %s: presents certificate %s for %s", gateway.id, custom.id, custom.names)

    # --- status -------------------------------------------------------------------------------

    def _write_status(
        self, instances: list[desired.InstanceSpec], gateways: list[desired.GatewaySpec]
    ) -> None:
        report: dict[str, Any] = {
            "ca": str(self._paths.ca_cert),
            "services_off": self.services.off_reason,
            "services_errors": dict(self.services.errors),
            "addresses": self.addresses.as_dict(),
            # deployment id -> the time_updated of the specification served (the provider's
            # apply waits for it after a deployment's work request: oci/work_requests.py)
            "deployments_served": {
                d.id: d.version for g in gateways if g.id in self._listeners for d in g.deployments
            },
            "gateways": {},
            "instances": {},
            "stopping": sorted(o.name for o in self._observed if o.docker_id in self._stopping),
        }
        for gateway_id, listener in self._listeners.items():
            spec = self._gateway_specs[gateway_id]
            base = f"https://127.0.0.1:{listener.port}"
            report["gateways"][gateway_id] = {
                "hostname": spec.hostname,
                # Names its own certificate covers (a custom domain's hostname among them).
                "certificate_names": list(spec.certificate.names) if spec.certificate else [],
                "port": listener.port,
                "endpoints": {
                    d.path_prefix: base + d.path_prefix.rstrip("/") for d in spec.deployments
                },
            }
        for instance in instances:
            containers = []
            for o in sorted(self._observed, key=lambda x: x.index):
                if o.instance_id != instance.id or o.docker_id in self._stopping:
                    continue
                restarts = self._restarts.get((o.instance_id, o.index), _Restarts())
                containers.append(
                    {
                        "index": o.index,
                        "name": o.name,
                        "docker_id": o.docker_id,
                        "image": o.image,
                        "state": o.status,
                        "exit_code": o.exit_code,
                        "restarts": restarts.count,
                        "ports": {str(k): v for k, v in sorted(o.ports.items())},
                        "health": {
                            name: state.status
                            for name, state in self._health.get(o.docker_id, {}).items()
                        },
                    }
                )
            report["instances"][instance.id] = {
                "display_name": instance.display_name,
                "private_ips": list(instance.private_ips),
                "active": instance.active,
                "error": self._errors.get(instance.id),
                "containers": containers,
            }
        text = repr(sorted(report.items()))
        if text != self._status_text:
            self._status_text = text
            current = status.read(self._paths.status)
            status.write(self._paths.status, {**current, **report, "updated": time.time()})

    # --- what the data plane observes, written back into the cloud ------------------------------

    def _observed_attrs(self, instance: desired.InstanceSpec, attrs: dict[str, Any]) -> None:
        """Set the instance's and its containers' states and health as OCI reports them."""
        mine = {
            o.index: o
            for o in self._observed
            if o.instance_id == instance.id and o.docker_id not in self._stopping
        }
        started = len(mine) == len(instance.containers) and all(o.up for o in mine.values())
        if instance.state == "CREATING" and time.time() >= instance.starts_at and started:
            attrs["state"] = "ACTIVE"  # the create work request ends: containers started
        for spec, raw in zip(instance.containers, attrs.get("containers") or [], strict=False):
            seen = mine.get(spec.index)
            if attrs["state"] == "ACTIVE" and seen is not None:
                stopped = not seen.up and seen.status != "restarting"
                final = instance.restart_policy == "NEVER" or (
                    instance.restart_policy == "ON_FAILURE" and seen.exit_code == 0
                )
                raw["state"] = "INACTIVE" if stopped and final else "ACTIVE"
                raw["exit_code"] = seen.exit_code if stopped else None
            states = self._health.get(seen.docker_id, {}) if seen is not None else {}
            for check, raw_check in zip(
                spec.health_checks, raw.get("health_checks") or [], strict=False
            ):
                state = states.get(check.name)
                raw_check["status"] = state.status if state else "UNKNOWN"
                raw_check["status_details"] = (
                    state.details if state else "the container is not running"
                )

    async def _write_back(
        self, resources: dict[str, dict[str, Any]], instances: list[desired.InstanceSpec]
    ) -> None:
        """Write states, health and the work requests' outcomes into the store, when changed."""
        patches: dict[str, dict[str, Any]] = {}
        for instance in instances:
            record = resources.get(instance.id)
            if record is None:
                continue
            work = dict(record.get(desired.WORK_REQUEST) or {})
            attrs = copy.deepcopy(record["attrs"])
            if instance.state == "DELETING":
                work["containers_gone"] = not any(
                    o.instance_id == instance.id for o in self._observed
                ) and not any(self._stopping_instance(instance.id))
            elif instance.active:
                self._observed_attrs(instance, attrs)
                error = self._errors.get(instance.id)
                if instance.state == "CREATING" and error and work:
                    work["error"] = f"Failed to pull image: {error}"
            if attrs != record["attrs"] or (work and work != record.get(desired.WORK_REQUEST)):
                patches[instance.id] = {"attrs": attrs, "work": work, "base": _base(record)}
        if patches:
            await asyncio.to_thread(self._apply_patches, patches)

    def _stopping_instance(self, instance_id: str) -> list[str]:
        return [
            o.docker_id
            for o in self._observed
            if o.instance_id == instance_id and o.docker_id in self._stopping
        ]

    def _apply_patches(self, patches: dict[str, dict[str, Any]]) -> None:
        with self._store.transaction() as world:
            for ocid, patch in patches.items():
                record = world.resources.get(ocid)
                if record is None or _base(record) != patch["base"]:
                    continue  # changed since it was read (a delete or an update began): skip
                record["attrs"] = patch["attrs"]
                if patch["work"] and record.get(desired.WORK_REQUEST):
                    record[desired.WORK_REQUEST] = patch["work"]

    # --- the loop -----------------------------------------------------------------------------

    async def run(
        self,
        stopping: asyncio.Event,
        intervals: tuple[float, float],
        on_ready: Callable[[], None],
        still_owner: Callable[[], bool],
    ) -> None:
        """Step until ``stopping`` is set or ``still_owner`` says another daemon (or nobody: the
        cloud's directory was removed) owns the cloud now; a failed step is logged and retried.

        A step runs at once when the store file or one of this cloud's containers changes
        (a stat poll and Docker's event stream), every ``intervals[0]`` while something is in
        flux, else every ``intervals[1]``: an idle data plane costs the gateways nothing.
        """
        busy_s, idle_s = intervals
        wake = self._wake = asyncio.Event()
        watchers = [
            asyncio.ensure_future(self._watch_store(wake)),
            asyncio.ensure_future(self._watch_engine(wake)),
        ]
        ready = False
        try:
            while not stopping.is_set():
                if not still_owner():
                    log.warning("the cloud's pidfile is gone or names another daemon: stopping")
                    return
                wake.clear()
                busy = True
                try:
                    busy = await self.step()
                    if not ready:
                        ready = True
                        on_ready()
                except Exception:
                    log.exception("reconcile step failed; retrying")
                await _first(stopping, wake, busy_s if busy else idle_s)
        finally:
            for watcher in watchers:
                watcher.cancel()
            self._engine.close_events()

    async def _watch_store(self, wake: asyncio.Event, every_s: float = 0.1) -> None:
        """Wake the loop when the store file changes (a stat: cheap enough to poll)."""
        path = self._store.state_dir / "cloud.json"
        seen = None
        while True:  # cancelled by run()
            try:
                stat = path.stat()
                now = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
            except OSError:
                now = None
            if now != seen:
                seen = now
                wake.set()
            await asyncio.sleep(every_s)

    async def _watch_engine(self, wake: asyncio.Event) -> None:
        """Wake the loop on every Docker event of this cloud's containers (die, start, ...)."""
        loop = asyncio.get_running_loop()
        await asyncio.to_thread(
            self._engine.follow_events, lambda: loop.call_soon_threadsafe(wake.set)
        )

    async def shutdown(self) -> None:
        """Stop the listeners, then every container of this cloud (each within its grace,
        OCI's services still served to it), then those services."""
        for listener in self._listeners.values():
            await listener.stop()
        self._listeners.clear()
        for docker_id in list(self._monitors):
            self._forget_monitors(docker_id)
        for o in await asyncio.to_thread(self._engine.observe):
            if o.docker_id not in self._stopping:
                self._stop(o)
        if self._stopping:
            await asyncio.gather(*self._stopping.values(), return_exceptions=True)
        await self.services.shutdown()


def _base(record: dict[str, Any]) -> tuple[Any, ...]:
    """What a write-back assumes still holds when it writes: same state, update, work request."""
    attrs = record["attrs"]
    work = record.get(desired.WORK_REQUEST) or {}
    return (attrs.get("state"), attrs.get("time_updated"), work.get("id"))


def _due(instance: desired.InstanceSpec) -> bool:
    """Whether the instance's containers should run now (a CREATING one's images are pulled)."""
    return instance.active and (instance.state != "CREATING" or time.time() >= instance.starts_at)


async def _first(stopping: asyncio.Event, wake: asyncio.Event, timeout_s: float) -> None:
    """Return when either event is set or after timeout_s."""
    waits = [asyncio.ensure_future(stopping.wait()), asyncio.ensure_future(wake.wait())]
    try:
        await asyncio.wait(waits, timeout=timeout_s, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for wait in waits:
            wait.cancel()

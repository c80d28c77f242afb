"""OCI's service endpoints, as the containers the data plane runs reach them: Object Storage
(``objectstorage.<region>.oraclecloud.com``) and Logging ingestion
(``ingestion.logging.<region>.oci.oraclecloud.com``), answered by the data plane itself.

No packet crosses a Docker bridge: for each instance, the daemon opens a listening socket on
127.0.0.1:443 *inside the instance's network namespace* (``setns`` into it from a short-lived
thread; a socket stays in the namespace it was made in), serves it from its own event loop, and
the first container's ``/etc/hosts`` maps the service hostnames to 127.0.0.1 (``extra_hosts``;
the instance's other containers share that namespace and file). Needs the right to enter a
container's network namespace (root, or CAP_SYS_ADMIN): without it the containers run as before
and the status file says why the services are off.

Each request is checked (``principal.Issuer.verify``), its instance must still be in the cloud,
and each service decides it against the cloud's policies (``oci/object_data.py``,
``oci/log_ingestion.py``, ``oci/authz.py``).
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import logging
import os
import socket
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from aiohttp import web

from oci_emulator.dataplane import principal as rp
from oci_emulator.dataplane.ca import CertificateAuthority
from oci_emulator.dataplane.desired import InstanceSpec
from oci_emulator.oci import authz, log_ingestion, object_data
from oci_emulator.store import Store

log = logging.getLogger("oci_emulator.dataplane.services")
PORT = 443
_CLONE_NEWNET = 0x40000000
_SYSTEM_CAS = (Path("/etc/ssl/certs/ca-certificates.crt"), Path("/etc/pki/tls/certs/ca-bundle.crt"))
_UNAUTHENTICATED = (
    "The required information to complete authentication was not provided or was incorrect."
)


Call = object_data.Request
Answer = object_data.Response


@dataclass(frozen=True)
class Endpoint:
    """One OCI service the containers reach: its host names in a region, what answers a call
    (with the world, in a transaction when ``writes`` says so) and which calls write."""

    name: str
    hosts: Callable[[str, str], list[str]]  # (region, namespace) -> host names
    handle: Callable[[Any, authz.Principal, Call], Answer]
    writes: Callable[[Call], bool]


def object_storage_hosts(region: str, namespace: str) -> list[str]:
    """Object Storage's endpoints for ``region``: the SDKs' default template and the realm's
    per-namespace one (oci-python-sdk ``object_storage_client.py``)."""
    return [
        f"objectstorage.{region}.oraclecloud.com",
        f"{namespace}.objectstorage.{region}.oci.customer-oci.com",
    ]


class ServicesUnavailable(OSError):
    """The daemon may not enter containers' network namespaces."""


def listen_in_netns(pid: int, port: int = PORT) -> socket.socket:
    """A listening TCP socket on 127.0.0.1:``port`` in the network namespace of process ``pid``."""
    libc = ctypes.CDLL(None, use_errno=True)
    made: list[socket.socket] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            with (
                open("/proc/thread-self/ns/net", "rb") as own,
                open(f"/proc/{pid}/ns/net", "rb") as target,
            ):
                if libc.setns(target.fileno(), _CLONE_NEWNET) != 0:
                    err = ctypes.get_errno()
                    raise ServicesUnavailable(err, f"setns into pid {pid}: {os.strerror(err)}")
                try:
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    sock.bind(("127.0.0.1", port))
                    sock.listen(128)
                    sock.setblocking(False)
                    made.append(sock)
                finally:
                    if libc.setns(own.fileno(), _CLONE_NEWNET) != 0:  # never keep this thread
                        os._exit(70)  # in a container's namespace: fail loudly instead
        except PermissionError as exc:
            failure.append(ServicesUnavailable(exc.errno, str(exc)))
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=work, name=f"netns-{pid}")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return made[0]


def _netns(pid: int) -> int | None:
    try:
        return os.stat(f"/proc/{pid}/ns/net").st_ino
    except OSError:
        return None


@dataclass
class _Site:
    netns: int
    site: web.SockSite


class Services:
    def __init__(self, store: Store, root: Path, ca: CertificateAuthority) -> None:
        self._store = store
        self._ca = ca
        bundle = ca.cert_path.read_bytes()
        system = next((p for p in _SYSTEM_CAS if p.exists()), None)
        if system is not None:
            bundle += b"\n" + system.read_bytes()
        self.issuer = rp.Issuer(root / "principal", bundle)
        self.blobs = object_data.Blobs(store.state_dir / "objects")
        self.endpoints = [
            Endpoint(
                "objectstorage",
                object_storage_hosts,
                lambda world, caller, call: object_data.handle(world, self.blobs, caller, call),
                object_data.is_write,
            ),
            Endpoint(
                "logging-ingestion",
                log_ingestion.hosts,
                lambda world, caller, call: log_ingestion.handle(
                    world, store.state_dir, caller, call
                ),
                log_ingestion.is_write,
            ),
        ]
        self._issued: set[str] = set()  # instances given credentials
        self._runner: web.AppRunner | None = None
        self._ssl: ssl.SSLContext | None = None
        self._sites: dict[str, _Site] = {}  # instance id -> its listener
        self._cloud = ("", "", "")  # tenancy, region, namespace (sync's)
        self.off_reason: str | None = None
        self.errors: dict[str, str] = {}  # instance id -> why it has no endpoints inside it

    # --- what a container gets ----------------------------------------------------------------

    def principal_of(self, instance: InstanceSpec, tenancy_id: str) -> authz.Principal:
        return authz.Principal(rp.RESOURCE_TYPE, instance.id, instance.compartment_id, tenancy_id)

    def hostnames(self, region: str, namespace: str) -> list[str]:
        return [h for e in self.endpoints for h in e.hosts(region, namespace)]

    def container_extras(
        self, instance: InstanceSpec, tenancy_id: str, region: str, namespace: str
    ) -> dict[str, Any]:
        """Environment, mounts and host names for the instance's containers (engine.create)."""
        creds = self.issuer.credentials(self.principal_of(instance, tenancy_id), region)
        self._issued.add(instance.id)
        return {
            "environment": creds.environment,
            "volumes": {str(creds.directory): {"bind": rp.MOUNT, "mode": "ro"}},
            "extra_hosts": dict.fromkeys(self.hostnames(region, namespace), "127.0.0.1"),
        }

    # --- listeners ----------------------------------------------------------------------------

    async def _start(self, region: str, namespace: str) -> web.AppRunner:
        if self._runner is None:
            cert, key = self._ca.server_certificate(
                f"oci-services-{region}", self.hostnames(region, namespace)
            )
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(cert, key)
            self._ssl = context
            app = web.Application(client_max_size=64 * 1024 * 1024)
            app.router.add_route("*", "/{tail:.*}", self._handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
        return self._runner

    async def sync(
        self,
        running: Mapping[str, tuple[InstanceSpec, int]],
        known: set[str],
        cloud: tuple[str, str, str],
    ) -> None:
        """Listen in the namespace of each running instance (``running``: id -> (spec, pid of
        its first container)); stop listening for the others; drop the credentials of
        instances the cloud no longer holds (``known``). Renews tokens as they age.
        ``cloud``: the tenancy, region and namespace."""
        tenancy_id, region, namespace = self._cloud = cloud
        for instance_id in list(self._sites):
            if instance_id not in running:
                await self._sites.pop(instance_id).site.stop()
        for instance_id in self._issued - known:
            self.issuer.forget(instance_id)
            self._issued.discard(instance_id)
        if self.off_reason is not None:
            return
        runner = await self._start(region, namespace)
        for instance_id, (spec, pid) in running.items():
            self.issuer.credentials(self.principal_of(spec, tenancy_id), region)
            self._issued.add(instance_id)
            netns = _netns(pid)
            current = self._sites.get(instance_id)
            if netns is None or (current is not None and current.netns == netns):
                continue
            if current is not None:  # the container restarted: a new namespace
                await self._sites.pop(instance_id).site.stop()
            try:
                sock = await asyncio.to_thread(listen_in_netns, pid)
            except ServicesUnavailable as exc:
                self.off_reason = f"cannot listen in the containers' network namespaces: {exc}"
                log.warning("services off: %s", self.off_reason)
                return
            except OSError as exc:  # e.g. the container itself listens on 443: this one only
                if self.errors.get(instance_id) != str(exc):
                    log.warning("instance %s: no OCI endpoints inside it: %s", instance_id, exc)
                self.errors[instance_id] = str(exc)
                continue
            self.errors.pop(instance_id, None)
            site = web.SockSite(runner, sock, ssl_context=self._ssl)
            await site.start()
            self._sites[instance_id] = _Site(netns, site)
            log.info("instance %s: OCI endpoints on 127.0.0.1:%d inside it", instance_id, PORT)

    async def shutdown(self) -> None:
        for entry in self._sites.values():
            await entry.site.stop()
        self._sites.clear()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- requests -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {k.lower(): v for k, v in request.headers.items()}
        try:
            caller = self.issuer.verify(request.method, request.raw_path, headers, body)
        except rp.NotAuthenticated as exc:
            return _error(401, "NotAuthenticated", f"{_UNAUTHENTICATED} ({exc})")
        host = headers.get("host", "").rsplit(":", 1)[0].lower()
        _, region, namespace = self._cloud
        endpoint = next((e for e in self.endpoints if host in e.hosts(region, namespace)), None)
        if endpoint is None:
            return _error(404, "NotFound", f"no OCI service is emulated at {host!r}")
        call = Call(
            method=request.method,
            path=request.raw_path,
            query=dict(request.query),
            headers=headers,
            body=body,
        )
        answer = await asyncio.to_thread(self._serve, endpoint, caller, call)
        response = web.Response(status=answer.status, body=answer.body, headers=answer.headers)
        response.headers["opc-request-id"] = os.urandom(16).hex().upper()
        return response

    def _serve(self, endpoint: Endpoint, caller: authz.Principal, call: Call) -> Answer:
        if endpoint.writes(call):
            with self._store.transaction() as world:
                return self._decided(endpoint, world, caller, call)
        return self._decided(endpoint, self._store.snapshot(), caller, call)

    def _decided(
        self, endpoint: Endpoint, world: Any, caller: authz.Principal, call: Call
    ) -> Answer:
        record = world.resources.get(caller.id)
        if record is None or str(record["attrs"].get("state")) in ("DELETED", "DELETING"):
            return Answer(
                401,
                {"content-type": "application/json"},
                _json_error(
                    "NotAuthenticated",
                    f"{_UNAUTHENTICATED} (container instance {caller.id} is gone)",
                ),
            )
        return endpoint.handle(world, caller, call)


def _json_error(code: str, message: str) -> bytes:
    return json.dumps({"code": code, "message": message}).encode()


def _error(status: int, code: str, message: str) -> web.Response:
    return web.Response(
        status=status, body=_json_error(code, message), content_type="application/json"
    )

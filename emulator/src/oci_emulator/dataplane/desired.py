"""What the emulated cloud holds, read as the data plane needs it: containers to run, gateways to
serve. Pure functions of the store's resources (``{ocid: {"type", "id", "attrs"}}``)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

INSTANCE = "oci_container_instances_container_instance"
GATEWAY = "oci_apigateway_gateway"
DEPLOYMENT = "oci_apigateway_deployment"
CERTIFICATE = "oci_apigateway_certificate"
Resources = dict[str, dict[str, Any]]
WORK_REQUEST = "work_request"  # a record's running work request (oci/work_requests.py)

# Defaults of the Container Instances API for omitted health-check settings.
_CHECK_DEFAULTS = {
    "initial_delay_in_seconds": 0,
    "interval_in_seconds": 10,
    "timeout_in_seconds": 3,
    "failure_threshold": 3,
    "success_threshold": 1,
    "failure_action": "KILL",
}
# Defaults of API Gateway's HTTP backend (HTTPBackend in the API reference) for omitted timeouts.
DEFAULT_CONNECT_TIMEOUT_S = 60.0
DEFAULT_READ_TIMEOUT_S = 10.0
DEFAULT_SEND_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class HealthCheck:
    name: str
    kind: str  # "HTTP" or "TCP"
    port: int
    path: str
    headers: tuple[tuple[str, str], ...]
    initial_delay_s: float
    interval_s: float
    timeout_s: float
    failure_threshold: int
    success_threshold: int
    failure_action: str  # "KILL" or "NONE"


@dataclass(frozen=True)
class ContainerSpec:
    index: int
    display_name: str
    image: str
    environment: tuple[tuple[str, str], ...]
    command: tuple[str, ...]
    arguments: tuple[str, ...]
    working_directory: str | None
    health_checks: tuple[HealthCheck, ...]
    # OCI gives every container the instance's resource principal unless this is set.
    resource_principal_disabled: bool = False

    def fingerprint(self) -> str:
        """Changes whenever anything that needs a new container changes."""
        text = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class InstanceSpec:
    id: str
    display_name: str
    private_ips: tuple[str, ...]
    restart_policy: str  # ALWAYS, NEVER, ON_FAILURE
    grace_s: int
    active: bool
    ocpus: float
    memory_gb: float
    containers: tuple[ContainerSpec, ...]
    # OCI's lifecycle state as the cloud records it (CREATING, ACTIVE, INACTIVE, DELETING), and
    # when a CREATING instance's images are pulled so its containers may start (unix seconds;
    # set by the provider's work request, oci/work_requests.py).
    state: str = "ACTIVE"
    starts_at: float = 0.0
    compartment_id: str = ""  # its resource principal's compartment (services.py)


@dataclass(frozen=True)
class BackendSpec:
    type: str  # HTTP_BACKEND, STOCK_RESPONSE_BACKEND, ...
    url: str
    connect_timeout_s: float
    read_timeout_s: float
    send_timeout_s: float
    status: int
    body: str
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Validation:
    mode: str  # ENFORCING, PERMISSIVE, DISABLED
    required: tuple[str, ...]  # names that must be present


@dataclass(frozen=True)
class RouteSpec:
    path: str
    methods: tuple[str, ...]
    backend: BackendSpec
    query_validation: Validation | None
    header_validation: Validation | None


@dataclass(frozen=True)
class RateLimit:
    key: str  # CLIENT_IP or TOTAL
    per_second: float


@dataclass(frozen=True)
class DeploymentSpec:
    id: str
    path_prefix: str
    routes: tuple[RouteSpec, ...]
    rate_limit: RateLimit | None
    version: str = ""  # the deployment's time_updated: which specification this is


@dataclass(frozen=True)
class CustomCertificate:
    """A gateway's own certificate (oci_apigateway_certificate): what it presents to a client
    asking for one of ``names`` (SNI), instead of the certificate of its generated hostname."""

    id: str
    names: tuple[str, ...]  # subject_names: the leaf's DNS names, wildcards included
    chain_pem: str  # the leaf, then the intermediates
    key_pem: str


@dataclass(frozen=True)
class GatewaySpec:
    id: str
    hostname: str
    deployments: tuple[DeploymentSpec, ...]
    certificate: CustomCertificate | None = None


def _first(value: object) -> dict[str, Any]:
    """The single element of a max_items=1 nested block, or {}."""
    return value[0] if isinstance(value, list) and value and isinstance(value[0], dict) else {}


def _pairs(items: object, key: str = "name", value: str = "value") -> tuple[tuple[str, str], ...]:
    return tuple(
        (str(item.get(key)), str(item.get(value) or ""))
        for item in (items or [])  # type: ignore[union-attr]
        if isinstance(item, dict) and item.get(key)
    )


def _number(value: object, default: float) -> float:
    return (
        float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default
    )


def _health_check(raw: dict[str, Any], n: int) -> HealthCheck:
    get = {k: raw.get(k) if raw.get(k) is not None else d for k, d in _CHECK_DEFAULTS.items()}
    return HealthCheck(
        name=str(raw.get("name") or f"check-{n}"),
        kind=str(raw.get("health_check_type") or "HTTP"),
        port=int(raw.get("port") or 0),
        path=str(raw.get("path") or "/"),
        headers=_pairs(raw.get("headers")),
        initial_delay_s=float(get["initial_delay_in_seconds"]),
        interval_s=float(get["interval_in_seconds"]),
        timeout_s=float(get["timeout_in_seconds"]),
        failure_threshold=int(get["failure_threshold"]),
        success_threshold=int(get["success_threshold"]),
        failure_action=str(get["failure_action"]),
    )


def _container(raw: dict[str, Any], index: int) -> ContainerSpec:
    env = raw.get("environment_variables") or {}
    return ContainerSpec(
        index=index,
        display_name=str(raw.get("display_name") or f"container-{index}"),
        image=str(raw.get("image_url") or ""),
        environment=tuple(sorted((str(k), str(v)) for k, v in env.items())),
        command=tuple(str(c) for c in raw.get("command") or []),
        arguments=tuple(str(a) for a in raw.get("arguments") or []),
        working_directory=raw.get("working_directory") or None,
        health_checks=tuple(
            _health_check(c, n) for n, c in enumerate(raw.get("health_checks") or [], 1)
        ),
        resource_principal_disabled=raw.get("is_resource_principal_disabled") is True,
    )


def _grace(value: object) -> int:
    try:
        return max(0, int(str(value)))
    except ValueError:
        return 0


def instances(resources: Resources) -> list[InstanceSpec]:
    """Every container instance of the cloud, in a stable order."""
    found = []
    for record in resources.values():
        if record.get("type") != INSTANCE:
            continue
        a = record["attrs"]
        shape = _first(a.get("shape_config"))
        state = str(a.get("state") or "ACTIVE")
        work = record.get(WORK_REQUEST) or {}
        found.append(
            InstanceSpec(
                id=record["id"],
                display_name=str(a.get("display_name") or record["id"]),
                private_ips=tuple(
                    v["private_ip"] for v in a.get("vnics") or [] if v.get("private_ip")
                ),
                restart_policy=str(a.get("container_restart_policy") or "ALWAYS"),
                grace_s=_grace(a.get("graceful_shutdown_timeout_in_seconds")),
                active=state not in ("INACTIVE", "DELETING"),
                ocpus=_number(shape.get("ocpus"), 1.0),
                memory_gb=_number(shape.get("memory_in_gbs"), 0.0),
                containers=tuple(_container(c, n) for n, c in enumerate(a.get("containers") or [])),
                state=state,
                starts_at=_number(work.get("containers_start_at"), 0.0),
                compartment_id=str(a.get("compartment_id") or ""),
            )
        )
    return sorted(found, key=lambda spec: spec.id)


def _validation(raw: dict[str, Any], items: str, *, lower: bool = False) -> Validation | None:
    if not raw:
        return None
    required = tuple(
        str(p["name"]).lower() if lower else str(p["name"])
        for p in raw.get(items) or []
        if p.get("name") and p.get("required") is not False
    )
    return Validation(mode=str(raw.get("validation_mode") or "ENFORCING"), required=required)


def _backend(raw: dict[str, Any]) -> BackendSpec:
    return BackendSpec(
        type=str(raw.get("type") or ""),
        url=str(raw.get("url") or ""),
        connect_timeout_s=_number(raw.get("connect_timeout_in_seconds"), DEFAULT_CONNECT_TIMEOUT_S),
        read_timeout_s=_number(raw.get("read_timeout_in_seconds"), DEFAULT_READ_TIMEOUT_S),
        send_timeout_s=_number(raw.get("send_timeout_in_seconds"), DEFAULT_SEND_TIMEOUT_S),
        status=int(_number(raw.get("status"), 200)),
        body=str(raw.get("body") or ""),
        headers=_pairs(raw.get("headers")),
    )


def _route(raw: dict[str, Any]) -> RouteSpec:
    policies = _first(raw.get("request_policies"))
    return RouteSpec(
        path=str(raw.get("path") or "/"),
        methods=tuple(str(m).upper() for m in raw.get("methods") or ["GET"]),
        backend=_backend(_first(raw.get("backend"))),
        query_validation=_validation(
            _first(policies.get("query_parameter_validations")), "parameters"
        ),
        header_validation=_validation(
            _first(policies.get("header_validations")), "headers", lower=True
        ),
    )


def _deployment(record: dict[str, Any], a: dict[str, Any]) -> DeploymentSpec:
    spec = _first(a.get("specification"))
    limit = _first(_first(spec.get("request_policies")).get("rate_limiting"))
    rate = _number(limit.get("rate_in_requests_per_second"), 0.0)
    return DeploymentSpec(
        id=record["id"],
        path_prefix=str(a.get("path_prefix") or "/"),
        routes=tuple(_route(r) for r in spec.get("routes") or []),
        rate_limit=RateLimit(str(limit.get("rate_key") or "CLIENT_IP"), rate) if rate else None,
        version=str(a.get("time_updated") or ""),
    )


def _served(record: dict[str, Any]) -> dict[str, Any] | None:
    """What a deployment serves now: while its create runs nothing, while an update runs the
    previous specification (OCI applies it when the work request ends)."""
    work = record.get(WORK_REQUEST)
    if not work:
        return dict(record["attrs"])
    previous = work.get("previous")
    return dict(previous) if isinstance(previous, dict) else None


def gateways(resources: Resources) -> list[GatewaySpec]:
    """Every API gateway of the cloud with its deployments, in a stable order."""
    deployments: dict[str, list[DeploymentSpec]] = {}
    for record in resources.values():
        served = _served(record) if record.get("type") == DEPLOYMENT else None
        if served is not None:
            gateway_id = str(served.get("gateway_id"))
            deployments.setdefault(gateway_id, []).append(_deployment(record, served))
    found = [
        GatewaySpec(
            id=record["id"],
            hostname=str(record["attrs"].get("hostname") or ""),
            deployments=tuple(
                sorted(deployments.get(record["id"], []), key=lambda d: d.path_prefix)
            ),
            certificate=_certificate(resources, record["attrs"].get("certificate_id")),
        )
        for record in resources.values()
        if record.get("type") == GATEWAY
    ]
    return sorted(found, key=lambda spec: spec.id)


def _certificate(resources: Resources, certificate_id: object) -> CustomCertificate | None:
    """The API Gateway certificate a gateway names, or None: none named, or an OCI Certificates
    service certificate (ocid1.certificate...), whose private key the emulator never holds, so
    the gateway presents its generated hostname's certificate (emulator/README.md)."""
    record = resources.get(str(certificate_id)) if certificate_id else None
    if record is None or record.get("type") != CERTIFICATE:
        return None
    attrs = record["attrs"]
    chain = str(attrs.get("certificate") or "").strip() + "\n"
    intermediates = str(attrs.get("intermediate_certificates") or "").strip()
    return CustomCertificate(
        id=record["id"],
        names=tuple(str(n) for n in attrs.get("subject_names") or []),
        chain_pem=chain + (intermediates + "\n" if intermediates else ""),
        key_pem=str(attrs.get("private_key") or ""),
    )

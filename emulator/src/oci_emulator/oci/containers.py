"""Container Instance rules: shape limits, availability domain, VNIC private IPs, containers."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from typing import Any

from . import image_pull, nsg, shapes
from . import world as w
from .errors import conflict, invalid
from .ocids import new_ocid, require_compartment
from .regions import ad_names, ad_prefix

Attrs = dict[str, Any]
INSTANCE = "oci_container_instances_container_instance"
RESTART_POLICIES = ("ALWAYS", "NEVER", "ON_FAILURE")
HEALTH_CHECK_TYPES = ("HTTP", "TCP")
FAILURE_ACTIONS = ("KILL", "NONE")
SETTABLE_STATES = ("ACTIVE", "INACTIVE")
# Documented defaults of the Container Instances API for omitted health-check settings.
HEALTH_CHECK_DEFAULTS = {
    "failure_action": "KILL",
    "failure_threshold": 3,
    "initial_delay_in_seconds": 0,
    "interval_in_seconds": 10,
    "success_threshold": 1,
    "timeout_in_seconds": 3,
}
MAX_GRACEFUL_SHUTDOWN_SECONDS = 300
# From the API's CreateContainerDetails / CreateContainerInstanceDetails.
MAX_ENV_BYTES = 64 * 1024  # all environment variables of a container, names and values
MAX_ARGS_BYTES = 64 * 1024  # all arguments of a container
MAX_VOLUMES = 32
MAX_DISPLAY_NAME = 255  # unverified: the usual displayName length of OCI APIs


def _one_of(field: str, value: object, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise invalid(f"{field} {value!r} is invalid (expected one of: {', '.join(allowed)})")


# --- private IPs -----------------------------------------------------------------------------


def ips_in_use(world: w.WorldView, subnet_id: str, own_id: object) -> set[str]:
    """Private IPs of ``subnet_id`` that other resources hold (VNICs, private gateways)."""
    used: set[str] = set()
    for inst in w.other(world, INSTANCE, own_id):
        for vnic in inst["attrs"].get("vnics") or []:
            if vnic.get("subnet_id") == subnet_id and vnic.get("private_ip"):
                used.add(vnic["private_ip"])
    for gw in w.other(world, "oci_apigateway_gateway", own_id):
        a = gw["attrs"]
        if a.get("subnet_id") == subnet_id and a.get("endpoint_type") == "PRIVATE":
            used.update(ip["ip_address"] for ip in a.get("ip_addresses") or [])
    return used


def usable_hosts(cidr: ipaddress.IPv4Network) -> Iterator[ipaddress.IPv4Address]:
    """Addresses OCI hands out: not the network address, the gateway (.1) or the broadcast."""
    first, last = int(cidr.network_address) + 2, int(cidr.broadcast_address) - 1
    return (ipaddress.IPv4Address(n) for n in range(first, last + 1))


def claim_ip(subnet: w.Resource, wanted: object, taken: set[str], holder: str) -> str:
    """``wanted`` after checking it is usable and free in ``subnet``, or the first free IP."""
    cidr = ipaddress.IPv4Network(subnet["attrs"]["cidr_block"])
    if wanted is None:
        for ip in usable_hosts(cidr):
            if str(ip) not in taken:
                return str(ip)
        raise invalid(f"subnet {subnet['id']} ({cidr}) has no free private IP for {holder}")
    try:
        ip = ipaddress.IPv4Address(wanted)
    except ValueError:
        raise invalid(f"{holder} private_ip {wanted!r} is not an IPv4 address") from None
    if ip not in cidr:
        raise invalid(f"{holder} private_ip {ip} is not within subnet {subnet['id']} cidr {cidr}")
    reserved = {cidr.network_address, cidr.network_address + 1, cidr.broadcast_address}
    if ip in reserved:
        raise invalid(
            f"{holder} private_ip {ip} is reserved by OCI in subnet cidr {cidr} "
            "(the network address, the subnet gateway .1 and the broadcast address)"
        )
    if str(ip) in taken:
        # Held until the holder's delete work request ends (oci/work_requests.py).
        raise conflict(f"{holder} private_ip {ip} is already in use in subnet {subnet['id']}")
    return str(ip)


# --- validation ------------------------------------------------------------------------------


def _shape(attrs: Attrs) -> shapes.Shape:
    shape = shapes.shape(attrs.get("shape"))
    configs = attrs.get("shape_config") or []
    if len(configs) != 1:
        raise invalid("container instance needs exactly one shape_config { ocpus, memory_in_gbs }")
    config = configs[0]
    ocpus = config.get("ocpus")
    if not isinstance(ocpus, int | float) or not shape.ocpu_min <= ocpus <= shape.ocpu_max:
        raise invalid(
            f"shape_config.ocpus {ocpus!r} is out of range for {shape.name} "
            f"({shape.ocpu_min:g}-{shape.ocpu_max:g})"
        )
    memory = config.get("memory_in_gbs")
    if memory is None:
        memory = ocpus * shape.memory_default_per_ocpu
    low, high = shape.memory_range(ocpus)
    if not low <= memory <= high:
        raise invalid(
            f"shape_config.memory_in_gbs {memory:g} is out of range for {shape.name} "
            f"with {ocpus:g} OCPUs ({low:g}-{high:g} GB)"
        )
    config["memory_in_gbs"] = memory
    config["networking_bandwidth_in_gbps"] = shape.bandwidth(ocpus)
    config["processor_description"] = shape.processor_description
    return shape


def _vnics(attrs: Attrs, world: w.WorldView) -> None:
    vnics = attrs.get("vnics") or []
    if len(vnics) != 1:
        raise invalid(f"container instance needs exactly one vnics block, got {len(vnics)}")
    for vnic in vnics:
        subnet = w.require(world, "vnics.subnet_id", vnic.get("subnet_id"), "oci_core_subnet")
        sub_ad = subnet["attrs"].get("availability_domain")
        if sub_ad not in (None, attrs["availability_domain"]):
            raise invalid(
                f"vnics.subnet_id {subnet['id']} is in {sub_ad}, not in the instance's "
                f"availability domain {attrs['availability_domain']}"
            )
        if vnic.get("is_public_ip_assigned") and subnet["attrs"].get("prohibit_public_ip_on_vnic"):
            raise invalid(
                f"vnics.is_public_ip_assigned is true but subnet {subnet['id']} "
                "prohibits public IPs on VNICs"
            )
        nsg.require_nsgs(world, "vnics.nsg_ids", vnic.get("nsg_ids"), subnet)
        taken = ips_in_use(world, subnet["id"], attrs.get("id"))
        vnic["private_ip"] = claim_ip(subnet, vnic.get("private_ip"), taken, "vnics")
        w.fill_defaults(
            vnic,
            is_public_ip_assigned=False,
            skip_source_dest_check=False,
            nsg_ids=[],
            defined_tags={},
            freeform_tags={},
        )
        vnic["vnic_id"] = new_ocid("vnic", world.region)


def _health_check(check: Attrs) -> None:
    kind = check.get("health_check_type")
    _one_of("health_checks.health_check_type", kind, HEALTH_CHECK_TYPES)
    port = check.get("port")
    if port is None or not 1 <= port <= 65535:
        raise invalid(f"health_checks.port {port!r} is required for {kind} checks (1-65535)")
    path = check.get("path")
    if kind == "HTTP" and not (isinstance(path, str) and path.startswith("/")):
        raise invalid(f"health_checks.path {check.get('path')!r} must start with '/' for HTTP")
    for key, value in HEALTH_CHECK_DEFAULTS.items():
        if check.get(key) is None:
            check[key] = value
    _one_of("health_checks.failure_action", check["failure_action"], FAILURE_ACTIONS)
    for key in (
        "failure_threshold",
        "interval_in_seconds",
        "success_threshold",
        "timeout_in_seconds",
    ):
        if check[key] < 1:
            raise invalid(f"health_checks.{key} {check[key]!r} must be at least 1")
    check["headers"] = check.get("headers") or []
    check["status"] = check.get("status") or "UNKNOWN"


def _sizes(container: Attrs) -> None:
    env = container.get("environment_variables") or {}
    env_bytes = sum(len(k.encode()) + len(str(v).encode()) for k, v in env.items())
    if env_bytes > MAX_ENV_BYTES:
        raise invalid(
            f"containers.environment_variables total {env_bytes} bytes (names and values); "
            f"at most {MAX_ENV_BYTES} bytes (64 KB) per container"
        )
    args_bytes = sum(len(str(a).encode()) for a in container.get("arguments") or [])
    if args_bytes > MAX_ARGS_BYTES:
        raise invalid(
            f"containers.arguments total {args_bytes} bytes; at most {MAX_ARGS_BYTES} bytes "
            "(64 KB) per container"
        )
    name = container.get("display_name")
    if name is not None and len(name) > MAX_DISPLAY_NAME:
        raise invalid(
            f"containers.display_name is {len(name)} characters, at most {MAX_DISPLAY_NAME}"
        )


def _containers(attrs: Attrs, shape: shapes.Shape, world: w.WorldView, created: str) -> None:
    containers = attrs.get("containers") or []
    if not containers:
        raise invalid("container instance needs at least one containers block")
    config = attrs["shape_config"][0]
    vcpus = config["ocpus"] * shape.vcpus_per_ocpu
    if len(attrs.get("volumes") or []) > MAX_VOLUMES:
        raise invalid(
            f"container instance has {len(attrs['volumes'])} volumes (at most {MAX_VOLUMES})"
        )
    volumes = {v.get("name") for v in attrs.get("volumes") or []}
    for n, container in enumerate(containers, 1):
        _sizes(container)
        image = container.get("image_url")
        if not isinstance(image, str) or not image or any(c.isspace() for c in image):
            raise invalid(
                f"containers.image_url {image!r} is invalid (expected a registry path "
                "with a tag, e.g. ocir.us-ashburn-1.oci.oraclecloud.com/ns/app:1.0)"
            )
        for check in container.get("health_checks") or []:
            _health_check(check)
        for limit in container.get("resource_config") or []:
            if (limit.get("vcpus_limit") or 0) > vcpus:
                raise invalid(
                    f"containers.resource_config.vcpus_limit {limit['vcpus_limit']} "
                    f"exceeds the instance's {vcpus:g} vCPUs"
                )
            if (limit.get("memory_limit_in_gbs") or 0) > config["memory_in_gbs"]:
                raise invalid(
                    f"containers.resource_config.memory_limit_in_gbs "
                    f"{limit['memory_limit_in_gbs']} exceeds the instance's "
                    f"{config['memory_in_gbs']:g} GB"
                )
        for mount in container.get("volume_mounts") or []:
            if mount.get("volume_name") not in volumes:
                raise invalid(
                    f"containers.volume_mounts.volume_name {mount.get('volume_name')!r}"
                    " names no volumes block"
                )
        # Computed-only values: set even when the core pre-filled placeholders.
        container.update(
            container_id=new_ocid("computecontainer", world.region),
            container_instance_id=attrs.get("id"),
            availability_domain=attrs["availability_domain"],
            compartment_id=attrs["compartment_id"],
            fault_domain=attrs["fault_domain"],
            state="ACTIVE",
            lifecycle_details=None,
            exit_code=None,
            time_created=created,
            time_updated=created,
            time_terminated=None,
            system_tags={},
        )
        if container.get("display_name") is None:
            container["display_name"] = f"{attrs.get('display_name') or 'container'}-{n}"
        w.fill_defaults(
            container,
            is_resource_principal_disabled=False,
            defined_tags={},
            freeform_tags={},
            environment_variables={},
            arguments=[],
            command=[],
        )


def _validate(attrs: Attrs, world: w.WorldView) -> shapes.Shape:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    ads = ad_names(world.region, ad_prefix(world.tenancy_id))
    if attrs.get("availability_domain") not in ads:
        raise invalid(
            f"availability_domain {attrs.get('availability_domain')!r} is not an "
            f"availability domain of {world.region} (expected one of: {', '.join(ads)})"
        )
    policy = attrs.get("container_restart_policy") or "ALWAYS"
    _one_of("container_restart_policy", policy, RESTART_POLICIES)
    attrs["container_restart_policy"] = policy
    grace = attrs.get("graceful_shutdown_timeout_in_seconds")
    if grace is not None:
        try:
            seconds = int(grace)
        except ValueError:
            raise invalid(
                f"graceful_shutdown_timeout_in_seconds {grace!r} is not an integer "
                "number of seconds"
            ) from None
        if not 0 <= seconds <= MAX_GRACEFUL_SHUTDOWN_SECONDS:
            raise invalid(
                f"graceful_shutdown_timeout_in_seconds {grace} is out of range "
                f"0-{MAX_GRACEFUL_SHUTDOWN_SECONDS}"
            )
    # The core may pre-fill a generic lifecycle state; only INACTIVE is a request to stop.
    state = attrs.get("state")
    if state not in (None, "CREATING", "AVAILABLE", *SETTABLE_STATES):
        _one_of("state", state, SETTABLE_STATES)
    attrs["state"] = "INACTIVE" if state == "INACTIVE" else "ACTIVE"
    fault = attrs.get("fault_domain") or "FAULT-DOMAIN-1"
    _one_of("fault_domain", fault, ("FAULT-DOMAIN-1", "FAULT-DOMAIN-2", "FAULT-DOMAIN-3"))
    attrs["fault_domain"] = fault
    return _shape(attrs)


def create(attrs: Attrs, world: w.WorldView) -> Attrs:
    shape = _validate(attrs, world)
    image_pull.check(attrs, world)  # an OCIR pull right still propagating fails the create
    _vnics(attrs, world)
    created = attrs.get("time_created") or w.now()
    _containers(attrs, shape, world, created)
    attrs.update(
        container_count=len(attrs["containers"]),
        volume_count=len(attrs.get("volumes") or []),
        tenant_id=world.tenancy_id,
        time_created=created,
        time_updated=created,
        lifecycle_details=None,
        system_tags=attrs.get("system_tags") or {},
        graceful_shutdown_timeout_in_seconds=attrs.get("graceful_shutdown_timeout_in_seconds")
        or "0",
    )
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={}, volumes=[], image_pull_secrets=[])
    return attrs


def update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    """Only display name, tags, compartment and state change in place; keep the rest."""
    _validate(attrs, world)
    kept = {
        k: v
        for k, v in prior.items()
        if k not in ("display_name", "defined_tags", "freeform_tags", "compartment_id", "state")
    }
    attrs.update(kept)
    attrs["time_updated"] = w.now()
    return attrs


def vnics_of(world: w.WorldView) -> Iterator[tuple[w.Resource, Attrs]]:
    """(instance, vnic) pairs across the cloud: what oci_core_vnic reads."""
    for inst in w.of_type(world, INSTANCE):
        for vnic in inst["attrs"].get("vnics") or []:
            yield inst, vnic

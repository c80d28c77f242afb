"""API Gateway rules: gateways on regional subnets, deployments and their routes."""

from __future__ import annotations

import re
import secrets
import string
from typing import Any

from . import nsg
from . import world as w
from .containers import claim_ip, ips_in_use
from .errors import conflict, invalid, limit_exceeded
from .ocids import require_compartment
from .one_of import require_one_of

Attrs = dict[str, Any]
GATEWAY = "oci_apigateway_gateway"
DEPLOYMENT = "oci_apigateway_deployment"
ENDPOINT_TYPES = ("PUBLIC", "PRIVATE")
METHODS = ("ANY", "HEAD", "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")
MAX_DEPLOYMENTS_PER_GATEWAY = 20
MAX_ROUTES_PER_DEPLOYMENT = 50
MAX_PATH_PREFIX = 255
# Documented backend timeout ranges in seconds (oci-facts.md marks them unverified).
TIMEOUT_RANGES = {
    "connect_timeout_in_seconds": (1, 75),
    "read_timeout_in_seconds": (1, 300),
    "send_timeout_in_seconds": (1, 300),
}
CONTEXT_TABLES = ("path", "query", "headers", "auth", "host", "subdomain", "cert")
RATE_KEYS = ("CLIENT_IP", "TOTAL")
_SEGMENT = re.compile(r"^\{(?P<name>[A-Za-z0-9_]+)(?P<wild>\*?)\}$")
_CONTEXT_REF = re.compile(r"\$\{request\.(?P<table>[A-Za-z_]+)(?:\[(?P<key>[^\]]*)\])?\}")
_HOST_ALPHABET = string.ascii_lowercase + string.digits


# --- gateways --------------------------------------------------------------------------------


def gateway_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    kind = attrs.get("endpoint_type")
    if kind not in ENDPOINT_TYPES:
        raise invalid(f"endpoint_type {kind!r} is invalid (expected PUBLIC or PRIVATE)")
    subnet = w.require(world, "subnet_id", attrs.get("subnet_id"), "oci_core_subnet")
    if subnet["attrs"].get("availability_domain"):
        raise invalid(
            f"subnet_id {subnet['id']} is AD-specific "
            f"({subnet['attrs']['availability_domain']}); API gateways need a "
            "regional subnet"
        )
    if kind == "PUBLIC" and subnet["attrs"].get("prohibit_public_ip_on_vnic"):
        raise invalid(
            f"subnet_id {subnet['id']} is private (prohibit_public_ip_on_vnic); a "
            "PUBLIC gateway needs a public subnet"
        )
    nsg.require_nsgs(
        world, "network_security_group_ids", attrs.get("network_security_group_ids"), subnet
    )
    if attrs.get("certificate_id") is not None:
        w.require(world, "certificate_id", attrs["certificate_id"], "oci_apigateway_certificate")
    if kind == "PUBLIC":
        address = f"150.136.{secrets.randbelow(256)}.{1 + secrets.randbelow(254)}"
    else:
        address = claim_ip(
            subnet, None, ips_in_use(world, subnet["id"], attrs.get("id")), "gateway"
        )
    host = "".join(secrets.choice(_HOST_ALPHABET) for _ in range(26))
    attrs.update(
        hostname=f"{host}.apigateway.{world.region}.oci.customer-oci.com",
        ip_addresses=[{"ip_address": address}],
        lifecycle_details=None,
        time_updated=attrs.get("time_created"),
        system_tags=attrs.get("system_tags") or {},
    )
    w.fill_defaults(
        attrs,
        ip_mode="IPV4",
        network_security_group_ids=[],
        ca_bundles=[],
        defined_tags={},
        freeform_tags={},
    )
    return attrs


def gateway_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    if attrs.get("certificate_id") is not None:
        w.require(world, "certificate_id", attrs["certificate_id"], "oci_apigateway_certificate")
    for key in ("hostname", "ip_addresses", "time_created", "system_tags"):
        attrs[key] = prior.get(key)
    attrs["time_updated"] = w.now()
    return attrs


def gateway_delete(attrs: Attrs, world: w.WorldView) -> None:
    for dep in w.of_type(world, DEPLOYMENT):
        if dep["attrs"].get("gateway_id") == attrs.get("id"):
            raise conflict(
                f"gateway {attrs.get('id')} still has deployment {dep['id']}; delete it first"
            )


# --- deployments -----------------------------------------------------------------------------


def route_parameters(path: object) -> set[str]:
    """Parameter names of a route path ("/{path*}" -> {"path"}); 400 when malformed."""
    if not isinstance(path, str) or not path.startswith("/"):
        raise invalid(f"routes.path {path!r} must start with '/'")
    names: set[str] = set()
    segments = path.split("/")[1:]
    for n, segment in enumerate(segments):
        if "{" not in segment and "}" not in segment:
            continue
        match = _SEGMENT.match(segment)
        if not match:
            raise invalid(
                f"routes.path {path!r} segment {segment!r} is not a parameter "
                "({name} or {name*})"
            )
        if match["wild"] and n != len(segments) - 1:
            raise invalid(f"routes.path {path!r}: wildcard {segment} must be the last segment")
        if match["name"] in names:
            raise invalid(f"routes.path {path!r} repeats parameter {match['name']!r}")
        names.add(match["name"])
    return names


def _backend_url(url: object, params: set[str], path: object) -> None:
    if not isinstance(url, str) or not re.match(r"^https?://[^/\s]+", url):
        raise invalid(f"routes.backend.url {url!r} must be an http:// or https:// URL")
    for ref in _CONTEXT_REF.finditer(url):
        table, key = ref["table"], ref["key"]
        if table not in CONTEXT_TABLES:
            raise invalid(
                f"routes.backend.url {url!r}: invalid context table "
                f"request.{table} (expected one of: {', '.join(CONTEXT_TABLES)})"
            )
        if table == "path" and key not in params:
            named = ", ".join(sorted(params)) or "none"
            raise invalid(
                f"routes.backend.url {url!r} uses request.path[{key}] but route path "
                f"{path!r} has no parameter {key!r} (parameters: {named})"
            )
    leftover = _CONTEXT_REF.sub("", url)
    if "${" in leftover:
        raise invalid(f"routes.backend.url {url!r} has a malformed ${{...}} context variable")


def _route(route: Attrs) -> None:
    path = route.get("path")
    params = route_parameters(path)
    methods = route.get("methods") or ["GET"]
    for method in methods:
        if method not in METHODS:
            raise invalid(
                f"routes.methods {method!r} on {path} is invalid "
                f"(expected one of: {', '.join(METHODS)})"
            )
    route["methods"] = methods
    for backend in route.get("backend") or []:
        kind = backend.get("type")
        require_one_of(DEPLOYMENT, "specification.routes.backend.type", kind)
        if kind == "HTTP_BACKEND":
            _backend_url(backend.get("url"), params, path)
            for key, (low, high) in TIMEOUT_RANGES.items():
                value = backend.get(key)
                if value is not None and not low <= value <= high:
                    raise invalid(f"routes.backend.{key} {value:g} is out of range {low}-{high}")
        elif kind == "ORACLE_FUNCTIONS_BACKEND" and not backend.get("function_id"):
            raise invalid(f"routes.backend on {path}: ORACLE_FUNCTIONS_BACKEND needs function_id")
        elif kind == "STOCK_RESPONSE_BACKEND" and backend.get("status") is None:
            raise invalid(f"routes.backend on {path}: STOCK_RESPONSE_BACKEND needs status")


def _rate_limiting(limit: Attrs) -> None:
    """request_policies.rate_limiting: a whole number of requests per second, keyed per client
    IP or in total (API Gateway "Limiting the Number of Requests to API Gateway Back Ends";
    the API's RateLimitingPolicy takes an integer)."""
    rate = limit.get("rate_in_requests_per_second")
    if not isinstance(rate, int | float) or rate < 1 or rate != int(rate):
        raise invalid(
            f"specification.request_policies.rate_limiting.rate_in_requests_per_second "
            f"{rate!r} is invalid (expected a whole number of requests per second, at least 1)"
        )
    key = limit.get("rate_key")
    if key not in RATE_KEYS:
        raise invalid(
            f"specification.request_policies.rate_limiting.rate_key {key!r} is invalid "
            f"(expected one of: {', '.join(RATE_KEYS)})"
        )


def _validate_deployment(attrs: Attrs, world: w.WorldView) -> w.Resource:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    gateway = w.require(world, "gateway_id", attrs.get("gateway_id"), GATEWAY)
    prefix = attrs.get("path_prefix")
    if not isinstance(prefix, str) or not prefix.startswith("/"):
        raise invalid(f"path_prefix {prefix!r} must start with '/'")
    if len(prefix) > MAX_PATH_PREFIX or any(c.isspace() for c in prefix) or "{" in prefix:
        raise invalid(
            f"path_prefix {prefix!r} must be at most {MAX_PATH_PREFIX} characters "
            "without spaces or parameters"
        )
    siblings = [
        d
        for d in w.other(world, DEPLOYMENT, attrs.get("id"))
        if d["attrs"].get("gateway_id") == gateway["id"]
    ]
    for dep in siblings:
        if dep["attrs"].get("path_prefix") == prefix:
            raise conflict(
                f"gateway {gateway['id']} already has deployment {dep['id']} "
                f"at path_prefix {prefix}"
            )
    if len(siblings) >= MAX_DEPLOYMENTS_PER_GATEWAY:
        raise limit_exceeded(
            f"gateway {gateway['id']} already has {len(siblings)} deployments "
            f"(limit {MAX_DEPLOYMENTS_PER_GATEWAY})"
        )
    specs = attrs.get("specification") or []
    if len(specs) != 1:
        raise invalid("deployment needs one specification block")
    routes = specs[0].get("routes") or []
    if not routes:
        raise invalid("specification needs at least one routes block")
    if len(routes) > MAX_ROUTES_PER_DEPLOYMENT:
        raise limit_exceeded(
            f"specification has {len(routes)} routes "
            f"(limit {MAX_ROUTES_PER_DEPLOYMENT} per deployment)"
        )
    for policies in specs[0].get("request_policies") or []:
        for limit in policies.get("rate_limiting") or []:
            _rate_limiting(limit)
    seen: set[tuple[str, str]] = set()
    for route in routes:
        _route(route)
        for method in route["methods"]:
            if (route["path"], method) in seen:
                raise invalid(f"routes repeat path {route['path']} with method {method}")
            seen.add((route["path"], method))
    return gateway


def deployment_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    gateway = _validate_deployment(attrs, world)
    attrs.update(
        endpoint=f"https://{gateway['attrs']['hostname']}{attrs['path_prefix']}",
        lifecycle_details=None,
        time_updated=attrs.get("time_created"),
        system_tags=attrs.get("system_tags") or {},
    )
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={})
    return attrs


def deployment_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    _validate_deployment(attrs, world)
    attrs["endpoint"] = prior.get("endpoint")
    attrs["time_updated"] = w.now()
    attrs["system_tags"] = prior.get("system_tags") or {}
    return attrs

"""The emulated API gateway on its own (no Docker): routing, context variables, request policies,
OCI's error responses, backend timeouts, and the HTTPS listener with the cloud's CA."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
import time

import aiohttp
import anyio
import httpx
import pytest
from aiohttp import web
from oci_emulator.dataplane import desired, health, policies, routing
from oci_emulator.dataplane.addresses import AddressMap
from oci_emulator.dataplane.ca import CertificateAuthority
from oci_emulator.dataplane.listeners import Listener
from oci_emulator.dataplane.proxy import GatewayApp
from oci_emulator.dataplane.proxy import status_for as gateway_status_for


def deployment(routes, rate_limit=None, prefix="/galley"):
    spec = {"routes": routes}
    if rate_limit:
        spec["request_policies"] = [{"rate_limiting": [rate_limit]}]
    return {
        "d1": {
            "type": "oci_apigateway_deployment",
            "id": "d1",
            "attrs": {"gateway_id": "g1", "path_prefix": prefix, "specification": [spec]},
        },
        "g1": {"type": "oci_apigateway_gateway", "id": "g1", "attrs": {"hostname": "gw.test"}},
    }


def galley_route(mode="ENFORCING", **backend):
    return {
        "path": "/{path*}",
        "methods": ["ANY"],
        "backend": [
            {"type": "HTTP_BACKEND", "url": "http://10.0.2.10:8000/${request.path[path]}"} | backend
        ],
        "request_policies": [
            {
                "query_parameter_validations": [
                    {"validation_mode": mode, "parameters": [{"name": "token", "required": True}]}
                ]
            }
        ],
    }


class Backend:
    """A backend on 127.0.0.1 that records what reaches it (aiohttp, like the gateway)."""

    def __init__(self, delay_s: float = 0.0) -> None:
        self.requests: list[web.BaseRequest] = []
        self.delay_s = delay_s

    async def __call__(self, request: web.BaseRequest) -> web.Response:
        self.requests.append(request)
        await request.read()
        await asyncio.sleep(self.delay_s)
        return web.json_response({"path": request.path}, headers={"x-from": "galley"})


@contextlib.asynccontextmanager
async def gateway(resources, backend, ca_dir, *, mapped=True, backend_port=None):
    """The gateway of ``resources`` on an HTTPS listener, its backend on loopback; yields a
    client (trusting the cloud's CA) and the listener's base URL."""
    loop = asyncio.get_running_loop()
    backend_server = await loop.create_server(web.Server(backend), "127.0.0.1", 0)
    port = backend_port or backend_server.sockets[0].getsockname()[1]
    addresses = AddressMap()
    if mapped:
        addresses.replace({("10.0.2.10", 8000): port})
    ca = CertificateAuthority(ca_dir)
    cert, key = ca.server_certificate("gateway-test", ["gw.example.com"])
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        app = GatewayApp(addresses, session)
        (spec,) = desired.gateways(resources)
        app.configure(spec)
        listener = Listener("g1", app, cert, key)
        listen_port = await listener.start(0)
        verify = ssl.create_default_context(cafile=str(ca.cert_path))
        try:
            async with httpx.AsyncClient(verify=verify, trust_env=False, timeout=10) as client:
                yield client, f"https://127.0.0.1:{listen_port}", ca
        finally:
            await listener.stop()
            backend_server.close()


def call(tmp_path, resources, backend, *requests, mapped=True, backend_port=None):
    """Send (method, path) requests through the gateway; the responses."""

    async def run():
        async with gateway(
            resources, backend, tmp_path / "ca", mapped=mapped, backend_port=backend_port
        ) as (client, base, _):
            return [await client.request(method, base + path) for method, path in requests]

    return anyio.run(run)


def test_route_parameters_fill_the_backend_url_and_the_query_string_passes_on(tmp_path):
    backend = Backend()
    (response,) = call(
        tmp_path, deployment([galley_route()]), backend, ("POST", "/galley/mcp/a?token=t&x=1")
    )
    assert response.status_code == 200
    assert response.json() == {"path": "/mcp/a"}
    assert response.headers["x-from"] == "galley"
    assert response.headers["opc-request-id"]
    (sent,) = backend.requests
    # The private address is only a name: the request went to the published loopback port,
    # with the backend URL's host as Host and the query string passed on.
    assert sent.path_qs == "/mcp/a?token=t&x=1"
    assert sent.headers["Host"] == "10.0.2.10:8000"
    assert sent.headers["X-Forwarded-For"] == "127.0.0.1"
    assert sent.method == "POST"


def test_enforcing_validation_refuses_before_the_backend_permissive_passes(tmp_path):
    backend = Backend()
    (refused,) = call(
        tmp_path, deployment([galley_route("ENFORCING")]), backend, ("GET", "/galley/mcp")
    )
    assert refused.status_code == 400
    assert refused.json() == {"code": 400, "message": "Bad Request"}
    assert refused.headers["opc-request-id"]
    assert backend.requests == []
    for mode in ("PERMISSIVE", "DISABLED"):
        (passed,) = call(
            tmp_path, deployment([galley_route(mode)]), backend, ("GET", "/galley/mcp")
        )
        assert passed.status_code == 200, mode
    assert len(backend.requests) == 2


def test_unknown_paths_and_methods_get_404_and_literal_routes_win(tmp_path):
    stock = {
        "path": "/health",
        "methods": ["GET"],
        "backend": [{"type": "STOCK_RESPONSE_BACKEND", "status": 204, "body": ""}],
    }
    backend = Backend()
    responses = call(
        tmp_path,
        deployment([galley_route(), stock]),
        backend,
        ("GET", "/galley/health?token=t"),
        ("POST", "/galley/health?token=t"),
        ("GET", "/other/mcp?token=t"),
        ("GET", "/galleyx/mcp?token=t"),
    )
    assert [r.status_code for r in responses] == [204, 200, 404, 404]
    assert responses[2].json() == {"code": 404, "message": "Not Found"}
    assert [r.path for r in backend.requests] == ["/health"]  # the POST: wildcard route


def test_rate_limiting_per_client_ip_answers_429_with_retry_after(tmp_path):
    limited = deployment(
        [galley_route()], rate_limit={"rate_key": "CLIENT_IP", "rate_in_requests_per_second": 2}
    )
    backend = Backend()

    async def run():
        async with gateway(limited, backend, tmp_path / "ca") as (client, base, ca):
            url = base + "/galley/mcp?token=t"
            first = [await client.get(url) for _ in range(3)]
            # Another client IP of the loopback range has a bucket of its own.
            verify = ssl.create_default_context(cafile=str(ca.cert_path))
            transport = httpx.AsyncHTTPTransport(local_address="127.0.0.2", verify=verify)
            async with httpx.AsyncClient(transport=transport, trust_env=False) as other:
                return first, await other.get(url)

    responses, other = anyio.run(run)
    assert [r.status_code for r in responses] == [200, 200, 429]
    assert responses[2].json() == {"code": 429, "message": "Too Many Requests"}
    assert responses[2].headers["retry-after"] == "1"
    assert len(backend.requests) == 3
    assert other.status_code == 200
    assert backend.requests[-1].headers["X-Forwarded-For"] == "127.0.0.2"


def test_rate_limiter_refills_at_its_rate_and_total_shares_one_bucket():
    limiter = policies.RateLimiter(desired.RateLimit("TOTAL", 2))
    assert limiter.retry_after("a", 0.0) is None
    assert limiter.retry_after("b", 0.0) is None
    assert limiter.retry_after("c", 0.0) == 1
    assert limiter.retry_after("c", 0.5) is None  # one token back after half a second


def test_backend_failures_get_ocis_502_and_504(tmp_path):
    free = socket.socket()
    free.bind(("127.0.0.1", 0))
    closed_port = free.getsockname()[1]
    free.close()  # nothing listens there now
    (refused,) = call(
        tmp_path,
        deployment([galley_route()]),
        Backend(),
        ("GET", "/galley/mcp?token=t"),
        backend_port=closed_port,
    )
    assert refused.status_code == 502
    assert refused.json() == {"code": 502, "message": "Bad Gateway"}
    assert gateway_status_for(TimeoutError()) == 504
    assert gateway_status_for(aiohttp.ServerTimeoutError()) == 504
    assert gateway_status_for(aiohttp.ServerDisconnectedError()) == 502


def test_an_address_nothing_runs_at_is_502_and_never_dialled(tmp_path):
    backend = Backend()
    (response,) = call(
        tmp_path,
        deployment([galley_route()]),
        backend,
        ("GET", "/galley/mcp?token=t"),
        mapped=False,
    )
    assert response.json() == {"code": 502, "message": "Bad Gateway"}
    assert backend.requests == []


def test_route_matching_and_context_variables():
    routes = desired.gateways(
        deployment(
            [
                {"path": "/a/{id}", "methods": ["GET"], "backend": [{"type": "HTTP_BACKEND"}]},
                {"path": "/{rest*}", "methods": ["GET"], "backend": [{"type": "HTTP_BACKEND"}]},
            ]
        )
    )[0].deployments
    match, _ = routing.find_route(routes, "/galley/a/42", "GET")
    assert (match.route.path, match.params) == ("/a/{id}", {"id": "42"})
    match, _ = routing.find_route(routes, "/galley/a/42/b", "GET")
    assert (match.route.path, match.params) == ("/{rest*}", {"rest": "a/42/b"})
    url = routing.render_url(
        "http://h:1/${request.path[id]}?q=${request.query[x]}&h=${request.headers[x-y]}",
        {"id": "42"},
        "x=7",
        {"x-y": "z"},
        "gw",
    )
    assert url == "http://h:1/42?q=7&h=z&x=7"


def test_health_state_kills_after_the_failure_threshold_once():
    check = desired.HealthCheck("c", "HTTP", 8000, "/health", (), 0, 1, 1, 3, 2, "KILL")
    state = health.HealthState()
    assert [state.record(check, False) for _ in range(3)] == [False, False, True]
    assert state.status == "UNHEALTHY"
    assert state.record(check, True) is False
    assert state.status == "UNHEALTHY"  # success_threshold is 2
    state.record(check, True)
    assert state.status == "HEALTHY"
    none_action = desired.HealthCheck("c", "HTTP", 8000, "/", (), 0, 1, 1, 1, 1, "NONE")
    assert health.HealthState().record(none_action, False) is False


def test_https_listener_with_the_clouds_ca_and_a_read_timeout(tmp_path):
    """The deployment's read timeout against a backend that answers later: 504, in about that
    time; a client that does not trust the cloud's CA is refused at the handshake."""
    route = galley_route(read_timeout_in_seconds=1)

    async def run():
        async with gateway(deployment([route]), Backend(delay_s=3), tmp_path / "ca") as (
            client,
            base,
            _,
        ):
            started = time.monotonic()
            response = await client.get(
                base.replace("127.0.0.1", "localhost") + "/galley/x?token=t"
            )
            elapsed = time.monotonic() - started
            async with httpx.AsyncClient(trust_env=False) as untrusting:
                with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
                    await untrusting.get(base + "/galley/x?token=t")
        return response, elapsed

    response, elapsed = anyio.run(run)
    assert response.status_code == 504
    assert response.json() == {"code": 504, "message": "Gateway Timeout"}
    assert 0.9 < elapsed < 2.5


def test_a_deployment_serves_its_previous_specification_while_its_work_request_runs():
    """oci/work_requests.py stores an update as UPDATING with the prior attributes; the gateway
    serves those until the work request ends, and a deployment still being created not at all."""
    resources = deployment([galley_route()])
    old = resources["d1"]["attrs"]
    new_route = galley_route() | {"path": "/new/{path*}"}
    new = {**old, "specification": [{"routes": [new_route]}], "lifecycle_state": "UPDATING"}
    resources["d1"] = {**resources["d1"], "attrs": new, "work_request": {"previous": old}}
    (spec,) = desired.gateways(resources)
    assert [r.path for r in spec.deployments[0].routes] == ["/{path*}"]

    resources["d1"].pop("work_request")  # the update's work request ended
    (spec,) = desired.gateways(resources)
    assert [r.path for r in spec.deployments[0].routes] == ["/new/{path*}"]

    resources["d1"]["work_request"] = {"previous": None}  # a create still running
    (spec,) = desired.gateways(resources)
    assert spec.deployments == ()

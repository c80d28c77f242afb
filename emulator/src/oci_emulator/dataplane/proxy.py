"""One API gateway as an aiohttp request handler: routes, request policies, the backend call.

aiohttp serves the listener and calls the backend: with its C HTTP parser on both legs the
gateway adds about 1.5 ms per request on loopback, where httpx's async client alone took ~2.5 ms
(benchmarks/e2e_latency.py). Responses stream through (MCP answers with SSE streams); a client
that goes away cancels the handler, which closes the backend stream.
Errors the gateway itself answers have OCI API Gateway's shape: a JSON body
``{"code": <status>, "message": "<reason phrase>"}`` and an ``opc-request-id`` header.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

import aiohttp
from aiohttp import web
from multidict import CIMultiDict
from yarl import URL

from oci_emulator.dataplane import policies
from oci_emulator.dataplane.addresses import AddressMap
from oci_emulator.dataplane.desired import BackendSpec, DeploymentSpec, GatewaySpec, RouteSpec
from oci_emulator.dataplane.routing import Match, find_route, render_url

log = logging.getLogger("oci_emulator.dataplane.gateway")
MAX_BODY_BYTES = 20 * 1024 * 1024  # API Gateway's request body limit
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "host",
        "content-length",
    }
)


class Refusal(Exception):
    """An answer from the gateway itself (404, 400, 429, 502, 504, ...)."""

    def __init__(self, status: int, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.headers = headers or {}


def error_response(status: int, request_id: str, headers: dict[str, str]) -> web.Response:
    body = f'{{"code":{status},"message":"{HTTPStatus(status).phrase}"}}'
    return web.Response(
        status=status,
        text=body,
        content_type="application/json",
        headers={"opc-request-id": request_id, **headers},
    )


def status_for(exc: BaseException) -> int:
    """OCI's answer when the backend call fails: 504 for a timeout, 502 for anything else."""
    timeouts = (TimeoutError, asyncio.TimeoutError, aiohttp.ServerTimeoutError)
    return 504 if isinstance(exc, timeouts) else 502


class GatewayApp:
    """Serves one gateway's deployments; ``configure`` swaps them in while it runs."""

    def __init__(self, addresses: AddressMap, session: aiohttp.ClientSession) -> None:
        self._addresses = addresses
        self._session = session
        self.deployments: tuple[DeploymentSpec, ...] = ()
        self._limiters: dict[str, policies.RateLimiter] = {}

    def configure(self, gateway: GatewaySpec) -> None:
        limiters = {}
        for deployment in gateway.deployments:
            if deployment.rate_limit is None:
                continue
            kept = self._limiters.get(deployment.id)
            same = kept is not None and kept.limit == deployment.rate_limit
            limiters[deployment.id] = kept if same else policies.RateLimiter(deployment.rate_limit)
        self._limiters = limiters
        self.deployments = gateway.deployments

    async def __call__(self, request: web.BaseRequest) -> web.StreamResponse:
        request_id = uuid.uuid4().hex.upper()
        try:
            return await self._handle(request, request_id)
        except Refusal as refusal:
            return error_response(refusal.status, request_id, refusal.headers)

    async def _handle(self, request: web.BaseRequest, request_id: str) -> web.StreamResponse:
        path, _, query_string = request.raw_path.partition("?")
        match, _ = find_route(self.deployments, path, request.method)
        if match is None:
            raise Refusal(404)
        client_ip = request.remote or "127.0.0.1"
        limiter = self._limiters.get(match.deployment.id)
        if limiter is not None:
            wait = limiter.retry_after(client_ip, time.monotonic())
            if wait is not None:
                raise Refusal(429, {"Retry-After": str(wait)})
        self._validate(match.route, query_string, request)
        backend = match.route.backend
        if backend.type == "STOCK_RESPONSE_BACKEND":
            return web.Response(
                status=backend.status,
                body=backend.body.encode(),
                headers={**dict(backend.headers), "opc-request-id": request_id},
            )
        if backend.type != "HTTP_BACKEND":
            log.warning("route %s: backend type %s is not served", match.route.path, backend.type)
            raise Refusal(502)
        return await self._forward(request, match, query_string, client_ip, request_id)

    def _validate(self, route: RouteSpec, query_string: str, request: web.BaseRequest) -> None:
        names = [k for k, _ in parse_qsl(query_string, keep_blank_values=True)]
        header_names = [name.lower() for name in request.headers]
        for validation, present, what in (
            (route.query_validation, names, "query parameters"),
            (route.header_validation, header_names, "headers"),
        ):
            absent = policies.missing(validation, present)
            if absent:
                # Execution log: names only (values such as the token never reach a log).
                log.warning("route %s: missing required %s %s", route.path, what, absent)
                if policies.refuses(validation, present):
                    raise Refusal(400)

    async def _forward(
        self,
        request: web.BaseRequest,
        match: Match,
        query_string: str,
        client_ip: str,
        request_id: str,
    ) -> web.StreamResponse:
        backend = match.route.backend
        headers = {k.lower(): v for k, v in request.headers.items()}
        url = render_url(backend.url, match.params, query_string, headers, request.host)
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        target = self._addresses.resolve(parts.hostname or "", port)
        if target is None:
            log.warning("backend %s:%s: nothing runs at that address", parts.hostname, port)
            raise Refusal(502)
        body = await _read_body(request)
        forwarded = CIMultiDict(
            (k, v) for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP
        )
        forwarded.update(
            {
                "Host": parts.netloc,
                "X-Forwarded-For": client_ip,
                "X-Forwarded-Proto": "https",
                "X-Real-IP": client_ip,
                "opc-request-id": request_id,
            }
        )
        loopback = f"{parts.scheme}://{target[0]}:{target[1]}{parts.path or '/'}"
        if parts.query:
            loopback += f"?{parts.query}"
        try:
            async with asyncio.timeout(_header_deadline(backend)):
                upstream = await self._session.request(
                    request.method,
                    URL(loopback, encoded=True),
                    headers=forwarded,
                    data=body or None,
                    allow_redirects=False,
                    timeout=aiohttp.ClientTimeout(
                        sock_connect=backend.connect_timeout_s, sock_read=backend.read_timeout_s
                    ),
                )
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            log.warning("backend %s:%s: %s", parts.hostname, port, type(exc).__name__)
            raise Refusal(status_for(exc)) from None
        async with upstream:
            return await _relay(request, upstream, request_id)


def _header_deadline(backend: BackendSpec) -> float:
    # Until the response headers: connect, then send the (buffered) request, then read. aiohttp
    # bounds connect and each read; the send timeout only adds to this overall bound.
    return backend.connect_timeout_s + backend.send_timeout_s + backend.read_timeout_s


async def _read_body(request: web.BaseRequest) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.content.iter_chunked(64 * 1024):  # ends at the body's end
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise Refusal(413)
        chunks.append(chunk)
    return b"".join(chunks)


async def _relay(
    request: web.BaseRequest, upstream: aiohttp.ClientResponse, request_id: str
) -> web.StreamResponse:
    response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
    for name, value in upstream.headers.items():
        if name.lower() not in _HOP_BY_HOP or name.lower() == "content-length":
            response.headers.add(name, value)
    response.headers["opc-request-id"] = request_id
    await response.prepare(request)
    try:
        async for chunk in upstream.content.iter_any():
            await response.write(chunk)
    except (aiohttp.ClientError, TimeoutError) as exc:
        # Headers are sent: a read timeout or a dropped backend can only end the body.
        log.warning("backend stream ended: %s", type(exc).__name__)
    await response.write_eof()
    return response

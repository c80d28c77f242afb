"""ASGI middleware in front of the MCP app: token gate (with log redaction), Origin
allow-list and the in-flight request count used while draining."""

import hashlib
import hmac
from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from galley.runtime_state import RuntimeState

TOKEN_PARAM = "token"  # noqa: S105 - the parameter name, not a secret
REDACTED_QUERY = b"token=REDACTED"


def _digest(value: str) -> bytes:
    # Comparing fixed-length digests keeps the time independent of the token's length too.
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).digest()


class TokenGate:
    """Require `?token=<GALLEY_URL_TOKEN>` on every path except `public_paths`.

    Redacts the query string in the scope itself before anything else runs:
    uvicorn's access log reads the same scope dict when the response starts, so
    it never sees the token, whether the request is accepted or refused.
    """

    def __init__(self, app: ASGIApp, token: str, public_paths: frozenset[str]) -> None:
        self.app = app
        self._expected = _digest(token)
        self._public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self.app(scope, receive, send)
            return
        if scope["type"] != "http":  # uvicorn runs with ws="none"; refuse anything else
            await send({"type": "websocket.close", "code": 1008})
            return
        query = scope.get("query_string", b"")
        given = [
            value
            for key, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            if key == TOKEN_PARAM
        ]
        # Galley's endpoints take no other query parameters. Dropping the whole query
        # also keeps a mistyped or mis-separated token (`?tokn=`, `;token=`) out of logs.
        scope["query_string"] = REDACTED_QUERY if given else b""
        if scope["path"] in self._public_paths:
            await self.app(scope, receive, send)
            return
        if not given:
            reason = "missing token: add ?token=<url token> to the URL"
        elif len(given) == 1 and hmac.compare_digest(_digest(given[0]), self._expected):
            await self.app(scope, receive, send)
            return
        else:
            reason = "invalid token"
        await JSONResponse({"error": "unauthorized", "reason": reason}, 401)(scope, receive, send)


class OriginAllowList:
    """Refuse (403) requests whose Origin header is present and not in `allowed`.

    The MCP transport spec requires servers to validate Origin and answer 403 when it is
    invalid. Only browsers send one, so an empty `allowed` refuses every browser request while
    MCP hosts calling server-to-server (no Origin) pass. The SDK's own Host/Origin check is off
    (it only knows localhost and would answer 421 behind the gateway); this takes its place.
    """

    def __init__(self, app: ASGIApp, allowed: frozenset[str], public_paths: frozenset[str]) -> None:
        self.app = app
        self._allowed = allowed
        self._public_paths = public_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] not in self._public_paths:
            origin = Headers(scope=scope).get("origin")
            if origin is not None and origin.lower() not in self._allowed:
                body = {"error": "forbidden", "reason": "origin not allowed"}
                await JSONResponse(body, 403)(scope, receive, send)
                return
        await self.app(scope, receive, send)


class InFlightCounter:
    """Count requests being served (except probes) so a drain can wait for them."""

    def __init__(self, app: ASGIApp, state: RuntimeState, probe_paths: frozenset[str]) -> None:
        self.app = app
        self._state = state
        self._probe_paths = probe_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self._probe_paths:
            await self.app(scope, receive, send)
            return
        self._state.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self._state.in_flight -= 1

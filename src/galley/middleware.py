"""ASGI middleware in front of the MCP app: token gate (with log redaction), Origin
allow-list and the in-flight request count used while draining."""

from urllib.parse import parse_qsl

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from galley.runtime_state import RuntimeState
from galley.url_token import TOKEN_PARAM, token_matches

REDACTED_QUERY = b"token=REDACTED"
REDACTED_PATH = "/REDACTED"
WELL_KNOWN = "/.well-known/"
# What MCP clients probe when they look for OAuth (RFC 9728 protected-resource metadata, RFC 8414
# and OpenID discovery, each also suffixed with the resource's path; dynamic client registration).
# Logged as they are, so a log shows a client going looking for a sign-in.
_OAUTH_DOCUMENTS = (
    "oauth-protected-resource",
    "oauth-authorization-server",
    "openid-configuration",
)
_OAUTH_ENDPOINTS = frozenset({"/register", "/authorize", "/token"})


def logged_paths(routes: frozenset[str]) -> frozenset[str]:
    """The paths a log may show as they are: `routes`, "/" and the OAuth probes above.

    Fixed strings only: whatever else a client sends, a token it misplaced in the path included,
    is logged as REDACTED_PATH.
    """
    documents = {
        f"{WELL_KNOWN}{document}{suffix}"
        for document in _OAUTH_DOCUMENTS
        for suffix in ("", *routes)
    }
    documents |= {f"{route}{WELL_KNOWN}openid-configuration" for route in routes}
    return frozenset({"/", *routes, *documents, *_OAUTH_ENDPOINTS})


class TokenGate:
    """Require `?token=<url token>` on every path except `public_paths`; keep the URL's secrets
    out of every log.

    First, the URL in the scope itself is rewritten: uvicorn's access log reads the same scope
    dict when the response starts, so it never sees a token, accepted or refused.
    - The query becomes `token=REDACTED` when it has a `token` parameter, and is dropped
      otherwise (Galley's endpoints take no other parameter; a mistyped or mis-separated token,
      `?tokn=`, `?x=1;token=`, stays out of logs too).
    - A path that is not one of `logged` (fixed strings) becomes REDACTED_PATH, so a token
      misplaced in the path (`/mcp&token=...`, `/mcp;token=...`, `/token=...`, percent-encoded,
      a path segment of its own) never reaches a log, however it is spelt. Such a path is no
      route: it gets 404 with the right token, 403 without.

    Refusals are 403 without a WWW-Authenticate header. A 401 sends MCP clients (the SDKs, the
    Inspector, mcp-remote) into OAuth discovery and dynamic client registration, a sign-in that
    can never succeed here; a 403 without a challenge makes them report the refusal and stop.
    Any path with a `/.well-known/` segment (`/.well-known/oauth-protected-resource`,
    `/mcp/.well-known/openid-configuration`) is 404 for everyone: there is no OAuth metadata.
    """

    def __init__(
        self,
        app: ASGIApp,
        token_sha256: bytes,
        public_paths: frozenset[str],
        logged: frozenset[str],
    ) -> None:
        self.app = app
        self._expected = token_sha256
        self._public_paths = public_paths
        self._logged = logged

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
        scope["query_string"] = REDACTED_QUERY if given else b""
        path = scope["path"]
        if path not in self._logged:
            scope["path"] = REDACTED_PATH
            scope["raw_path"] = REDACTED_PATH.encode("ascii")
        if WELL_KNOWN in path:
            await PlainTextResponse("Not Found", 404)(scope, receive, send)
            return
        if path in self._public_paths:
            await self.app(scope, receive, send)
            return
        if not given:
            reason = "missing token: add ?token=<url token> to the URL"
        elif len(given) == 1 and token_matches(given[0], self._expected):
            await self.app(scope, receive, send)
            return
        else:
            reason = "invalid token: the URL's token= value is not this deployment's"
        await JSONResponse({"error": "forbidden", "reason": reason}, 403)(scope, receive, send)


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

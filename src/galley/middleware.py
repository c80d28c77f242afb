"""ASGI middleware in front of the MCP app: token gate (query or Bearer header, with log
redaction), Origin allow-list and the in-flight request count used while draining."""

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


def _bearer_token(value: str) -> str | None:
    """The token of an `Authorization: Bearer <token>` value; None for any other scheme."""
    # RFC 9110 §11.1: the scheme is case-insensitive; RFC 6750 §2.1: `Bearer 1*SP b64token`.
    scheme, _, credentials = value.strip(" \t").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return credentials.strip(" ")


class TokenGate:
    """Require the token on every path except `public_paths`; keep it out of every log.

    A request carries the token as `?token=<token>` or as `Authorization: Bearer <token>`. When
    it carries both, both must be valid tokens (they may be two valid tokens while tokens are
    rotated): a request is never let in on one credential while it also presents a wrong one.
    A token given twice in the query, two Authorization headers, or an Authorization header
    with another scheme (Basic, a bare token) is refused: whatever the client meant it to
    prove is not checked here, and guessing would let a misconfiguration pass silently. Tokens
    shorter than MIN_TOKEN_LENGTH never match, whatever digests were configured.

    First, the URL in the scope itself is rewritten: uvicorn's access log reads the same scope
    dict when the response starts, so it never sees a token, accepted or refused.
    - The query becomes `token=REDACTED` when it has a `token` parameter, and is dropped
      otherwise (Galley's endpoints take no other parameter; a mistyped or mis-separated token,
      `?tokn=`, `?x=1;token=`, stays out of logs too).
    - A path that is not one of `logged` (fixed strings) becomes REDACTED_PATH, so a token
      misplaced in the path (`/mcp&token=...`, `/mcp;token=...`, `/token=...`, percent-encoded,
      a path segment of its own) never reaches a log, however it is spelt. Such a path is no
      route: it gets 404 with the right token, 403 without.
    - The Authorization header is removed before the application runs, so no handler, error
      report or traceback below this gate can show it.

    Refusals are 403 without a WWW-Authenticate header. A 401 sends MCP clients (the SDKs, the
    Inspector, mcp-remote) into OAuth discovery and dynamic client registration, a sign-in that
    can never succeed here; a 403 without a challenge makes them report the refusal and stop.
    Any path with a `/.well-known/` segment (`/.well-known/oauth-protected-resource`,
    `/mcp/.well-known/openid-configuration`) is 404 for everyone: there is no OAuth metadata.
    """

    def __init__(
        self,
        app: ASGIApp,
        token_digests: tuple[bytes, ...],
        public_paths: frozenset[str],
        logged: frozenset[str],
        allowed_origins: frozenset[str] = frozenset(),
    ) -> None:
        self.app = app
        self._expected = token_digests
        self._public_paths = public_paths
        self._logged = logged
        self._allowed_origins = allowed_origins

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
        authorization = [v.decode("latin-1") for k, v in scope["headers"] if k == b"authorization"]
        if authorization:
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k != b"authorization"]
        path = scope["path"]
        if path not in self._logged:
            scope["path"] = REDACTED_PATH
            scope["raw_path"] = REDACTED_PATH.encode("ascii")
        if WELL_KNOWN in path:
            await PlainTextResponse("Not Found", 404)(scope, receive, send)
            return
        headers = Headers(scope=scope)
        # A CORS preflight carries no credentials (browsers never send Authorization with it):
        # given Origin and Access-Control-Request-Method, CORSMiddleware (inside) answers it
        # from the allowed origins alone, without calling anything further in.
        preflight = (
            scope["method"] == "OPTIONS"
            and "origin" in headers
            and "access-control-request-method" in headers
        )
        if path in self._public_paths or preflight:
            await self.app(scope, receive, send)
            return
        reason = self._refusal(given, authorization)
        if reason is None:
            await self.app(scope, receive, send)
            return
        refusal = JSONResponse({"error": "forbidden", "reason": reason}, 403)
        origin = headers.get("origin")
        if origin is not None and origin.lower() in self._allowed_origins:
            # So that a page on an allowed origin can read why it was refused.
            refusal.headers["Access-Control-Allow-Origin"] = origin
            refusal.headers["Vary"] = "Origin"
        await refusal(scope, receive, send)

    def _refusal(self, query: list[str], authorization: list[str]) -> str | None:
        """Why the request's credentials are refused, or None when they let it in."""
        if not query and not authorization:
            return (
                "missing token: add ?token=<token> to the URL or send "
                "the header Authorization: Bearer <token>"
            )
        if len(query) > 1 or len(authorization) > 1:
            return "invalid token: the token is given more than once in the query or headers"
        given = list(query)
        if authorization:
            bearer = _bearer_token(authorization[0])
            if bearer is None:
                return "invalid token: the Authorization header's scheme is not Bearer"
            given.append(bearer)
        # Every presented token is compared, so the time taken does not tell which one failed.
        valid = [token_matches(token, self._expected) for token in given]
        if all(valid):
            return None
        return "invalid token: the token given is not one of this deployment's"


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

"""The HTTP application: the MCP endpoint at /mcp and the probes /health and /ready."""

from anyio import to_thread
from mcp.server import MCPServer
from mcp.server.transport_security import TransportSecuritySettings
from mcp_types import ToolAnnotations
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from galley import __version__
from galley.audit import AuditTrail, tool_call
from galley.datadir import data_dir_problem
from galley.environment import BinaryVersions, EnvironmentReport, environment_report
from galley.mcp_guard import DrainCut, JsonRpcGuard
from galley.middleware import InFlightCounter, OriginAllowList, TokenGate, logged_paths
from galley.runtime_state import RuntimeState
from galley.settings import Settings

MCP_PATH = "/mcp"
HEALTH_PATH = "/health"
READY_PATH = "/ready"
ENVIRONMENT_TOOL = "galley_environment"
ROUTES = frozenset({MCP_PATH, HEALTH_PATH, READY_PATH})
# What a browser page on an allowed origin may send to /mcp, and read back.
CORS_REQUEST_HEADERS = (
    "Authorization",
    "Content-Type",
    "Accept",
    "MCP-Protocol-Version",
    "Mcp-Session-Id",
    "Last-Event-ID",
)
CORS_EXPOSED_HEADERS = ("Mcp-Session-Id", "MCP-Protocol-Version")


def build_mcp_server(settings: Settings) -> MCPServer:
    # No subscriptions: Galley never publishes events, and an idle `subscriptions/listen`
    # stream would only hold a connection open through the gateway and delay every drain.
    mcp: MCPServer = MCPServer(
        "galley",
        version=__version__,
        instructions=f"Call {ENVIRONMENT_TOOL} to check what this Galley deployment runs.",
        subscriptions=False,
    )
    versions = BinaryVersions()

    @mcp.tool(
        name=ENVIRONMENT_TOOL,
        title="Galley environment",
        description=(
            "Report this Galley deployment: its version, the versions of the bundled "
            "terraform, oci and kubectl CLIs (when present) and whether its data "
            "directory is usable."
        ),
        annotations=ToolAnnotations(read_only_hint=True, open_world_hint=False),
    )
    async def galley_environment() -> EnvironmentReport:
        async with tool_call(ENVIRONMENT_TOOL):
            return await environment_report(settings.data_dir, versions)

    return mcp


def _only_post_on_mcp(app: ASGIApp) -> ASGIApp:
    """Answer every method on /mcp but POST with 405 and `Allow: POST`.

    Stateless mode issues no Mcp-Session-Id, so nothing can ever be sent on the standalone GET
    stream of 2025-era clients: the SDK would hold it open idle (through the gateway, and
    delaying every drain). The spec lets a server answer 405 instead; clients then carry on over
    POST. DELETE has no session to end, and the POST-only 2026-07-28 revision never sends GET.
    The SDK's own 405s say `Allow: GET, POST, DELETE`, naming methods it then refuses.
    CORS preflights (OPTIONS) are answered before this, by CORSMiddleware.
    """

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == MCP_PATH and scope["method"] != "POST":
            await Response(status_code=405, headers={"Allow": "POST"})(scope, receive, send)
            return
        await app(scope, receive, send)

    return guarded


def build_app(settings: Settings, state: RuntimeState) -> ASGIApp:
    mcp = build_mcp_server(settings)

    @mcp.custom_route(HEALTH_PATH, methods=["GET"])
    async def health(_: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__})

    @mcp.custom_route(READY_PATH, methods=["GET"])
    async def ready(_: Request) -> Response:
        if state.draining:
            return JSONResponse({"status": "draining"}, 503)
        problem = await to_thread.run_sync(data_dir_problem, settings.data_dir)
        if problem is not None:
            return JSONResponse({"status": "unavailable", "reason": f"data dir: {problem}"}, 503)
        return JSONResponse({"status": "ready"})

    # Both SDK paths send SSE with `X-Accel-Buffering: no` and `Cache-Control: no-cache`,
    # so proxies pass events through unbuffered (tested in tests/runtime/test_http.py).
    # Stateless: any replica can answer any request (no session affinity needed
    # behind the gateway). The SDK's DNS-rebinding check is turned off because it
    # only accepts localhost Host headers (421 for the gateway's); OriginAllowList
    # and the token take its place. No `auth=`, so no /.well-known/oauth-* routes:
    # their presence would make MCP clients start an OAuth flow.
    starlette_app = mcp.streamable_http_app(
        streamable_http_path=MCP_PATH,
        stateless_http=True,
        transport_security=TransportSecuritySettings(enable_dns_rebinding_protection=False),
    )
    # Starlette answers `/mcp/` with a 307 to `/mcp`, built from the backend's own Host and the
    # already redacted query: a Location of `http://<ip>:8000/mcp?token=REDACTED` that leaks the
    # address and breaks the client. Unknown paths get a plain 404 instead.
    starlette_app.router.redirect_slashes = False
    app: ASGIApp = starlette_app
    public = frozenset({HEALTH_PATH})
    app = DrainCut(app, state, MCP_PATH)
    app = JsonRpcGuard(app, MCP_PATH)
    app = _only_post_on_mcp(app)
    app = InFlightCounter(app, state, probe_paths=frozenset({HEALTH_PATH, READY_PATH}))
    app = OriginAllowList(app, settings.allowed_origins, public_paths=public)
    # Browsers on an allowed origin: preflights answered, responses readable. With no allowed
    # origin every preflight gets 400 and no response carries Access-Control-* headers.
    app = CORSMiddleware(
        app,
        allow_origins=sorted(settings.allowed_origins),
        allow_methods=["POST"],
        allow_headers=list(CORS_REQUEST_HEADERS),
        expose_headers=list(CORS_EXPOSED_HEADERS),
        max_age=600,
    )
    # Outermost but for the audit trail, so the URL is redacted before anything can log the
    # request; AuditTrail keeps only fixed fields of it, refused requests included.
    app = TokenGate(
        app,
        settings.url_token_digests,
        public_paths=public,
        logged=logged_paths(ROUTES),
        allowed_origins=settings.allowed_origins,
    )
    return AuditTrail(app, MCP_PATH)

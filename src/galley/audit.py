"""The audit trail: one JSON line per MCP request and one per tool call, on the `galley.audit`
logger (stdout, one line each).

What a record keeps, and nothing more:
- request: time, request id (the gateway's `opc-request-id` when it sends a well-formed one,
  else one made here), the client's address (X-Real-IP, else the last X-Forwarded-For hop, else
  the peer; only if it parses as an IP address), the HTTP method, the JSON-RPC method and id,
  the tool's name for `tools/call`, the number of tool arguments, the HTTP status, the outcome
  (`ok`, `refused` for a 403, `error`) and the duration.
- tool call: time, the request id of the request that made it, the tool's name, the outcome
  (`ok` or `error`) and the duration.
Never the token (records are built from fixed fields, none of which is the query, the path or a
header but the two address headers, each parsed as an IP address), and nothing of the tool
arguments but their number: neither values nor names, which a client chooses freely too.
"""

import contextvars
import ipaddress
import json
import logging
import re
import sys
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

AUDIT_LOGGER = "galley.audit"
# Set by JsonRpcGuard once it has parsed a POST /mcp body: what the record may say of it.
SCOPE_RPC = "galley.audit_rpc"
REQUEST_KIND = "galley.audit.request"
TOOL_CALL_KIND = "galley.audit.tool_call"
MAX_NAME = 128  # a tool name, JSON-RPC method or id is cut to this many characters
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:/-]{1,128}")
_current_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "galley_audit_request_id", default=None
)

logger = logging.getLogger(AUDIT_LOGGER)


def setup_audit_logger() -> logging.Logger:
    """The audit logger writing bare JSON lines to stdout, apart from the root logger's format."""
    if not any(getattr(h, "galley_audit", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler.galley_audit = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return logger


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def emit(record: dict[str, Any]) -> None:
    """Write one record: JSON with ASCII escapes, so always one line whatever a client sent."""
    logger.info(json.dumps(record, ensure_ascii=True, separators=(",", ":")))


def clip(value: object) -> str | int | None:
    """A client-chosen name or id as a record may keep it: an int, or a string of at most
    MAX_NAME characters; anything else is dropped."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return value[:MAX_NAME]
    return None


def rpc_summary(message: dict[str, Any]) -> dict[str, Any]:
    """What a request record keeps of a JSON-RPC message (see the module's docstring)."""
    summary: dict[str, Any] = {"mcp_method": clip(message.get("method")), "rpc_id": None}
    if "id" in message:
        summary["rpc_id"] = clip(message["id"])
    params = message.get("params")
    if message.get("method") == "tools/call" and isinstance(params, dict):
        summary["tool"] = clip(params.get("name"))
        arguments = params.get("arguments")
        summary["argument_count"] = len(arguments) if isinstance(arguments, dict) else 0
    return summary


def _address(value: str | None) -> str | None:
    if not value:
        return None
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return None


def client_address(scope: Scope) -> str | None:
    """The client as the gateway passes it (X-Real-IP, else the last X-Forwarded-For hop, the
    one the gateway added), else the peer; None when none is an IP address."""
    headers = Headers(scope=scope)
    real = _address(headers.get("x-real-ip"))
    if real is not None:
        return real
    forwarded = headers.get("x-forwarded-for")
    if forwarded:
        hop = _address(forwarded.rsplit(",", 1)[-1])
        if hop is not None:
            return hop
    peer = scope.get("client")
    return _address(peer[0]) if peer else None


def _request_id(scope: Scope) -> str:
    given = Headers(scope=scope).get("opc-request-id")
    if given is not None and _REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def _outcome(status: int | None) -> str:
    if status is None or status >= 500:
        return "error"
    if status == 403:
        return "refused"
    return "ok" if status < 400 else "error"


class AuditTrail:
    """Outermost middleware: one request record per request to `path`, refused ones included.

    It reads the scope only for the fields above, and after the inner app has run (TokenGate
    has redacted the query and removed the Authorization header by then); the JSON-RPC fields
    come from JsonRpcGuard through SCOPE_RPC.
    """

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self._path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self._path:
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        when = _now()
        request_id = _request_id(scope)
        client = client_address(scope)
        status: int | None = None

        async def tracked(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        token = _current_request_id.set(request_id)
        try:
            await self.app(scope, receive, tracked)
        finally:
            _current_request_id.reset(token)
            record: dict[str, Any] = {
                "kind": REQUEST_KIND,
                "time": when,
                "request_id": request_id,
                "client": client,
                "http_method": scope["method"],
                "mcp_method": None,
                "rpc_id": None,
            }
            record.update(scope.get(SCOPE_RPC, {}))
            record["status"] = status
            record["outcome"] = _outcome(status)
            record["duration_ms"] = round((time.perf_counter() - started) * 1000, 1)
            emit(record)


@asynccontextmanager
async def tool_call(name: str) -> AsyncIterator[None]:
    """Around a tool's body: one tool-call record, `ok` unless the body raises."""
    started = time.perf_counter()
    when = _now()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        emit(
            {
                "kind": TOOL_CALL_KIND,
                "time": when,
                "request_id": _current_request_id.get(),
                "tool": name,
                "outcome": outcome,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            }
        )

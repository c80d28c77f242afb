"""In front of the SDK's /mcp handler: JSON-RPC messages checked as the spec says, and requests
still running at the end of a drain answered with an error rather than cut off.

The SDK treats a message whose `id` is not a string or an integer (1.5, true, null, an object)
as a notification: 202, and the request is silently dropped. Its 400s quote pydantic's report
(`input_value=...`, links to errors.pydantic.dev). Here such messages get a JSON-RPC error that
says what is wrong in the protocol's own terms, before the SDK sees them.
"""

import json
from collections.abc import Mapping
from typing import Any

import anyio
from mcp_types import jsonrpc_message_adapter
from pydantic import ValidationError
from starlette.datastructures import Headers
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from galley.audit import SCOPE_RPC, rpc_summary
from galley.http_protocol import MAX_BODY_BYTES
from galley.runtime_state import RuntimeState

PARSE_ERROR = -32700
INVALID_REQUEST = -32600
# JSON-RPC's range for implementation-defined server errors.
SHUTTING_DOWN = -32000
SCOPE_ID = "galley.jsonrpc_id"  # the request's id, for DrainCut
SHUTDOWN_MESSAGE = (
    "Galley is shutting down and could not finish this request; send it again "
    "(another instance, or this one once restarted, will answer)"
)


def rpc_error(code: int, message: str, request_id: object = None) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}}


def _no_constants(name: str) -> None:
    raise ValueError(f"{name} is not a JSON value")


def _valid_id(value: object) -> bool:
    # MCP: "Requests MUST include a string or integer ID ... the ID MUST NOT be null".
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def message_problem(message: object) -> str | None:
    """What makes `message` no JSON-RPC 2.0 message MCP accepts, or None."""
    if isinstance(message, list):
        return "a batch (a JSON array); MCP takes one message per request"
    if not isinstance(message, Mapping):
        return "not a JSON object"
    if message.get("jsonrpc") != "2.0":
        return 'no "jsonrpc": "2.0" member'
    if "id" in message and not _valid_id(message["id"]):
        kind = "null" if message["id"] is None else type(message["id"]).__name__
        return f'an "id" that is {kind}; expected a string or an integer'
    if "method" in message:
        if not isinstance(message["method"], str):
            return 'a "method" that is not a string'
        if "params" in message and not isinstance(message["params"], Mapping):
            return 'a "params" that is not an object'
    elif "id" not in message or ("result" in message) == ("error" in message):
        return 'neither a request ("method" and "id"), a notification ("method") nor a response'
    try:
        jsonrpc_message_adapter.validate_python(message, by_name=False)
    except ValidationError:
        return "members of the wrong type for a JSON-RPC request, notification or response"
    return None


class JsonRpcGuard:
    """Read a POST /mcp body (at most MAX_BODY_BYTES), answer 400 with a JSON-RPC error when it
    is no valid message, else hand it on to the SDK unchanged."""

    def __init__(self, app: ASGIApp, path: str) -> None:
        self.app = app
        self._path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self._path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            event = await receive()
            if event["type"] == "http.disconnect":
                return  # the client went away: nothing to answer
            chunk = event.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                error = rpc_error(INVALID_REQUEST, f"request body over {MAX_BODY_BYTES} bytes")
                await JSONResponse(error, 413)(scope, receive, send)
                return
            chunks.append(chunk)
            if not event.get("more_body", False):
                break
        body = b"".join(chunks)
        try:
            message = json.loads(body, parse_constant=_no_constants)
        except (ValueError, RecursionError) as exc:
            # json's messages give a position, never the input.
            detail = str(exc) if isinstance(exc, ValueError) else "nested too deeply"
            error = rpc_error(PARSE_ERROR, f"Parse error: the body is not JSON: {detail}")
            await JSONResponse(error, 400)(scope, receive, send)
            return
        problem = message_problem(message)
        if problem is not None:
            error = rpc_error(INVALID_REQUEST, f"Invalid Request: the message has {problem}")
            if problem.startswith("not a") or problem.startswith("a batch"):
                error["error"]["message"] = f"Invalid Request: the message is {problem}"
            await JSONResponse(error, 400)(scope, receive, send)
            return
        scope[SCOPE_ID] = message.get("id")
        scope[SCOPE_RPC] = rpc_summary(message)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


class DrainCut:
    """End a POST /mcp still running when the drain runs out with a JSON-RPC error.

    Without it, uvicorn cancels the request at the end of its shutdown: an event stream stops
    with no final event (the client cannot tell a crash from a shutdown), a response not yet
    begun becomes a 500, and the cancellation is logged as a traceback.
    """

    def __init__(self, app: ASGIApp, state: RuntimeState, path: str) -> None:
        self.app = app
        self._state = state
        self._path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self._path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        started = finished = event_stream = cut = False

        async def tracked(message: Message) -> None:
            nonlocal started, finished, event_stream
            if message["type"] == "http.response.start":
                started = True
                content_type = Headers(raw=message.get("headers", [])).get("content-type", "")
                event_stream = content_type.startswith("text/event-stream")
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                finished = True
            await send(message)

        async with anyio.create_task_group() as tg:

            async def watch() -> None:
                nonlocal cut
                await self._state.cut.wait()
                cut = True
                tg.cancel_scope.cancel()

            tg.start_soon(watch)
            await self.app(scope, receive, tracked)
            tg.cancel_scope.cancel()
        if not cut or finished:
            return
        error = rpc_error(SHUTTING_DOWN, SHUTDOWN_MESSAGE, scope.get(SCOPE_ID))
        if not started:
            await JSONResponse(error, 503, headers={"Connection": "close"})(scope, receive, send)
        elif event_stream:
            event = b"event: message\r\ndata: " + json.dumps(error).encode() + b"\r\n\r\n"
            await send({"type": "http.response.body", "body": event, "more_body": False})
        else:
            await send({"type": "http.response.body", "body": b"", "more_body": False})

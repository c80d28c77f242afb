"""The audit trail on stdout: one JSON record per MCP request and per tool call, with its fields;
never the token (query or header form), never a tool argument's value or name."""

import json

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

REQUEST = "galley.audit.request"
TOOL_CALL = "galley.audit.tool_call"
REQUEST_FIELDS = {
    "kind",
    "time",
    "request_id",
    "client",
    "http_method",
    "mcp_method",
    "rpc_id",
    "status",
    "outcome",
    "duration_ms",
}
TOOL_FIELDS = {"kind", "time", "request_id", "tool", "outcome", "duration_ms"}
SECRET_VALUE = "s3cret-argument-value-7f1d"
SECRET_NAME = "argument-name-9c2e"
HEADERS = {
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-06-18",
}


def audit_records(logs: str) -> list[dict]:
    records = []
    for line in logs.splitlines():
        if line.startswith('{"kind":"galley.audit.'):
            records.append(json.loads(line))
    return records


async def mcp_session(url: str) -> None:
    async with (
        httpx2.AsyncClient(trust_env=False, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
    ):
        await client.list_tools()
        await client.call_tool("galley_environment", {})


def tool_call_body(rpc_id: int, arguments: dict) -> dict:
    params = {"name": "galley_environment", "arguments": arguments}
    return {"jsonrpc": "2.0", "id": rpc_id, "method": "tools/call", "params": params}


def test_one_record_per_request_and_per_tool_call(start):
    server = start()
    anyio.run(mcp_session, server.mcp_url)
    server.stop()
    logs = server.logs()
    records = audit_records(logs)
    requests = [r for r in records if r["kind"] == REQUEST]
    tools = [r for r in records if r["kind"] == TOOL_CALL]
    methods = [r["mcp_method"] for r in requests]
    assert methods == ["initialize", "notifications/initialized", "tools/list", "tools/call"]
    for record in requests:
        assert set(record) >= REQUEST_FIELDS, record
        assert record["client"] == "127.0.0.1"
        assert record["http_method"] == "POST"
        assert record["outcome"] == "ok" and record["status"] in {200, 202}
        assert record["duration_ms"] >= 0 and record["time"].endswith("Z")
    assert len({r["request_id"] for r in requests}) == len(requests)
    call = requests[-1]
    assert call["tool"] == "galley_environment" and call["argument_count"] == 0
    (tool,) = tools
    assert set(tool) == TOOL_FIELDS
    assert tool["tool"] == "galley_environment" and tool["outcome"] == "ok"
    assert tool["request_id"] == call["request_id"]
    assert server.token not in logs


def test_header_token_gateway_address_and_arguments_stay_out(start):
    server = start()
    token = server.token
    gateway = {"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Real-IP": "203.0.113.9"}
    headers = {**HEADERS, **gateway, "Authorization": f"Bearer {token}"}
    arguments = {SECRET_NAME: SECRET_VALUE}
    body = tool_call_body(7, arguments)
    response = server.http.post("/mcp", json=body, headers={**headers, "opc-request-id": "gw/abc"})
    assert response.status_code == 200, response.text
    # Only the last X-Forwarded-For hop (the gateway's) counts when X-Real-IP is not sent.
    forwarded = {**HEADERS, "X-Forwarded-For": gateway["X-Forwarded-For"]}
    response = server.http.post(
        f"/mcp?token={token}", json=tool_call_body(8, {}), headers=forwarded
    )
    assert response.status_code == 200, response.text
    server.stop()
    logs = server.logs()
    first, second = [r for r in audit_records(logs) if r["kind"] == REQUEST]
    assert first["client"] == "203.0.113.9" and first["request_id"] == "gw/abc"
    assert first["rpc_id"] == 7 and first["tool"] == "galley_environment"
    assert first["argument_count"] == 1
    assert second["client"] == "203.0.113.9" and second["rpc_id"] == 8
    for text in (token, SECRET_VALUE, SECRET_NAME):
        assert text not in logs


def test_refused_requests_are_recorded_without_the_token(start):
    server = start()
    wrong = "wrong-token-0123456789abcdef"
    body = tool_call_body(1, {SECRET_NAME: SECRET_VALUE})
    refused = [
        server.http.post(f"/mcp?token={wrong}", json=body, headers=HEADERS),
        server.http.post(
            "/mcp", json=body, headers={**HEADERS, "Authorization": f"Bearer {wrong}"}
        ),
        server.http.post("/mcp", json=body, headers=HEADERS),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403]
    # Not an MCP request: no record (probes and other paths are in the access log only).
    assert server.http.get("/health").status_code == 200
    server.stop()
    logs = server.logs()
    records = audit_records(logs)
    assert len(records) == 3
    for record in records:
        assert record["kind"] == REQUEST and record["outcome"] == "refused"
        assert record["status"] == 403 and record["mcp_method"] is None
    for text in (wrong, SECRET_VALUE, SECRET_NAME):
        assert text not in logs


def test_an_unknown_tool_is_a_request_record_only(start):
    # The SDK answers with a tool error; no tool ran, so there is no tool-call record.
    server = start()
    body = {
        "jsonrpc": "2.0",
        "id": 3,
        "method": "tools/call",
        "params": {"name": "no_such_tool", "arguments": {}},
    }
    response = server.http.post(f"/mcp?token={server.token}", json=body, headers=HEADERS)
    assert response.status_code == 200, response.text
    server.stop()
    (record,) = audit_records(server.logs())
    assert record["tool"] == "no_such_tool" and record["outcome"] == "ok"

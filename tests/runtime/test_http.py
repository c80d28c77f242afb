"""HTTP behaviour of a real `python -m galley` on loopback: probes, token gate, headers."""

import json
import shutil

import pytest

from galley import __version__

INIT_2025_06_18 = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "raw-test-client", "version": "1"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


def sse_messages(text: str) -> list[dict]:
    return [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")]


def test_health_without_token_reveals_nothing_secret(galley):
    response = galley.http.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}
    assert galley.token not in response.text
    assert galley.token not in str(response.headers)
    assert str(galley.data_dir) not in response.text


def test_health_ignores_a_wrong_token(galley):
    assert galley.http.get("/health", params={"token": "nope"}).status_code == 200


@pytest.mark.parametrize("path", ["/mcp", "/ready", "/no-such-path", "/register"])
@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ("", "missing token"),
        ("?token=", "invalid token"),
        ("?token=WRONG", "invalid token"),  # other length, shorter
        ("?token=SAME_LENGTH", "invalid token"),  # same length, other characters
        ("?token=LONGER", "invalid token"),
        ("?token=RIGHT&token=WRONG", "invalid token"),
        ("?tokn=RIGHT", "missing token"),
    ],
)
def test_requests_without_the_right_token_get_403(galley, path, query, reason):
    query = (
        query.replace("SAME_LENGTH", "x" * len(galley.token))
        .replace("LONGER", galley.token + "x")
        .replace("RIGHT", galley.token)
    )
    response = galley.http.post(path + query, json=INIT_2025_06_18, headers=MCP_HEADERS)
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    assert response.json()["error"] == "forbidden"
    assert response.json()["reason"].startswith(reason)
    # A 401, or any WWW-Authenticate challenge, sends MCP clients into OAuth discovery and
    # client registration (tests/runtime/test_real_clients.py).
    assert "www-authenticate" not in response.headers
    assert galley.token not in response.text


def test_ready_with_token(galley):
    response = galley.http.get("/ready", params={"token": galley.token})
    assert response.status_code == 200
    assert response.json() == {"status": "ready"}


@pytest.mark.parametrize(
    "path",
    [
        "/.well-known/oauth-authorization-server",
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
        "/.well-known/openid-configuration",
        "/mcp/.well-known/openid-configuration",
        "/.well-known/anything-else",
    ],
)
def test_no_oauth_metadata_with_or_without_the_token(galley, path):
    """No OAuth metadata anywhere: a plain 404, the answer discovery takes for "none here"."""
    for params in ({}, {"token": "wrong"}, {"token": galley.token}):
        response = galley.http.get(path, params=params)
        assert response.status_code == 404
        assert "www-authenticate" not in response.headers


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("path", ["/mcp/", "/ready/", "/health/", "/mcp//"])
def test_trailing_slash_is_not_redirected(galley, method, path):
    """Starlette's default 307 to the slash-less URL would put `token=REDACTED` (the scope's
    query, already redacted) and the backend's own host:port into a Location header."""
    response = galley.http.request(
        method,
        f"{path}?token={galley.token}",
        json=INIT_2025_06_18,
        headers={**MCP_HEADERS, "Host": "gw.example.com"},
    )
    assert response.status_code == 404
    assert "location" not in response.headers
    assert "REDACTED" not in response.text
    assert str(galley.port) not in response.text


def test_initialize_2025_06_18_through_a_gateway_host(galley):
    """Behind the API gateway the Host header is the gateway's; the SDK default gave 421."""
    response = galley.http.post(
        galley.mcp_url.removeprefix(galley.base_url),
        json=INIT_2025_06_18,
        headers={**MCP_HEADERS, "Host": "abc.apigateway.us-ashburn-1.oci.customer-oci.com"},
    )
    assert response.status_code == 200
    (message,) = sse_messages(response.text)
    assert message["result"]["protocolVersion"] == "2025-06-18"
    assert message["result"]["serverInfo"] == {"name": "galley", "version": __version__}
    # Stateless: no session, so a 2025 client never needs the same replica twice.
    assert "mcp-session-id" not in response.headers


def test_event_streams_are_not_buffered_by_proxies(galley):
    response = galley.http.post(
        f"/mcp?token={galley.token}", json=INIT_2025_06_18, headers=MCP_HEADERS
    )
    assert response.headers["content-type"].startswith("text/event-stream")
    assert response.headers["x-accel-buffering"] == "no"
    assert "no-cache" in response.headers["cache-control"]


def test_2025_client_flow_with_get_and_delete(galley):
    """A 2025-06-18 client: initialize, initialized, tools/call over POST; GET and DELETE get
    405 (allowed by the spec: no standalone stream and no session to end)."""
    url = f"/mcp?token={galley.token}"
    headers = {**MCP_HEADERS, "MCP-Protocol-Version": "2025-06-18"}
    assert galley.http.post(url, json=INIT_2025_06_18, headers=MCP_HEADERS).status_code == 200
    initialized = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    assert galley.http.post(url, json=initialized, headers=headers).status_code == 202
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "galley_environment", "arguments": {}},
    }
    response = galley.http.post(url, json=call, headers=headers)
    assert response.status_code == 200
    (message,) = sse_messages(response.text)
    assert message["result"]["isError"] is False
    assert message["result"]["structuredContent"]["galley_version"] == __version__

    stream = galley.http.get(url, headers={"Accept": "text/event-stream", **headers})
    assert stream.status_code == 405
    assert stream.headers["allow"] == "POST"
    assert galley.http.delete(url, headers=headers).status_code == 405


@pytest.mark.parametrize(
    "origin", ["https://anything.example.com", "http://localhost:6274", "null"]
)
def test_without_an_allow_list_every_origin_is_refused(galley, origin):
    """The MCP transport spec: a present, invalid Origin gets 403. Browsers must be allowed
    explicitly with GALLEY_ALLOWED_ORIGINS."""
    url = f"/mcp?token={galley.token}"
    response = galley.http.post(
        url, json=INIT_2025_06_18, headers={**MCP_HEADERS, "Origin": origin}
    )
    assert response.status_code == 403
    assert response.json() == {"error": "forbidden", "reason": "origin not allowed"}
    # Server-to-server MCP hosts send no Origin and are served.
    assert galley.http.post(url, json=INIT_2025_06_18, headers=MCP_HEADERS).status_code == 200
    health = galley.http.get("/health", headers={"Origin": origin})
    assert health.status_code == 200


def test_origin_allow_list(start):
    server = start(GALLEY_ALLOWED_ORIGINS="https://allowed.example.com")
    url = f"/mcp?token={server.token}"

    def post(**headers: str):
        return server.http.post(url, json=INIT_2025_06_18, headers={**MCP_HEADERS, **headers})

    refused = post(Origin="https://evil.example.com")
    assert refused.status_code == 403
    assert refused.json() == {"error": "forbidden", "reason": "origin not allowed"}
    assert post(Origin="https://allowed.example.com").status_code == 200
    assert post(Origin="HTTPS://ALLOWED.example.com").status_code == 200
    assert post().status_code == 200  # no Origin: not a browser
    assert post(Origin="null").status_code == 403
    health = server.http.get("/health", headers={"Origin": "https://evil.example.com"})
    assert health.status_code == 200


def test_ready_is_503_while_the_data_dir_is_unusable(start):
    server = start()
    ready = {"token": server.token}
    assert server.http.get("/ready", params=ready).status_code == 200

    shutil.rmtree(server.data_dir)
    server.data_dir.write_text("a file where the directory was")
    response = server.http.get("/ready", params=ready)
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert "is not a directory" in response.json()["reason"]
    assert server.http.get("/health").status_code == 200  # liveness is unaffected

    server.data_dir.unlink()
    server.data_dir.mkdir()
    assert server.http.get("/ready", params=ready).status_code == 200

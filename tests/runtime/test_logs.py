"""The URL token never reaches the server's logs (stdout + stderr of `python -m galley`): not from
the query, and not from anywhere in the path where a client may have misplaced it."""

import http.client
import re
import socket
from urllib.parse import quote

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<target>\S+) HTTP/1\.1" (?P<status>\d{3})')


async def mcp_session(url: str) -> None:
    async with (
        httpx2.AsyncClient(trust_env=False, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
    ):
        await client.call_tool("galley_environment", {})


def every_byte_escaped(text: str) -> str:
    return "".join(f"%{byte:02X}" for byte in text.encode())


def raw_get(port: int, target: str) -> int:
    """GET `target` exactly as written (httpx would normalise some of these paths)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", target)
        return conn.getresponse().status
    finally:
        conn.close()


def access_log(logs: str) -> list[tuple[str, str, int]]:
    return [
        (m["method"], m["target"], int(m["status"]))
        for m in map(ACCESS_LINE.search, logs.splitlines())
        if m
    ]


def test_token_in_the_query_is_absent_from_logs(start):
    server = start()
    token = server.token
    http = server.http
    assert http.get("/ready", params={"token": token}).status_code == 200
    assert http.get("/health", params={"token": token}).status_code == 200
    assert http.get("/nowhere", params={"token": token}).status_code == 404
    assert http.get(f"/ready?x=1;token={token}").status_code == 403  # mis-separated
    assert http.get(f"/ready?tokn={token}").status_code == 403  # mistyped
    assert http.get(f"/ready?token={token}&token={token}").status_code == 403
    assert http.get(f"/ready?token={token[:-1]}").status_code == 403  # almost the token
    anyio.run(mcp_session, server.mcp_url)
    server.stop()  # flush and close the log files

    logs = server.logs()
    assert server.proc.returncode == 0
    # The access log really ran, and saw the redacted form.
    assert 'GET /ready?token=REDACTED HTTP/1.1" 200' in logs
    assert 'POST /mcp?token=REDACTED HTTP/1.1" 200' in logs
    assert 'GET /ready HTTP/1.1" 403' in logs
    assert token not in logs
    assert token[:-1] not in logs
    assert quote(token, safe="") not in logs


def test_token_anywhere_in_the_path_is_absent_from_logs(start):
    """Any path other than a route (or a fixed OAuth probe path) is logged as /REDACTED, so a
    token placed in the path never shows, however it is separated or encoded."""
    server = start()
    token = server.token
    escaped = every_byte_escaped(token)
    refused = [  # no token in the query: 403 before any routing
        f"/mcp&token={token}",
        f"/mcp;token={token}",
        f"/token={token}",
        f"/TOKEN={token}",
        f"/mcp/{token}",
        f"/{token}",
        f"/mcp%26token%3D{token}",
        f"/mcp%3Btoken%3D{token}",
        f"/mcp&token={escaped}",
        f"/{escaped}",
        f"/%74oken={token}",
        f"/mcp%2Ftoken%3D{token}",
    ]
    not_found = [  # the right token in the query too: no such route
        f"/mcp;token={token}?token={token}",
        f"/mcp/{token}?token={token}",
        f"/.well-known/oauth-protected-resource/{token}",
    ]
    for target in refused:
        assert raw_get(server.port, target) == 403, target
    for target in not_found:
        assert raw_get(server.port, target) == 404, target
    # A request line h11 cannot parse: uvicorn answers 400 and logs no part of it.
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(f"GET /mcp token={token} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
        assert sock.recv(1024).startswith(b"HTTP/1.1 400")
    assert raw_get(server.port, f"/mcp?token={token}") == 405  # a route: logged as it is
    server.stop()

    logs = server.logs()
    assert server.proc.returncode == 0
    for secret in (token, token[4:20], escaped, quote(token, safe=""), escaped.lower()):
        assert secret not in logs
    lines = [line for line in access_log(logs) if line[1] != "/health"]  # start-up probes
    expected = (
        [("GET", "/REDACTED", 403)] * len(refused)
        + [("GET", "/REDACTED?token=REDACTED", 404)] * 2
        + [("GET", "/REDACTED", 404)]
        + [("GET", "/mcp?token=REDACTED", 405)]
    )
    assert lines == expected
    assert "Invalid HTTP request received." in logs

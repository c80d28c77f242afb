"""The URL token never reaches the server's logs (stdout + stderr of `python -m galley`)."""

from urllib.parse import quote

import anyio
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client


async def mcp_session(url: str) -> None:
    async with (
        httpx2.AsyncClient(trust_env=False, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
    ):
        await client.call_tool("galley_environment", {})


def test_token_is_absent_from_logs(start):
    server = start()
    token = server.token
    http = server.http
    assert http.get("/ready", params={"token": token}).status_code == 200
    assert http.get("/health", params={"token": token}).status_code == 200
    assert http.get("/nowhere", params={"token": token}).status_code == 404
    assert http.get(f"/ready?x=1;token={token}").status_code == 401  # mis-separated
    assert http.get(f"/ready?tokn={token}").status_code == 401  # mistyped
    assert http.get(f"/ready?token={token}&token={token}").status_code == 401
    assert http.get(f"/ready?token={token[:-1]}").status_code == 401  # almost the token
    anyio.run(mcp_session, server.mcp_url)
    server.stop()  # flush and close the log files

    logs = server.logs()
    assert server.proc.returncode == 0
    # The access log really ran, and saw the redacted form.
    assert 'GET /ready?token=REDACTED HTTP/1.1" 200' in logs
    assert 'POST /mcp?token=REDACTED HTTP/1.1" 200' in logs
    assert 'GET /ready HTTP/1.1" 401' in logs
    assert token not in logs
    assert token[:-1] not in logs
    assert quote(token, safe="") not in logs

"""scripts/mcp_check.py's round trip fails with the URL's token masked: the MCP client's own
errors quote the whole URL, and the same check runs in CI against real deployments."""

from __future__ import annotations

import threading
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import anyio
import e2e_support  # noqa: F401 - puts scripts/ on sys.path
import httpx2
import mcp_check
import pytest

TOKEN = "never-in-an-error-0123456789abcdef"


class _Failing(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(500)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_DELETE = do_POST

    def log_message(self, *args: object) -> None:
        return None


def test_a_failed_round_trip_never_shows_the_token():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/galley/mcp?token={TOKEN}"
    try:
        with pytest.raises(mcp_check.RoundTripError) as failure:
            anyio.run(mcp_check.round_trip, url, None, 10.0)
    finally:
        server.shutdown()
    shown = "".join(traceback.format_exception(failure.value))
    assert "token=********" in shown, shown
    assert TOKEN not in shown


def test_errors_that_quote_the_url_are_masked_however_deep(monkeypatch):
    """httpx's status errors quote the request URL; the SDK raises them inside task groups."""
    url = f"https://gateway.example.com/galley/mcp?token={TOKEN}"
    request = httpx2.Request("GET", url)
    status = httpx2.HTTPStatusError(
        f"Server error '502 Bad Gateway' for url '{url}'",
        request=request,
        response=httpx2.Response(502, request=request),
    )

    async def failing(*_args: object) -> None:
        raise ExceptionGroup("unhandled errors in a TaskGroup", [ExceptionGroup("inner", [status])])

    monkeypatch.setattr(mcp_check, "_round_trip", failing)
    with pytest.raises(mcp_check.RoundTripError) as failure:
        anyio.run(mcp_check.round_trip, url, None)
    shown = "".join(traceback.format_exception(failure.value))
    assert "HTTPStatusError: Server error '502 Bad Gateway' for url 'https://gateway" in shown
    assert shown.count("token=********") == 2, shown
    assert TOKEN not in shown

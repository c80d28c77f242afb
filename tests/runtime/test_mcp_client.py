"""The `mcp` SDK's own client against a real `python -m galley`, in every connect mode."""

import json
import shutil
import subprocess
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from galley import __version__


async def use_galley(url: str, mode: str, exchanges: list | None = None) -> dict:
    """Connect, list tools and call galley_environment; `exchanges` gets (method, status)."""
    exchanges = [] if exchanges is None else exchanges

    async def record(response: httpx2.Response) -> None:
        exchanges.append((response.request.method, response.status_code))

    # trust_env=False: a proxy configured for the machine must not capture loopback.
    hooks = {"response": [record]}
    async with (
        httpx2.AsyncClient(trust_env=False, timeout=60, event_hooks=hooks) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        tools = await client.list_tools()
        result = await client.call_tool("galley_environment", {})
        version = client.protocol_version
    return {"version": version, "tools": tools.tools, "result": result, "exchanges": exchanges}


def expected_terraform_version() -> str | None:
    path = shutil.which("terraform")
    if path is None:
        return None
    done = subprocess.run(
        [path, "version", "-json"], capture_output=True, text=True, check=True, timeout=30
    )
    return json.loads(done.stdout)["terraform_version"]


@pytest.mark.parametrize(
    ("mode", "negotiated"),
    [("legacy", "2025-11-25"), ("2026-07-28", "2026-07-28"), ("auto", "2026-07-28")],
)
def test_sdk_client_lists_and_calls_the_environment_tool(galley, mode, negotiated):
    session = anyio.run(use_galley, galley.mcp_url, mode)
    assert session["version"] == negotiated

    (tool,) = session["tools"]
    assert tool.name == "galley_environment"
    assert tool.annotations.read_only_hint is True
    assert {"galley_version", "binaries", "data_dir"} <= set(tool.output_schema["properties"])

    result = session["result"]
    assert result.is_error is False
    report = result.structured_content
    assert report["galley_version"] == __version__
    binaries = {b["name"]: b for b in report["binaries"]}
    assert list(binaries) == ["terraform", "oci", "kubectl"]
    for name, entry in binaries.items():
        assert entry["present"] is (shutil.which(name) is not None)
        if not entry["present"]:
            assert entry["version"] is None
    terraform = expected_terraform_version()
    if terraform is not None:
        assert binaries["terraform"]["version"] == terraform
    assert report["data_dir"]["path"] == str(galley.data_dir)
    assert report["data_dir"]["usable"] is True
    assert report["data_dir"]["free_bytes"] > 0
    # The same report also comes as text for hosts that ignore structured content.
    assert json.loads(result.content[0].text) == report


def test_sdk_2025_client_sends_only_posts_to_a_stateless_server(galley):
    """Without an Mcp-Session-Id the SDK's 2025 client opens no GET stream and sends no
    DELETE on close: everything it does works over POST."""
    session = anyio.run(use_galley, galley.mcp_url, "legacy")
    methods = [method for method, _ in session["exchanges"]]
    assert methods
    assert set(methods) == {"POST"}


def test_sdk_client_with_a_wrong_token_fails(galley):
    wrong = galley.mcp_url.replace(galley.token, "x" * len(galley.token))
    exchanges: list = []
    with pytest.raises(Exception):  # noqa: B017 - the SDK wraps the refusal in exception groups
        anyio.run(use_galley, wrong, "legacy", exchanges)
    assert exchanges == [("POST", 403)]


def test_a_runtime_given_only_the_token_digest(start, url_token_sha256):
    """As deployed: the container instance's environment holds sha256(token), never the token."""
    server = start(GALLEY_URL_TOKEN_SHA256=url_token_sha256)
    environ = Path(f"/proc/{server.proc.pid}/environ").read_bytes().split(b"\0")
    assert f"GALLEY_URL_TOKEN_SHA256={url_token_sha256}".encode() in environ
    assert not any(server.token.encode() in entry for entry in environ)

    session = anyio.run(use_galley, server.mcp_url, "2026-07-28")
    assert session["result"].is_error is False
    assert session["result"].structured_content["galley_version"] == __version__

    wrong = server.mcp_url.replace(server.token, "x" * len(server.token))
    exchanges: list = []
    with pytest.raises(Exception):  # noqa: B017 - the SDK wraps the refusal in exception groups
        anyio.run(use_galley, wrong, "legacy", exchanges)
    assert exchanges == [("POST", 403)]

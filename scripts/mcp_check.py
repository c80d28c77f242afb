"""One MCP round trip with the `mcp` SDK's client: initialize, tools/list, tools/call
galley_environment. Used by `deploy-local --check`, the end-to-end tests and the benchmark."""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from outputs_display import redact

TOOL = "galley_environment"


class RoundTripError(Exception):
    """The round trip failed; the message says how, with the URL's token masked."""


@dataclass(frozen=True)
class RoundTrip:
    protocol_version: str
    server_name: str
    server_version: str
    tools: list[str]
    is_error: bool
    report: dict[str, Any]


def tls_context(ca_file: Path | None) -> ssl.SSLContext:
    """Trust the emulated cloud's CA (or the system's, for a real gateway)."""
    return ssl.create_default_context(cafile=str(ca_file) if ca_file else None)


async def round_trip(url: str, ca_file: Path | None, timeout_s: float = 60.0) -> RoundTrip:
    """Connect (initialize, the 2025-11-25 handshake), list tools, call galley_environment.

    Raises RoundTripError: the client's own errors quote the whole URL, token included, and
    this runs in CI against real deployments too.
    """
    try:
        return await _round_trip(url, ca_file, timeout_s)
    except Exception as exc:
        # `from None`: the original exception, printed as the cause, would show the token.
        raise RoundTripError(f"MCP round trip to {redact(url)} failed: {_reasons(exc)}") from None


def _reasons(exc: BaseException) -> str:
    leaves = exc.exceptions if isinstance(exc, BaseExceptionGroup) else (exc,)
    return "; ".join(
        _reasons(leaf)
        if isinstance(leaf, BaseExceptionGroup)
        else f"{type(leaf).__name__}: {redact(str(leaf))}"
        for leaf in leaves
    )


async def _round_trip(url: str, ca_file: Path | None, timeout_s: float) -> RoundTrip:
    # trust_env=False: a proxy configured for the machine must not capture loopback.
    async with (
        httpx2.AsyncClient(verify=tls_context(ca_file), trust_env=False, timeout=timeout_s) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
    ):
        tools = await client.list_tools()
        result = await client.call_tool(TOOL, {})
        info = client.server_info
        return RoundTrip(
            protocol_version=str(client.protocol_version),
            server_name=info.name if info else "",
            server_version=info.version if info else "",
            tools=[tool.name for tool in tools.tools],
            is_error=bool(result.is_error),
            report=dict(result.structured_content or {}),
        )


def describe(trip: RoundTrip) -> list[str]:
    """What came back, one line per step, for people to read."""
    report = trip.report
    binaries = ", ".join(
        f"{b.get('name')} {b.get('version') or 'absent'}" for b in report.get("binaries") or []
    )
    data_dir = report.get("data_dir") or {}
    return [
        f"initialize: protocol {trip.protocol_version}, server {trip.server_name} "
        f"{trip.server_version}",
        f"tools/list: {', '.join(trip.tools)}",
        f"tools/call {TOOL}: {'error' if trip.is_error else 'ok'}; galley "
        f"{report.get('galley_version')}; {binaries}; data dir {data_dir.get('path')} "
        f"({'usable' if data_dir.get('usable') else 'unusable'})",
    ]

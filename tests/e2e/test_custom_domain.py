"""A custom domain through the data plane: deploy/ with `custom_hostname` and a PEM certificate
from a test CA (tests/modules/certificates.py), reached by the MCP SDK and by Claude Code. Each
client resolves the hostname to 127.0.0.1
for the test only (a transport that connects there and sends the hostname in SNI and Host), and
verifies the gateway's certificate against the test CA alone, as a client of the real gateway
verifies it against a public CA. A certificate swap keeps the gateway and its listener; the next
handshake gets the new certificate."""

from __future__ import annotations

import socket
import ssl
import sys
from pathlib import Path
from typing import Any

import anyio
import httpx2
import pytest
from cryptography import x509
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp_check import TOOL

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))
from certificates import HOST, FakeCA, pem

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients"))
from claude_code import CONNECTED, ClaudeCode
from e2e_support import poll

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("e2e-custom_domain")]


class LoopbackTransport(httpx2.AsyncHTTPTransport):
    """Requests for HOST go to 127.0.0.1:port with HOST in SNI (and in Host, from the URL):
    the name resolution a DNS record gives real clients, for this test only."""

    def __init__(self, port: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._port = port

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        if request.url.host == HOST:
            request.url = request.url.copy_with(host="127.0.0.1", port=self._port)
            request.extensions = {**request.extensions, "sni_hostname": HOST}
        return await super().handle_async_request(request)


def presented(port: int, server_name: str | None) -> x509.Certificate:
    """The leaf the listener presents to a client sending server_name in SNI (None: none)."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # only reading what is presented; clients below verify
    with (
        socket.create_connection(("127.0.0.1", port), timeout=10) as raw,
        context.wrap_socket(raw, server_hostname=server_name) as tls,
    ):
        der = tls.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


async def call_tool(url: str, port: int, ca_pem: str) -> Any:
    verify = ssl.create_default_context(cadata=ca_pem)  # the test CA only
    transport = LoopbackTransport(port, verify=verify, trust_env=False)
    async with (
        httpx2.AsyncClient(transport=transport, trust_env=False, timeout=30) as http,
        Client(streamable_http_client(url, http_client=http), mode="legacy") as client,
    ):
        return await client.call_tool(TOOL, {})


def _apply(stack, leaf: dict[str, str]) -> None:
    done = stack.apply(*(f"{name}={value}" for name, value in leaf.items()))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr


def _leaf_pem(leaf: dict[str, str]) -> x509.Certificate:
    return x509.load_pem_x509_certificate(leaf["certificate_pem"].encode())


def test_mcp_client_verifies_the_custom_domain_and_a_swap_keeps_the_gateway(
    stack_factory, tmp_path
):
    ca = FakeCA()
    ca_pem = pem(ca.root)
    stack = stack_factory()
    first = ca.leaf(HOST)
    _apply(stack, first)
    out = stack.outputs()
    assert out["public_hostname"] == HOST
    assert out["mcp_endpoint_url"].startswith(f"https://{HOST}/")
    stack.wait_healthy(stack.local_url())
    (gateway,) = stack.status()["gateways"].values()
    port = gateway["port"]

    # SNI for the custom hostname: the user's certificate; none (or the generated hostname):
    # the certificate of the gateway's own hostname, as before.
    # The data plane's reconcile step takes up the certificate within its cycle.
    assert poll(lambda: presented(port, HOST) == _leaf_pem(first), 30)
    assert presented(port, None) != _leaf_pem(first)
    assert presented(port, out["api_gateway_hostname"]) != _leaf_pem(first)

    result = anyio.run(call_tool, out["mcp_endpoint_url"], port, ca_pem)
    assert result.is_error is False
    assert result.structured_content["galley_version"]

    # Claude Code, trusting the test CA, with the name resolved for it alone (the listener's
    # port in the URL: nothing serves 127.0.0.1:443).
    (tmp_path / "test-ca.pem").write_text(ca_pem)
    claude = ClaudeCode(tmp_path / "claude", ca=tmp_path / "test-ca.pem", loopback_names=(HOST,))
    try:
        url = out["mcp_endpoint_url"].replace(f"https://{HOST}/", f"https://{HOST}:{port}/")
        claude.add("custom-domain", url)
        assert claude.statuses() == {"custom-domain": CONNECTED}
        assert claude.proxy.connections == 0, "Claude Code tried to reach beyond 127.0.0.1"
    finally:
        claude.close()

    # A client that trusts only the emulator's CA (not the issuer of the custom certificate)
    # refuses the custom hostname: the verification above is real.
    with pytest.raises(Exception) as refused:
        anyio.run(call_tool, out["mcp_endpoint_url"], port, stack.ca.read_text())
    assert "CERTIFICATE_VERIFY_FAILED" in repr(refused.value) or "certificate verify failed" in (
        repr(refused.value)
    ), repr(refused.value)

    # The swap: a new certificate for the same hostname, one apply; same gateway, same port.
    before = stack.cloud.resources("oci_apigateway_gateway")[0]
    second = ca.leaf(HOST)
    _apply(stack, second)
    after = stack.cloud.resources("oci_apigateway_gateway")[0]
    assert (after["id"], after["attrs"]["hostname"]) == (before["id"], before["attrs"]["hostname"])
    assert after["attrs"]["certificate_id"] != before["attrs"]["certificate_id"]
    assert len(stack.cloud.resources("oci_apigateway_certificate")) == 1
    (gateway,) = stack.status()["gateways"].values()
    assert gateway["port"] == port
    assert poll(lambda: presented(port, HOST) == _leaf_pem(second), 30)
    result = anyio.run(call_tool, out["mcp_endpoint_url"], port, ca_pem)
    assert result.is_error is False

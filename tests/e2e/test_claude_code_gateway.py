"""Claude Code (pinned in tests/clients, run offline: tests/clients/claude_code.py) through the
emulated API gateway: HTTPS on 127.0.0.1 with the emulated cloud's CA (NODE_EXTRA_CA_CERTS), the
deployment taking the token in the header and in the query (token_transport = "both").

`claude mcp add --header "Authorization: Bearer <token>"` and the query form both show
`✔ Connected` with either of two valid tokens; once a token is retired (its generation removed,
one apply), Claude Code reports the refusal for it in both forms and starts no OAuth discovery:
the new instance's Galley receives no /.well-known or /register request.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
import rollout_steps as steps

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients"))
from claude_code import CONNECTED, ClaudeCode

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("e2e-claude_code_gateway")]
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>[^?\s]+)\S* HTTP/1\.1" (?P<status>\d{3})')


def galley_requests(stack, docker_client) -> list[tuple[str, str, int]]:
    """(method, path, status) of every request the running Galley containers logged."""
    requests = []
    for container in stack.containers(docker_client):
        for line in container.logs().decode(errors="replace").splitlines():
            if match := ACCESS_LINE.search(line):
                requests.append((match["method"], match["path"], int(match["status"])))
    return requests


@pytest.fixture
def claude(tmp_path):
    clients: list[ClaudeCode] = []

    def make(name: str, ca: Path) -> ClaudeCode:
        client = ClaudeCode(tmp_path / name, ca=ca)
        clients.append(client)
        return client

    yield make
    for client in clients:
        assert client.proxy.connections == 0, "Claude Code tried to reach beyond 127.0.0.1"
        client.close()


def test_claude_code_connects_through_the_gateway_and_reports_a_retired_token(
    monkeypatch, stack_factory, docker_client, claude
):
    monkeypatch.setenv("OCI_EMULATOR_PACE", steps.PACE)
    stack = stack_factory("claude-code")
    runner = steps.DeployRollout(
        stack,
        url_token_generations='["1","2"]',
        token_transport="both",
        iam_propagation_wait_seconds="2",  # above the paced IAM delay (1 s at PACE 0.1)
    )
    runner.apply("first deploy")
    outputs = stack.outputs()
    mcp = runner.credentials()["1"].url.split("?")[0]  # mcp_url on the gateway's local port
    tokens = {
        name: entry["authorization_header"].removeprefix("Bearer ")
        for name, entry in outputs["mcp_endpoint_urls"].items()
    }
    runner.wait_answering(f"{mcp}?token={tokens['2']}")

    before = claude("before", stack.ca)
    for name, token in tokens.items():
        before.add(f"header-{name}", mcp, bearer=token)
        before.add(f"query-{name}", f"{mcp}?token={token}")
    assert before.statuses() == {
        "header-1": CONNECTED,
        "query-1": CONNECTED,
        "header-2": CONNECTED,
        "query-2": CONNECTED,
    }

    runner.apply("token 1 retired", url_token_generations='["2"]')
    seen = len(galley_requests(stack, docker_client))
    after = claude("after", stack.ca)
    after.add("header-1", mcp, bearer=tokens["1"])
    after.add("query-1", f"{mcp}?token={tokens['1']}")
    after.add("header-2", mcp, bearer=tokens["2"])
    statuses = after.statuses()
    assert statuses["header-2"] == CONNECTED, statuses
    assert statuses["header-1"].startswith("✘ Failed to connect"), statuses
    assert "HTTP 403" in statuses["header-1"]
    assert statuses["query-1"] != CONNECTED, statuses
    requests = galley_requests(stack, docker_client)[seen:]
    assert ("POST", "/mcp", 403) in requests, requests
    assert not [r for r in requests if "/.well-known/" in r[1] or r[1] == "/register"], requests

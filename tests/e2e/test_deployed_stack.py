"""deploy/ applied onto the emulator with its data plane: real MCP clients reach Galley in the
image docker/Dockerfile builds, through the emulated API gateway on 127.0.0.1 (HTTPS)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
import time
from pathlib import Path

import anyio
import mcp_check
import pytest
from e2e_support import REPO_ROOT, poll

from galley import __version__

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("e2e-deployed_stack")]
CLIENTS_BIN = REPO_ROOT / "tests" / "clients" / "node_modules" / ".bin"
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


def without_token(url: str) -> str:
    return re.sub(r"\?token=[^&]+", "", url)


def test_the_container_runs_with_the_environment_terraform_gave_it(deployed, docker_client):
    out = deployed.outputs()
    (instance,) = deployed.cloud.resources("oci_container_instances_container_instance")
    (container,) = deployed.containers(docker_client)
    container.reload()
    env = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
    for name, value in instance["attrs"]["containers"][0]["environment_variables"].items():
        assert env[name] == value
    assert "GALLEY_URL_TOKEN" not in env
    assert env["GALLEY_URL_TOKEN_SHA256"] == hashlib.sha256(out["url_token"].encode()).hexdigest()
    assert container.attrs["Config"]["Image"] == instance["attrs"]["containers"][0]["image_url"]
    # Published on loopback only, and the private IP OCI assigned (no fixed IP: rollouts start
    # the new instance beside the old) is a name in the address map, the gateway's backend.
    bindings = container.attrs["HostConfig"]["PortBindings"]["8000/tcp"]
    assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]
    published = container.ports["8000/tcp"][0]["HostPort"]
    private_ip = instance["attrs"]["vnics"][0]["private_ip"]
    assert private_ip.startswith("10.0.2.")
    assert deployed.status()["addresses"] == {f"{private_ip}:8000": f"127.0.0.1:{published}"}
    assert out["backend_url"] == f"http://{private_ip}:8000"


def test_mcp_sdk_client_round_trip_through_the_gateway(deployed):
    trip = anyio.run(mcp_check.round_trip, deployed.local_url(), deployed.ca)
    assert trip.protocol_version == "2025-11-25"
    assert (trip.server_name, trip.server_version) == ("galley", __version__)
    assert trip.tools == ["galley_environment"]
    assert trip.is_error is False
    assert trip.report["galley_version"] == __version__
    binaries = {b["name"]: b for b in trip.report["binaries"]}
    assert all(binaries[name]["present"] for name in ("terraform", "oci", "kubectl"))
    assert trip.report["data_dir"]["usable"] is True


def test_gateway_refuses_a_missing_token_and_galley_a_wrong_one(deployed):
    url = deployed.local_url()
    token = deployed.outputs()["url_token"]
    body = {"jsonrpc": "2.0", "id": 1, "method": "tools/list"}
    headers = {"accept": "application/json, text/event-stream"}
    with deployed.http() as http:
        missing = http.post(without_token(url), json=body, headers=headers)
        wrong = http.post(url.replace(token, "x" * len(token)), json=body, headers=headers)
    # The gateway answers with OCI's shape and its request id; Galley with its own.
    assert missing.status_code == 400
    assert missing.json() == {"code": 400, "message": "Bad Request"}
    assert missing.headers["opc-request-id"]
    # 403 without WWW-Authenticate: a 401 would send MCP clients into OAuth discovery.
    assert wrong.status_code == 403
    assert "www-authenticate" not in wrong.headers
    assert wrong.json().get("code") != 400
    assert "invalid token" in wrong.text
    assert wrong.headers["opc-request-id"]  # it went through the gateway to Galley


def test_certificate_names_localhost_and_the_gateway_hostname(deployed):
    hostname = deployed.outputs()["api_gateway_hostname"]
    url = deployed.local_url()
    port = int(re.search(r":(\d+)/", url).group(1))
    for name in ("127.0.0.1", "localhost"):
        with deployed.http() as http:
            health = http.get(
                f"https://{name}:{port}/galley/health",
                params={"token": deployed.outputs()["url_token"]},
            )
        assert health.status_code == 200, health.text
    import ssl

    context = ssl.create_default_context(cafile=str(deployed.ca))
    with (
        socket.create_connection(("127.0.0.1", port), timeout=5) as raw,
        context.wrap_socket(raw, server_hostname=hostname) as tls,
    ):
        assert tls.version() in ("TLSv1.2", "TLSv1.3")


@pytest.fixture(scope="module")
def inspector_env(tmp_path_factory, deployed) -> dict[str, str]:
    for name in ("node", "mcp-inspector"):
        if not (CLIENTS_BIN / name).exists():
            pytest.fail(f"{CLIENTS_BIN / name} is missing: run scripts/setup --test-clients")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("GALLEY_") and k.lower() not in PROXY_VARIABLES
    }
    env.update(
        PATH=f"{CLIENTS_BIN}{os.pathsep}{os.environ['PATH']}",
        HOME=str(tmp_path_factory.mktemp("inspector-home")),
        MCP_INSPECTOR_SECRET_STORE="memory",
        NODE_EXTRA_CA_CERTS=str(deployed.ca),  # what deploy-local tells Node users to set
        NO_COLOR="1",
    )
    return env


def inspector(env: dict[str, str], url: str, *method: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(CLIENTS_BIN / "mcp-inspector"), "--cli", url, "--transport", "http", "--method",
         *method],
        env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        check=False,
    )  # fmt: skip


def test_inspector_cli_lists_and_calls_the_tool_through_the_gateway(deployed, inspector_env):
    url = deployed.local_url()
    listed = inspector(inspector_env, url, "tools/list")
    assert listed.returncode == 0, listed.stderr
    assert [tool["name"] for tool in json.loads(listed.stdout)["tools"]] == ["galley_environment"]
    called = inspector(inspector_env, url, "tools/call", "--tool-name", "galley_environment")
    assert called.returncode == 0, called.stderr
    result = json.loads(called.stdout)
    assert result["isError"] is False
    assert result["structuredContent"]["galley_version"] == __version__


def test_inspector_cli_without_the_token_gets_the_gateways_refusal(deployed, inspector_env):
    done = inspector(inspector_env, without_token(deployed.local_url()), "tools/list")
    assert done.returncode != 0
    assert '{\\"code\\":400,\\"message\\":\\"Bad Request\\"}' in done.stdout + done.stderr


def test_inspector_cli_without_the_ca_refuses_the_certificate(deployed, inspector_env):
    env = {k: v for k, v in inspector_env.items() if k != "NODE_EXTRA_CA_CERTS"}
    done = inspector(env, deployed.local_url(), "tools/list")
    assert done.returncode != 0
    assert re.search(r"certificate|self[- ]signed|UNABLE_TO", done.stdout + done.stderr, re.I)


def test_status_reports_a_healthy_container(deployed):
    def healthy() -> bool:
        (instance,) = deployed.status()["instances"].values()
        return instance["containers"][0]["health"] == {"galley-health": "HEALTHY"}

    poll(healthy, 60, 0.5)
    assert Path(deployed.status()["ca"]) == deployed.ca


def test_the_deployments_rate_limit_answers_429_past_its_rate(deployed):
    (deployment,) = deployed.cloud.resources("oci_apigateway_deployment")
    (limit,) = deployment["attrs"]["specification"][0]["request_policies"][0]["rate_limiting"]
    assert limit["rate_key"] == "CLIENT_IP"
    rate = int(limit["rate_in_requests_per_second"])
    url = deployed.local_url().replace("/mcp?", "/health?")
    with deployed.http() as http:
        started = time.monotonic()
        statuses = [http.get(url) for _ in range(rate * 2)]
        elapsed = time.monotonic() - started
    refused = [r for r in statuses if r.status_code == 429]
    # A burst of 2x the rate within a second gets at least a few refusals; the bucket refills
    # at the rate, so at most rate * (1 + elapsed) pass.
    assert elapsed < 1.5 or refused, elapsed
    assert sum(r.status_code == 200 for r in statuses) <= rate * (1 + elapsed) + 1
    assert refused
    assert refused[0].json() == {"code": 429, "message": "Too Many Requests"}
    assert refused[0].headers["retry-after"] == "1"
    time.sleep(1.5)  # the bucket is full again for whatever runs next

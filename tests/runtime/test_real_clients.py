"""Real Node MCP clients against a real `python -m galley` given only the token's digest (as
deployed): the MCP Inspector CLI and mcp-remote, pinned in tests/clients (installed by
scripts/setup --test-clients, run on the Node 22 that tests/clients also pins: the Inspector
needs >= 22.19).

With a missing or wrong token each must report the refusal and exit, without looking for an
OAuth authorization server or registering itself as an OAuth client: every request the runtime
received is read back from its access log. Against a 401 both did (discovery, then
POST /register); against the runtime's 403 without WWW-Authenticate they stop.
"""

import json
import os
import queue
import re
import subprocess
import threading
from pathlib import Path

import pytest

from galley import __version__

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
BIN = CLIENTS / "node_modules" / ".bin"
CLIENT_TIMEOUT = 120  # seconds; a client that started a sign-in would wait for a browser
OAUTH_ENDPOINTS = {"/register", "/authorize", "/token"}
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>[^?\s]+)\S* HTTP/1\.1" (?P<status>\d{3})')
PROXY_VARIABLES = {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}


@pytest.fixture(scope="module")
def node_clients() -> Path:
    for name in ("node", "mcp-inspector", "mcp-remote"):
        if not (BIN / name).exists():
            pytest.fail(f"{BIN / name} is missing: run scripts/setup --test-clients (npm ci there)")
    return BIN


@pytest.fixture
def client_env(tmp_path, node_clients) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("GALLEY_") and key.lower() not in PROXY_VARIABLES
    }
    env.update(
        PATH=f"{node_clients}{os.pathsep}{os.environ['PATH']}",  # tests/clients' node first
        HOME=str(tmp_path / "home"),  # where the clients keep OAuth state and settings
        MCP_REMOTE_CONFIG_DIR=str(tmp_path / "mcp-auth"),
        MCP_INSPECTOR_SECRET_STORE="memory",
        # As with a person at a terminal: the Inspector CLI may start an interactive sign-in
        # (without a TTY it would refuse to, whatever the server answered).
        MCP_AUTO_OPEN_ENABLED="true",
        NO_COLOR="1",
    )
    return env


def access_log(server) -> list[tuple[str, str, int]]:
    """(method, path, status) of every request the server logged so far, in order."""
    lines = (ACCESS_LINE.search(line) for line in server.logs().splitlines())
    return [(m["method"], m["path"], int(m["status"])) for m in lines if m]


@pytest.fixture
def requests_received(galley_digest_only):
    """What the shared server received from this test on (each test runs one client)."""
    before = len(access_log(galley_digest_only))
    return lambda: access_log(galley_digest_only)[before:]


def is_oauth_probe(path: str) -> bool:
    return "/.well-known/" in path or path in OAUTH_ENDPOINTS


def refused_url(server, token_case: str) -> tuple[str, str]:
    """The endpoint URL without the token or with a wrong one, and the reason Galley gives."""
    if token_case == "missing":
        return f"{server.base_url}/mcp", "missing token"
    return server.mcp_url.replace(server.token, "x" * len(server.token)), "invalid token"


def inspector(env: dict[str, str], url: str, *method: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(BIN / "mcp-inspector"), "--cli", url, "--method", *method],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CLIENT_TIMEOUT,
        check=False,
    )


@pytest.mark.parametrize("token_case", ["missing", "wrong"])
def test_inspector_cli_reports_the_refusal_without_oauth(
    galley_digest_only, requests_received, client_env, token_case
):
    server = galley_digest_only
    url, reason = refused_url(server, token_case)
    done = inspector(client_env, url, "tools/list")
    requests = requests_received()
    assert requests, server.logs()  # the access log really ran
    assert not [r for r in requests if is_oauth_probe(r[1])], requests
    assert {(path, status) for _, path, status in requests} == {("/mcp", 403)}
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert '"code":"auth_required"' in output
    assert '"status":403' in output
    assert reason in output


def test_inspector_cli_lists_and_calls_the_environment_tool(
    galley_digest_only, requests_received, client_env
):
    server = galley_digest_only
    listed = inspector(client_env, server.mcp_url, "tools/list")
    assert listed.returncode == 0, listed.stderr
    assert [tool["name"] for tool in json.loads(listed.stdout)["tools"]] == ["galley_environment"]

    called = inspector(
        client_env, server.mcp_url, "tools/call", "--tool-name", "galley_environment"
    )
    assert called.returncode == 0, called.stderr
    result = json.loads(called.stdout)
    assert result["isError"] is False
    assert result["structuredContent"]["galley_version"] == __version__
    assert result["structuredContent"]["data_dir"]["usable"] is True
    assert not [r for r in requests_received() if is_oauth_probe(r[1])]


class McpRemote:
    """`mcp-remote URL` as an MCP host runs it: a stdio bridge whose stdin stays open."""

    def __init__(self, url: str, env: dict[str, str], log_dir: Path) -> None:
        self.stderr_path = log_dir / "mcp-remote.stderr"
        with self.stderr_path.open("w") as stderr:
            self.proc = subprocess.Popen(
                [str(BIN / "mcp-remote"), url, "--allow-http"],
                env=env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                text=True,
            )
        self._lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read_stdout, daemon=True).start()

    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._lines.put(line)

    def stderr(self) -> str:
        return self.stderr_path.read_text()

    def send(self, *messages: dict) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write("".join(json.dumps(m) + "\n" for m in messages))
        self.proc.stdin.flush()

    def answer(self, request_id: int) -> dict:
        """The next response with this id (other messages are skipped), within the timeout."""
        for _ in range(100):
            try:
                message = json.loads(self._lines.get(timeout=CLIENT_TIMEOUT))
            except queue.Empty:
                break
            if message.get("id") == request_id:
                return message
        raise AssertionError(f"no answer to request {request_id}:\n{self.stderr()}")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def mcp_remote(client_env, tmp_path):
    started: list[McpRemote] = []

    def _start(url: str) -> McpRemote:
        bridge = McpRemote(url, client_env, tmp_path)
        started.append(bridge)
        return bridge

    yield _start
    for bridge in started:
        bridge.close()


@pytest.mark.parametrize("token_case", ["missing", "wrong"])
def test_mcp_remote_reports_the_refusal_without_oauth(
    galley_digest_only, requests_received, mcp_remote, token_case
):
    server = galley_digest_only
    url, reason = refused_url(server, token_case)
    bridge = mcp_remote(url)
    exit_status = bridge.proc.wait(timeout=CLIENT_TIMEOUT)
    requests = requests_received()
    assert not [r for r in requests if r[1] in OAUTH_ENDPOINTS], requests
    posts = [i for i, request in enumerate(requests) if request[:2] == ("POST", "/mcp")]
    assert posts, requests
    # Nothing after the refused initialize: no more discovery, no client registration.
    assert requests[posts[0] :] == [("POST", "/mcp", 403)], requests
    # Before it, mcp-remote probes the endpoint and looks for OAuth metadata at every start,
    # whatever the token (see the test below): each lookup finds none.
    for method, path, status in requests[: posts[0]]:
        assert (method, status) == ("GET", 404 if "/.well-known/" in path else 403), requests
    stderr = bridge.stderr()
    assert exit_status != 0, stderr
    assert "status: 403" in stderr
    assert reason in stderr
    assert "Authentication required" not in stderr  # how mcp-remote starts its sign-in


def test_mcp_remote_bridges_the_environment_tool(galley_digest_only, requests_received, mcp_remote):
    server = galley_digest_only
    bridge = mcp_remote(server.mcp_url)
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "galley-tests", "version": "1"},
        },
    }
    bridge.send(initialize)
    assert bridge.answer(1)["result"]["serverInfo"]["name"] == "galley"
    bridge.send(
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/list"},
        {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": "galley_environment", "arguments": {}},
        },
    )
    tools = bridge.answer(2)["result"]["tools"]
    assert [tool["name"] for tool in tools] == ["galley_environment"]
    result = bridge.answer(3)["result"]
    assert result["isError"] is False
    assert result["structuredContent"]["galley_version"] == __version__

    requests = requests_received()
    assert not [r for r in requests if r[1] in OAUTH_ENDPOINTS]
    # The OAuth metadata lookups of every start, right token or not: all answered 404.
    lookups = [r for r in requests if "/.well-known/" in r[1]]
    assert lookups
    assert {status for _, _, status in lookups} == {404}

"""What an adversarial run from 127.0.0.1 found (issue 19), each reproduced against a real
server: file descriptors, deadlines, drain, zombies, log forging, framing, CORS, JSON-RPC."""

import hashlib
import json
import os
import select
import shutil
import signal
import socket
import stat
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import uvicorn
from starlette.responses import Response

from galley.environment import PROBE_TIMEOUT_SECONDS
from galley.http_protocol import BoundedH11Protocol
from galley.runtime_state import RuntimeState
from galley.server import build_config
from galley.settings import DEFAULT_SHUTDOWN_GRACE_SECONDS, load_settings

HEALTH = b"GET /health HTTP/1.1\r\nHost: galley\r\n\r\n"
MCP_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-06-18",
}
SLEEP = shutil.which("sleep")
SETSID = shutil.which("setsid")
UNSHARE = shutil.which("unshare")


def tool_call(request_id: object = 1) -> dict:
    return {
        "jsonrpc": "2.0",
        "id": request_id,
        "method": "tools/call",
        "params": {"name": "galley_environment", "arguments": {}},
    }


def recv_all(sock: socket.socket, timeout: float = 10) -> tuple[bytes, bool]:
    """Everything the server sends within `timeout`, and whether it closed the connection."""
    data = b""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([sock], [], [], left)
        if not ready:
            return data, False
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def health_within(port: int, seconds: float) -> float:
    """Seconds a fresh connection's GET /health took to answer 200; fails after `seconds`."""
    began = time.monotonic()
    with socket.create_connection(("127.0.0.1", port), timeout=seconds) as sock:
        sock.sendall(HEALTH)
        data = b""
        while b'"ok"' not in data:
            ready, _, _ = select.select(
                [sock], [], [], max(0.0, began + seconds - time.monotonic())
            )
            assert ready, f"/health did not answer within {seconds}s: {data!r}"
            chunk = sock.recv(65536)
            assert chunk, f"/health: connection closed after {data!r}"
            data += chunk
    assert data.startswith(b"HTTP/1.1 200"), data
    return time.monotonic() - began


def fake_cli(bin_dir: Path, name: str, body: str) -> None:
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def with_bin(bin_dir: Path) -> str:
    return f"{bin_dir}{os.pathsep}{os.environ['PATH']}"


# 1. File descriptors.

FD_LIMIT = 64
ULIMIT = ("sh", "-c", f'ulimit -n {FD_LIMIT} && exec "$@"', "sh")


def test_fd_pressure_keeps_health_answering_and_the_log_short(start):
    """`ulimit -n 64` and 80 idle connections used to time /health out and log ~88,000 EMFILE
    tracebacks in 7 s: now the oldest idle connections are closed to make room."""
    server = start(ULIMIT)
    idle = []
    try:
        for _ in range(80):
            idle.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
        time.sleep(2)  # the server accepts what it can
        for _ in range(5):
            assert health_within(server.port, 5) < 5
        closed = 0
        for sock in idle:
            ready, _, _ = select.select([sock], [], [], 0)
            closed += bool(ready) and sock.recv(1) == b""
        assert closed >= 80 - FD_LIMIT // 2  # beyond the cap, idle ones gave way
    finally:
        for sock in idle:
            sock.close()
    time.sleep(1)
    logs = server.logs()
    assert "Too many open files" not in logs or logs.count("Too many open files") <= 2
    assert "Traceback" not in logs
    assert "connection limit reached" in logs
    assert len(logs.splitlines()) < 60, logs[-3000:]


def test_when_no_connection_is_idle_new_ones_get_a_clear_503(start):
    server = start(ULIMIT)
    busy = []
    head = (
        f"POST /mcp?token={server.token} HTTP/1.1\r\nHost: galley\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"
    ).encode()
    try:
        # Requests under way (bodies still coming) are never closed to make room.
        for _ in range(FD_LIMIT // 2 + 4):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(head)
            busy.append(sock)
        time.sleep(1)
        refusals = 0
        for _ in range(10):
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
                data, closed = recv_all(sock, 5)
            if data.startswith(b"HTTP/1.1 503"):
                assert closed
                assert b"too many connections" in data
                refusals += 1
        assert refusals == 10
    finally:
        for sock in busy:
            sock.close()
    assert health_within(server.port, 10) < 10  # room again once they are gone
    logs = server.logs()
    assert logs.count("connection limit reached") <= 2, logs[-3000:]
    assert "Traceback" not in logs


# 3. Deadlines on bodies and responses.


class _QuickBounds(BoundedH11Protocol):
    body_idle_timeout = 2.0
    body_total_timeout = 3.0
    response_stall_timeout = 2.0


def _serve_in_thread(config: uvicorn.Config) -> Iterator[int]:
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    yield config.port
    server.should_exit = True
    thread.join(timeout=30)


@pytest.fixture
def quick_bounds_galley(tmp_path, unused_port) -> Iterator[int]:
    """Galley's app and protocol in this process, with bounds of seconds (the real ones are
    sized from the 4 MiB body limit, tested in test_server_config.py)."""
    settings = load_settings(
        {
            "GALLEY_HOST": "127.0.0.1",
            "GALLEY_PORT": str(unused_port),
            "GALLEY_URL_TOKEN": "0123456789abcdef",
            "GALLEY_DATA_DIR": str(tmp_path / "data"),
        }
    )
    config = build_config(settings, RuntimeState())
    config.http = _QuickBounds
    yield from _serve_in_thread(config)


def test_a_trickled_body_is_cut_at_its_total_deadline(quick_bounds_galley):
    """A byte every second never trips the idle bound (2 s); the total one (3 s) ends it."""
    port = quick_bounds_galley
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /mcp?token=0123456789abcdef HTTP/1.1\r\nHost: g\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"
        )
        began = time.monotonic()
        closed_after = None
        for _ in range(12):
            ready, _, _ = select.select([sock], [], [], 1.0)
            try:
                if ready and sock.recv(65536) == b"":
                    closed_after = time.monotonic() - began
                    break
                sock.send(b" ")
            except (ConnectionResetError, BrokenPipeError):
                # Closed with a byte of ours still unread (or one sent after the close): the
                # kernel answers with a reset instead of an orderly end. Cut off all the same.
                closed_after = time.monotonic() - began
                break
    assert closed_after is not None, "the trickling upload was never cut off"
    assert 2.5 <= closed_after <= 3.0 + 3.0


@pytest.fixture
def big_response_server(unused_port) -> Iterator[int]:
    """The protocol class serving 32 MiB answers, for clients that do not read them."""

    async def app(scope, receive, send) -> None:
        if scope["type"] == "http":
            await Response(b"x" * (32 * 1024 * 1024))(scope, receive, send)

    config = uvicorn.Config(
        app, host="127.0.0.1", port=unused_port, http=_QuickBounds, lifespan="off", ws="none"
    )
    yield from _serve_in_thread(config)


def test_a_response_nobody_reads_is_aborted(big_response_server, caplog):
    port = big_response_server
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", port))
    try:
        sock.sendall(b"GET / HTTP/1.1\r\nHost: g\r\n\r\n")
        time.sleep(2.0 + 3.0)  # the stall bound, and scheduling slack
        # Aborted (RST): reading now ends in a reset or EOF long before 32 MiB.
        received = 0
        sock.settimeout(5)
        try:
            while chunk := sock.recv(1 << 20):
                received += len(chunk)
        except (ConnectionResetError, TimeoutError):
            pass
        assert received < 32 * 1024 * 1024
    finally:
        sock.close()
    assert "response not read for 2s" in caplog.text


def test_bounds_are_sized_from_the_body_limit():
    from galley.http_protocol import (
        BODY_TOTAL_TIMEOUT_SECONDS,
        MAX_BODY_BYTES,
        MIN_TRANSFER_BYTES_PER_SECOND,
        RESPONSE_STALL_SECONDS,
    )

    assert MAX_BODY_BYTES == 4 * 1024 * 1024
    assert BODY_TOTAL_TIMEOUT_SECONDS == MAX_BODY_BYTES / MIN_TRANSFER_BYTES_PER_SECOND
    assert 10 <= BODY_TOTAL_TIMEOUT_SECONDS <= 60
    assert RESPONSE_STALL_SECONDS == BODY_TOTAL_TIMEOUT_SECONDS


# 4. Drain.


def test_the_default_drain_outlasts_a_hung_cli(start, tmp_path):
    """20 concurrent tools/call behind a CLI that never answers, then SIGTERM: with the default
    grace every call gets its answer (the CLI's timeout) before the process exits 0."""
    assert DEFAULT_SHUTDOWN_GRACE_SECONDS >= PROBE_TIMEOUT_SECONDS + 3
    bin_dir = tmp_path / "bin"
    started = tmp_path / "started"
    fake_cli(bin_dir, "terraform", f"touch '{started}'\n{SLEEP} 300")
    server = start(PATH=with_bin(bin_dir))
    answers: list[tuple[int, dict | None]] = []

    def call() -> None:
        with httpx.Client(base_url=server.base_url, trust_env=False, timeout=60) as http:
            response = http.post(
                f"/mcp?token={server.token}", json=tool_call(), headers=MCP_HEADERS
            )
        data = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
        answers.append((response.status_code, json.loads(data[-1]) if data else None))

    threads = [threading.Thread(target=call, daemon=True) for _ in range(20)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=60)
    assert server.proc.wait(timeout=30) == 0
    assert len(answers) == 20
    for status, message in answers:
        assert status == 200
        assert message is not None and "result" in message, message
        report = message["result"]["structuredContent"]
        terraform = next(b for b in report["binaries"] if b["name"] == "terraform")
        assert terraform["error"] == f"timed out after {PROBE_TIMEOUT_SECONDS:g}s"
    logs = server.logs()
    assert "Traceback" not in logs
    assert "CancelledError" not in logs


def test_requests_the_drain_must_cut_end_with_a_json_rpc_error(start, tmp_path):
    bin_dir = tmp_path / "bin"
    started = tmp_path / "started"
    fake_cli(bin_dir, "terraform", f"touch '{started}'\n{SLEEP} 300")
    server = start(PATH=with_bin(bin_dir), GALLEY_SHUTDOWN_GRACE_SECONDS="2")
    answers: list[httpx.Response] = []

    def call(request_id: int) -> None:
        with httpx.Client(base_url=server.base_url, trust_env=False, timeout=60) as http:
            answers.append(
                http.post(
                    f"/mcp?token={server.token}", json=tool_call(request_id), headers=MCP_HEADERS
                )
            )

    threads = [threading.Thread(target=call, args=(n,), daemon=True) for n in range(5)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 30
    while not started.exists():
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(0.5)
    server.proc.send_signal(signal.SIGTERM)
    for thread in threads:
        thread.join(timeout=30)
    assert server.proc.wait(timeout=15) == 0
    ids = set()
    for response in answers:
        assert response.status_code == 200
        (data,) = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
        message = json.loads(data)
        assert message["error"]["code"] == -32000
        assert "shutting down" in message["error"]["message"]
        ids.add(message["id"])
    assert ids == set(range(5))
    logs = server.logs()
    assert "Traceback" not in logs
    assert " 500" not in logs


# 5. Zombies under PID 1.


@pytest.fixture
def pid_one_wrapper() -> tuple[str, ...]:
    if UNSHARE is None:
        pytest.skip("no unshare (util-linux) on this machine to start a PID namespace")
    wrapper = (UNSHARE, "--pid", "--fork", "--mount-proc", "--kill-child")
    check = subprocess.run([*wrapper, "true"], capture_output=True, text=True, check=False)
    if check.returncode != 0:  # e.g. not root, or a container without CAP_SYS_ADMIN
        pytest.skip(f"this machine cannot create a PID namespace: {check.stderr.strip()}")
    return wrapper


def children_of(parent: int) -> list[tuple[int, str]]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":\t", 1) for line in text.splitlines() if ":\t" in line)
        if fields.get("PPid") == str(parent):
            found.append((int(entry), fields["State"]))
    return found


def test_pid_one_reaps_children_of_clis_that_exit_normally(start, tmp_path, pid_one_wrapper):
    """A CLI that answers and exits, leaving a child in its group and a daemon in a session of
    its own: neither stays a zombie of Galley's."""
    bin_dir = tmp_path / "bin"
    version = '{"terraform_version": "1.11.4"}'
    fake_cli(
        bin_dir,
        "terraform",
        f"{SLEEP} 1 > /dev/null &\n{SETSID} {SLEEP} 2 > /dev/null 2>&1 &\necho '{version}'",
    )
    server = start(pid_one_wrapper, PATH=with_bin(bin_dir))
    ((galley_pid, _),) = children_of(server.proc.pid)
    try:
        report = server.environment_report()
        terraform = next(b for b in report["binaries"] if b["name"] == "terraform")
        assert terraform["version"] == "1.11.4"
        time.sleep(3)  # both have ended by now: as zombies, unless someone reaps them
        # Within the periodic sweep (every 10 s).
        deadline = time.monotonic() + 15
        while zombies := [c for c in children_of(galley_pid) if c[1].startswith("Z")]:
            assert time.monotonic() < deadline, f"zombies of Galley (PID 1): {zombies}"
            time.sleep(0.2)
    finally:
        os.kill(galley_pid, signal.SIGTERM)
        server.proc.wait(timeout=30)


# 6. Log forging.

FORGED = 'INFO:     127.0.0.1:4242 - "GET /forged HTTP/1.1" 200 OK'


def test_a_client_cannot_write_a_line_of_its_own_into_the_log(start):
    server = start()
    forged_name = f"nope\n{FORGED}\r\n{FORGED}\u2028{FORGED}"
    message = {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "prompts/get",
        "params": {"name": forged_name},
    }
    response = server.http.post(f"/mcp?token={server.token}", json=message, headers=MCP_HEADERS)
    assert response.status_code == 200
    # An authenticated upload the client gives up on half-way.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            f"POST /mcp?token={server.token} HTTP/1.1\r\nHost: g\r\n"
            "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{".encode()
        )
        time.sleep(0.5)
    time.sleep(0.5)
    server.stop()
    logs = server.logs()
    assert not [line for line in logs.splitlines() if line.startswith(FORGED)]
    assert "\u2028" not in logs
    assert "ClientDisconnect" not in logs
    assert "Traceback (most recent call last):\n" not in logs


# 7. Framing.


@pytest.mark.parametrize("path", ["/health", "/mcp?token=TOKEN"])
def test_content_length_with_transfer_encoding_is_refused_and_closed(galley, path):
    smuggled = b"GET /health HTTP/1.1\r\nHost: galley\r\n\r\n"
    chunk = b"%x\r\n%s\r\n0\r\n\r\n" % (len(smuggled), smuggled)
    request = (
        f"POST {path.replace('TOKEN', galley.token)} HTTP/1.1\r\nHost: galley\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(chunk)}\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode() + chunk
    with socket.create_connection(("127.0.0.1", galley.port), timeout=10) as sock:
        sock.sendall(request)
        data, closed = recv_all(sock, 5)
    assert data.startswith(b"HTTP/1.1 400"), data
    assert data.count(b"HTTP/1.1 ") == 1  # the smuggled request got no answer
    assert closed
    assert "LocalProtocolError" not in galley.logs()


# 8. CORS.


@pytest.fixture(scope="module")
def browser_galley(start_shared):
    return start_shared(GALLEY_ALLOWED_ORIGINS="https://inspector.example.com")


def test_preflight_from_an_allowed_origin(browser_galley):
    headers = {
        "Origin": "https://inspector.example.com",
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization, content-type, mcp-protocol-version",
    }
    # No token: a browser sends none with a preflight.
    response = browser_galley.http.options("/mcp", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["access-control-allow-origin"] == "https://inspector.example.com"
    assert "POST" in response.headers["access-control-allow-methods"]
    allowed = response.headers["access-control-allow-headers"].lower()
    for name in ("authorization", "content-type", "mcp-protocol-version"):
        assert name in allowed

    refused = browser_galley.http.options(
        "/mcp", headers={**headers, "Origin": "https://evil.example.com"}
    )
    assert refused.status_code == 400
    assert "access-control-allow-origin" not in refused.headers


def test_responses_to_an_allowed_origin_are_readable(browser_galley):
    origin = {"Origin": "https://inspector.example.com"}
    response = browser_galley.http.post(
        "/mcp",
        json=tool_call(),
        headers={**MCP_HEADERS, **origin, "Authorization": f"Bearer {browser_galley.token}"},
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "https://inspector.example.com"
    refused = browser_galley.http.post("/mcp", json=tool_call(), headers={**MCP_HEADERS, **origin})
    assert refused.status_code == 403
    assert refused.headers["access-control-allow-origin"] == "https://inspector.example.com"


@pytest.mark.parametrize("method", ["GET", "DELETE", "PUT", "PATCH"])
def test_405s_name_the_only_method_mcp_takes(galley, method):
    response = galley.http.request(method, f"/mcp?token={galley.token}", headers=MCP_HEADERS)
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"


# 9. JSON-RPC ids, 400 bodies, the token in /proc/<pid>/environ.


@pytest.mark.parametrize(
    ("raw_id", "kind"),
    [("1.5", "float"), ("true", "bool"), ("null", "null"), ('{"a": 1}', "dict"), ("[1]", "list")],
)
def test_ids_mcp_forbids_get_an_invalid_request_error_not_202(galley, raw_id, kind):
    body = json.dumps(tool_call()).replace('"id": 1', f'"id": {raw_id}')
    response = galley.http.post(
        f"/mcp?token={galley.token}",
        content=body,
        headers={**MCP_HEADERS, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()
    assert error["id"] is None
    assert error["error"]["code"] == -32600
    assert f'"id" that is {kind}' in error["error"]["message"]


@pytest.mark.parametrize("request_id", ["abc", 0, -5, 2**40])
def test_string_and_integer_ids_are_served(galley, request_id):
    response = galley.http.post(
        f"/mcp?token={galley.token}", json=tool_call(request_id), headers=MCP_HEADERS
    )
    assert response.status_code == 200
    (data,) = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
    assert json.loads(data)["id"] == request_id


@pytest.mark.parametrize(
    ("body", "code", "expected"),
    [
        ('{"jsonrpc": "2.0", "id": NaN, "method": "ping"}', -32700, "NaN is not a JSON value"),
        ("{not json", -32700, "Parse error: the body is not JSON"),
        ('[{"jsonrpc": "2.0", "id": 1, "method": "ping"}]', -32600, "a batch"),
        ('"ping"', -32600, "not a JSON object"),
        ('{"jsonrpc": "1.0", "id": 1, "method": "ping"}', -32600, '"jsonrpc": "2.0"'),
        ('{"jsonrpc": "2.0", "id": 1, "method": 5}', -32600, '"method" that is not a string'),
        ('{"jsonrpc": "2.0", "id": 1, "method": "ping", "params": [1]}', -32600, '"params"'),
        ('{"jsonrpc": "2.0", "id": 1}', -32600, "neither a request"),
        ('{"jsonrpc": "2.0", "id": 1, "result": {}, "error": {}}', -32600, "neither a request"),
    ],
)
def test_400_bodies_say_what_is_wrong_without_library_internals(galley, body, code, expected):
    response = galley.http.post(
        f"/mcp?token={galley.token}",
        content=body,
        headers={**MCP_HEADERS, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code
    assert expected in error["message"]
    for internal in ("pydantic", "input_value", "input_type", "For further information"):
        assert internal not in response.text


def test_notifications_still_get_202(galley):
    notification = {"jsonrpc": "2.0", "method": "notifications/initialized"}
    response = galley.http.post(
        f"/mcp?token={galley.token}", json=notification, headers=MCP_HEADERS
    )
    assert response.status_code == 202


def test_the_plaintext_token_never_stays_in_proc_environ(start):
    """Given GALLEY_URL_TOKEN, Galley starts again with only its digest: a CLI it runs (same
    user) cannot read the token from /proc/<galley pid>/environ."""
    server = start()  # GALLEY_URL_TOKEN, the plaintext form
    environ = Path(f"/proc/{server.proc.pid}/environ").read_bytes().split(b"\0")
    digest = hashlib.sha256(server.token.encode()).hexdigest()
    assert f"GALLEY_URL_TOKEN_SHA256={digest}".encode() in environ
    assert not any(server.token.encode() in entry for entry in environ)
    assert not any(entry.startswith(b"GALLEY_URL_TOKEN=") for entry in environ)
    assert server.environment_report()["galley_version"]


def test_an_options_request_that_is_no_preflight_needs_the_token(browser_galley):
    response = browser_galley.http.options(
        "/ready", headers={"Access-Control-Request-Method": "GET"}
    )
    assert response.status_code == 403

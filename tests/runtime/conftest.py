"""Fixtures that run the real `python -m galley` (uvicorn) on a free loopback port."""

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

TOKEN = "tok-0123456789abcdef-runtime-tests"  # 33 characters
# What the container-instance module puts in the instance: Terraform's sha256(token).
TOKEN_SHA256 = hashlib.sha256(TOKEN.encode()).hexdigest()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def galley_env(**overrides: str) -> dict[str, str]:
    """The test process's environment without GALLEY_* settings, plus `overrides`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GALLEY_")}
    env.update(overrides)
    return env


def run_cli(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "galley", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


@dataclass
class GalleyProcess:
    proc: subprocess.Popen
    port: int
    token: str
    data_dir: Path
    log_dir: Path
    http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        # trust_env=False: a proxy configured for the machine must not capture loopback.
        self.http = httpx.Client(base_url=self.base_url, trust_env=False, timeout=30)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def mcp_url(self) -> str:
        return f"{self.base_url}/mcp?token={self.token}"

    def logs(self) -> str:
        """Everything the process wrote to stdout and stderr so far."""
        return (self.log_dir / "stdout.log").read_text() + (self.log_dir / "stderr.log").read_text()

    def environment_report(self) -> dict:
        """One galley_environment call over raw HTTP (stateless server: no initialize needed)."""
        body = {
            "jsonrpc": "2.0",
            "id": 1,
            "method": "tools/call",
            "params": {"name": "galley_environment", "arguments": {}},
        }
        headers = {
            "Accept": "application/json, text/event-stream",
            "MCP-Protocol-Version": "2025-06-18",
        }
        response = self.http.post(f"/mcp?token={self.token}", json=body, headers=headers)
        assert response.status_code == 200, response.text
        (data,) = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
        return json.loads(data)["result"]["structuredContent"]

    def wait_healthy(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"galley exited with {self.proc.returncode}:\n{self.logs()}")
            try:
                if self.http.get("/health").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise AssertionError(f"galley did not become healthy in {timeout}s:\n{self.logs()}")

    def stop(self) -> None:
        self.http.close()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_galley(tmp: Path, wrapper: tuple[str, ...] = (), **settings: str) -> GalleyProcess:
    """Start `python -m galley` (run by `wrapper`, a command line it is appended to, if any)."""
    # A free port can be taken by another process (other suites run in parallel)
    # between finding it and binding it: try again on a fresh port then.
    for attempt in range(3):
        galley = _launch(tmp / f"try{attempt}", wrapper, **settings)
        try:
            galley.wait_healthy()
        except AssertionError:
            galley.stop()
            if "address already in use" in galley.logs() and attempt < 2:
                continue
            raise
        except BaseException:
            galley.stop()
            raise
        return galley
    raise AssertionError("unreachable")


def _launch(tmp: Path, wrapper: tuple[str, ...], **settings: str) -> GalleyProcess:
    port = free_port()
    data_dir = tmp / "data"
    log_dir = tmp / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = galley_env(
        GALLEY_HOST="127.0.0.1",
        GALLEY_PORT=str(port),
        GALLEY_DATA_DIR=str(data_dir),
        GALLEY_URL_TOKEN=TOKEN,
        PYTHONUNBUFFERED="1",
    )
    env.update(settings)
    if "GALLEY_URL_TOKEN_SHA256" in settings and "GALLEY_URL_TOKEN" not in settings:
        del env["GALLEY_URL_TOKEN"]  # the digest alone, as in a deployment
    with (log_dir / "stdout.log").open("w") as out, (log_dir / "stderr.log").open("w") as err:
        proc = subprocess.Popen(
            [*wrapper, sys.executable, "-m", "galley"], env=env, stdout=out, stderr=err, cwd=tmp
        )
    return GalleyProcess(proc, port, settings.get("GALLEY_URL_TOKEN", TOKEN), data_dir, log_dir)


@pytest.fixture
def unused_port() -> int:
    return free_port()


@pytest.fixture
def server_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a server on a free loopback port, for tests that start it themselves."""
    return galley_env(
        GALLEY_HOST="127.0.0.1",
        GALLEY_PORT=str(free_port()),
        GALLEY_DATA_DIR=str(tmp_path / "data"),
        GALLEY_URL_TOKEN=TOKEN,
        PYTHONUNBUFFERED="1",
    )


@pytest.fixture
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """Run `python -m galley ARGS` with the given GALLEY_* settings only."""

    def _run(*args: str, timeout: float = 60, **settings: str) -> subprocess.CompletedProcess:
        return run_cli(*args, env=galley_env(**settings), timeout=timeout)

    return _run


@pytest.fixture(scope="module")
def galley(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GalleyProcess]:
    """One server shared by a module's read-only tests."""
    server = start_galley(tmp_path_factory.mktemp("galley"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def galley_digest_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GalleyProcess]:
    """One server given only GALLEY_URL_TOKEN_SHA256, as deployed, shared by a module's tests."""
    server = start_galley(tmp_path_factory.mktemp("galley"), GALLEY_URL_TOKEN_SHA256=TOKEN_SHA256)
    yield server
    server.stop()


@pytest.fixture
def start(tmp_path: Path) -> Iterator:
    """Start a dedicated server with extra GALLEY_* settings; stopped after the test."""
    started: list[GalleyProcess] = []

    def _start(wrapper: tuple[str, ...] = (), **settings: str) -> GalleyProcess:
        server = start_galley(tmp_path / f"s{len(started)}", wrapper, **settings)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def start_shared(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Like `start`, for a server that a module's tests share; stopped after the module."""
    started: list[GalleyProcess] = []

    def _start(wrapper: tuple[str, ...] = (), **settings: str) -> GalleyProcess:
        server = start_galley(tmp_path_factory.mktemp("shared"), wrapper, **settings)
        started.append(server)
        return server

    yield _start
    for server in started:
        server.stop()


@pytest.fixture
def url_token_sha256() -> str:
    """The hex SHA-256 of the token `start()` servers accept (what a deployment is given)."""
    return TOKEN_SHA256

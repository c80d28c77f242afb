"""Start `python -m galley` on loopback and print startup time and request latencies, then
the time three concurrent first tool calls take behind a CLI that hangs (they share one round
of version probes, so all end with its one 10 s timeout).

uv run python benchmarks/runtime_latency.py [requests per kind, default 50]
"""

import hashlib
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

TOKEN = "bench-token-0123456789abcdef"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(fn, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def report(name: str, samples: list[float]) -> None:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(f"{name:<44} p50 {statistics.median(ordered):7.2f} ms   p95 {p95:7.2f} ms")


async def sdk_calls(url: str, mode: str, n: int) -> tuple[float, list[float]]:
    start = time.perf_counter()
    async with (
        httpx2.AsyncClient(trust_env=False, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http), mode=mode) as client,
    ):
        setup = (time.perf_counter() - start) * 1000
        samples = []
        for _ in range(n):
            begin = time.perf_counter()
            result = await client.call_tool("galley_environment", {})
            samples.append((time.perf_counter() - begin) * 1000)
            assert result.structured_content is not None
    return setup, samples


TOOL_CALL = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "galley_environment", "arguments": {}},
}
MCP_HEADERS = {
    "Accept": "application/json, text/event-stream",
    "MCP-Protocol-Version": "2025-06-18",
}


async def concurrent_calls(url: str, count: int) -> list[float]:
    """Seconds until each of `count` simultaneous tools/call requests is answered."""
    start = time.perf_counter()
    ended: list[float] = []
    async with httpx.AsyncClient(trust_env=False, timeout=120) as http:

        async def call() -> None:
            response = await http.post(url, json=TOOL_CALL, headers=MCP_HEADERS)
            assert response.status_code == 200, response.text
            ended.append(time.perf_counter() - start)

        async with anyio.create_task_group() as tg:
            for _ in range(count):
                tg.start_soon(call)
    return sorted(ended)


def wait_healthy(http: httpx.Client, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if http.get("/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.02)
    raise SystemExit("galley did not become healthy")


def start_galley(env: dict[str, str]) -> tuple[subprocess.Popen, httpx.Client]:
    """`python -m galley` with `env`, and a loopback client for its GALLEY_PORT."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "galley"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{env['GALLEY_PORT']}"
    return proc, httpx.Client(base_url=base_url, trust_env=False, timeout=30)


def hung_cli_figures(base_env: dict[str, str], tmp: str) -> None:
    bin_dir = os.path.join(tmp, "hung-bin")
    os.mkdir(bin_dir)
    oci = os.path.join(bin_dir, "oci")
    with open(oci, "w") as script:  # hangs, with a child of its own
        script.write("#!/bin/sh\nsleep 300 &\nsleep 300\n")
    os.chmod(oci, 0o755)
    port = free_port()
    env = {
        **base_env,
        "GALLEY_PORT": str(port),
        "GALLEY_DATA_DIR": f"{tmp}/data-hung",
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
    }
    proc, http = start_galley(env)
    try:
        wait_healthy(http, proc)
        url = f"http://127.0.0.1:{port}/mcp?token={TOKEN}"
        ended = anyio.run(concurrent_calls, url, 3)
        figures = ", ".join(f"{seconds:.1f}" for seconds in ended)
        print(f"{'3 concurrent calls, hung oci CLI (s)':<44} {figures}")
    finally:
        http.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GALLEY_")},
            "GALLEY_HOST": "127.0.0.1",
            "GALLEY_PORT": str(port),
            "GALLEY_DATA_DIR": f"{tmp}/data",
            # As deployed: the runtime is given the token's digest only.
            "GALLEY_URL_TOKEN_SHA256": hashlib.sha256(TOKEN.encode()).hexdigest(),
        }
        start = time.perf_counter()
        proc, http = start_galley(env)
        try:
            wait_healthy(http, proc)  # bounded: gives up after 120 s
            print(f"{'start to first healthy /health':<44} {(time.perf_counter() - start):.2f} s")

            hc_env = {**env}
            report(
                "python -m galley healthcheck (process)",
                timed(
                    lambda: subprocess.run(
                        [sys.executable, "-m", "galley", "healthcheck"], env=hc_env, check=True
                    ),
                    min(n, 10),
                ),
            )
            report("GET /health", timed(lambda: http.get("/health"), n))
            report(
                "GET /ready (token, data dir probe)",
                timed(lambda: http.get(f"/ready?token={TOKEN}"), n),
            )
            report("403 (wrong token)", timed(lambda: http.get("/ready?token=wrong"), n))

            for mode in ("2026-07-28", "legacy"):
                setup, calls = anyio.run(
                    sdk_calls, f"http://127.0.0.1:{port}/mcp?token={TOKEN}", mode, min(n, 20)
                )
                print(f"{'SDK Client connect (' + mode + ')':<44} {setup:7.2f} ms")
                report(f"SDK call_tool galley_environment ({mode})", calls)
        finally:
            http.close()
            stop = time.perf_counter()
            proc.send_signal(signal.SIGTERM)
            code = proc.wait(timeout=60)
            took = time.perf_counter() - stop
            print(f"{'SIGTERM to exit (idle)':<44} {took:.2f} s, status {code}")
        hung_cli_figures(env, tmp)


if __name__ == "__main__":
    main()

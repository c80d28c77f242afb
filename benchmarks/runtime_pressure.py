"""`/health` latency, memory and log volume of `python -m galley` under connection pressure
(issue 19), each scenario against a fresh server on loopback:

- 200 idle connections held open;
- 50 authenticated uploads of ~4 MiB that stall (a byte every 9 s once most of the body is in);
- file-descriptor pressure: `ulimit -n 64` and 80 idle connections.

For each: /health p50/p99 on fresh connections while the pressure lasts, the server's RSS before,
at its peak and after, and how many log lines it wrote besides the access log's /health lines.

uv run python benchmarks/runtime_pressure.py [health samples per scenario, default 100]
"""

import contextlib
import hashlib
import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

TOKEN = "bench-token-0123456789abcdef"
HEALTH = b"GET /health HTTP/1.1\r\nHost: galley\r\nConnection: close\r\n\r\n"
BODY_BYTES = 4 * 1024 * 1024 - 1024  # just under the 4 MiB limit


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Galley:
    def __init__(self, tmp: Path, name: str, fd_limit: int | None = None) -> None:
        self.port = free_port()
        self.log = tmp / f"{name}.log"
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GALLEY_")},
            "GALLEY_HOST": "127.0.0.1",
            "GALLEY_PORT": str(self.port),
            "GALLEY_DATA_DIR": str(tmp / f"{name}-data"),
            "GALLEY_URL_TOKEN_SHA256": hashlib.sha256(TOKEN.encode()).hexdigest(),
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "-m", "galley"]
        if fd_limit is not None:
            command = ["sh", "-c", f'ulimit -n {fd_limit} && exec "$@"', "sh", *command]
        with self.log.open("w") as out:
            self.proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while health_ms(self.port, 2) is None:
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"galley did not start:\n{self.log.read_text()}")
            time.sleep(0.1)

    def rss_mib(self) -> float:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def other_log_lines(self) -> int:
        lines = self.log.read_text().splitlines()
        return sum('"GET /health HTTP/1.1" 200' not in line for line in lines)

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def health_ms(port: int, timeout: float) -> float | None:
    """Milliseconds for GET /health on a fresh connection; None when no 200 within `timeout`."""
    began = time.perf_counter()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(HEALTH)
            data = b""
            while b'"ok"' not in data:
                left = timeout - (time.perf_counter() - began)
                ready, _, _ = select.select([sock], [], [], max(0.0, left))
                if not ready:
                    return None
                chunk = sock.recv(65536)
                if not chunk:
                    return None
                data += chunk
    except OSError:
        return None
    return (time.perf_counter() - began) * 1000 if data.startswith(b"HTTP/1.1 200") else None


def open_idle(port: int, count: int) -> list[socket.socket]:
    return [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]


def still_open(sockets: list[socket.socket]) -> int:
    open_count = 0
    for sock in sockets:
        try:
            ready, _, _ = select.select([sock], [], [], 0)
            if not ready or sock.recv(1, socket.MSG_PEEK):
                open_count += 1
        except OSError:
            pass
    return open_count


def measure(
    name: str, galley: Galley, samples: int, during: Callable[[], None] = lambda: None
) -> None:
    times: list[float] = []
    failures = 0
    peak = galley.rss_mib()
    for _ in range(samples):
        during()
        took = health_ms(galley.port, 5)
        if took is None:
            failures += 1
        else:
            times.append(took)
        peak = max(peak, galley.rss_mib())
    ordered = sorted(times)
    p50 = statistics.median(ordered) if ordered else float("nan")
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] if ordered else float("nan")
    print(
        f"{name:<34} /health p50 {p50:7.2f} ms  p99 {p99:7.2f} ms  failed {failures:3d}/{samples}"
        f"  RSS peak {peak:6.1f} MiB  log lines {galley.other_log_lines():4d}"
    )


def idle_connections(tmp: Path, samples: int) -> None:
    galley = Galley(tmp, "idle")
    try:
        before = galley.rss_mib()
        held = open_idle(galley.port, 200)
        time.sleep(1)
        measure("200 idle connections", galley, samples)
        print(f"{'':<34} RSS before {before:.1f} MiB; {still_open(held)}/200 still open")
        for sock in held:
            sock.close()
    finally:
        galley.stop()


def stalled_uploads(tmp: Path, samples: int) -> None:
    galley = Galley(tmp, "uploads")
    uploads: list[socket.socket] = []
    try:
        before = galley.rss_mib()
        head = (
            f"POST /mcp?token={TOKEN} HTTP/1.1\r\nHost: galley\r\n"
            "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
            f"Content-Length: {BODY_BYTES}\r\n\r\n"
        ).encode()
        began = time.monotonic()
        for _ in range(50):
            sock = socket.create_connection(("127.0.0.1", galley.port), timeout=10)
            sock.setblocking(False)
            sock.send(head)
            uploads.append(sock)
        chunk = b" " * 65536
        sent = dict.fromkeys(uploads, 0)
        # Most of each body, as fast as the server takes it (bounded in time).
        while time.monotonic() - began < 20 and any(n < BODY_BYTES - 10 for n in sent.values()):
            _, writable, _ = select.select([], list(sent), [], 1)
            for sock in writable:
                want = min(len(chunk), BODY_BYTES - 10 - sent[sock])
                if want > 0:
                    try:
                        sent[sock] += sock.send(chunk[:want])
                    except OSError:
                        sent[sock] = BODY_BYTES
        next_byte = time.monotonic() + 9

        def trickle() -> None:
            nonlocal next_byte
            if time.monotonic() >= next_byte:
                next_byte += 9
                for sock in uploads:
                    with contextlib.suppress(OSError):
                        sock.send(b" ")

        measure("50 stalled ~4 MiB uploads", galley, samples, trickle)
        # The body's total deadline (25.6 s) ends them; bounded wait.
        while time.monotonic() - began < 40 and still_open(uploads):
            trickle()
            time.sleep(0.5)
        print(
            f"{'':<34} RSS before {before:.1f} MiB, after {galley.rss_mib():.1f} MiB; "
            f"{still_open(uploads)}/50 uploads open after {time.monotonic() - began:.0f} s; "
            f"log lines {galley.other_log_lines()}"
        )
    finally:
        for sock in uploads:
            sock.close()
        galley.stop()


def fd_pressure(tmp: Path, samples: int) -> None:
    galley = Galley(tmp, "fds", fd_limit=64)
    try:
        held = open_idle(galley.port, 80)
        time.sleep(2)
        measure("ulimit -n 64, 80 idle connections", galley, samples)
        print(f"{'':<34} {still_open(held)}/80 idle connections still open")
        for sock in held:
            sock.close()
    finally:
        galley.stop()


def main() -> None:
    samples = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    with tempfile.TemporaryDirectory() as tmp:
        idle_connections(Path(tmp), samples)
        stalled_uploads(Path(tmp), samples)
        fd_pressure(Path(tmp), samples)


if __name__ == "__main__":
    main()

"""Claude Code (pinned in tests/clients/package.json) run as a test client, fully offline.

`npm ci --ignore-scripts` (scripts/setup) leaves @anthropic-ai/claude-code's `bin/claude.exe`
as a stub: its postinstall would copy the native binary over it from the platform package that
npm installs as an optional dependency. That platform package is on disk either way, so the
tests run its binary directly and nothing from outside the registry is needed.

Every run gets a throwaway HOME and config directory, the settings that turn off updates,
telemetry, error reports and other nonessential traffic, and a "proxy" on 127.0.0.1 for every
host but loopback: a listener that counts connections, so a request for anything but 127.0.0.1
reaches it (and fails) instead of leaving the machine, and the tests can assert none came.
"""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
import threading
from pathlib import Path

CLIENTS = Path(__file__).resolve().parent
PLATFORM_PACKAGES = {"x86_64": "claude-code-linux-x64", "aarch64": "claude-code-linux-arm64"}
TIMEOUT_S = 120
# The variables that keep Claude Code from reaching Anthropic or an update server
# (code.claude.com/docs/en/env-vars; the first implies the other three).
OFFLINE = {
    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    "DISABLE_AUTOUPDATER": "1",
    "DISABLE_TELEMETRY": "1",
    "DISABLE_ERROR_REPORTING": "1",
    "DISABLE_BUG_COMMAND": "1",
}
CONNECTED = "✔ Connected"
STATUS_LINE = re.compile(r"^(?P<name>[\w-]+): (?P<url>\S+) \(HTTP\) - (?P<status>.+)$", re.M)


def binary() -> Path:
    """The native `claude` of this machine's platform package (see the module docstring)."""
    package = PLATFORM_PACKAGES.get(platform.machine())
    if package is None:
        raise AssertionError(f"no Claude Code platform package known for {platform.machine()}")
    path = CLIENTS / "node_modules" / "@anthropic-ai" / package / "claude"
    if not path.exists():
        raise AssertionError(f"{path} is missing: run scripts/setup --test-clients (npm ci there)")
    return path


class CountingListener:
    """A TCP listener on 127.0.0.1 that accepts, counts and closes every connection."""

    def __init__(self) -> None:
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self.port: int = self._sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()


class ClaudeCode:
    """`claude` with its own HOME, working directory and loopback-only network."""

    def __init__(
        self, home: Path, ca: Path | None = None, loopback_names: tuple[str, ...] = ()
    ) -> None:
        self.home = home
        self.project = home / "project"  # `claude mcp add` keeps local-scope servers per project
        self.project.mkdir(parents=True, exist_ok=True)
        self.proxy = CountingListener()
        proxy_url = f"http://127.0.0.1:{self.proxy.port}"
        self.env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("GALLEY_", "CLAUDE_", "ANTHROPIC_"))
            and key.lower() not in {"http_proxy", "https_proxy", "all_proxy", "no_proxy"}
        }
        self.env.update(
            OFFLINE,
            HOME=str(home),
            CLAUDE_CONFIG_DIR=str(home / ".claude"),
            HTTP_PROXY=proxy_url,
            HTTPS_PROXY=proxy_url,
            NO_PROXY="127.0.0.1,localhost",
            NO_COLOR="1",
        )
        if ca is not None:
            self.env["NODE_EXTRA_CA_CERTS"] = str(ca)
        # Host names that resolve to 127.0.0.1 for this client only (a custom domain's), through
        # a hosts file of its own: see run().
        self._hosts: Path | None = None
        if loopback_names:
            self._hosts = home / "hosts"
            self._hosts.write_text(
                "127.0.0.1 localhost\n" + "".join(f"127.0.0.1 {n}\n" for n in loopback_names)
            )
            self.env["NO_PROXY"] += "," + ",".join(loopback_names)

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        command = [str(binary()), *args]
        if self._hosts is not None:
            # Its own mount namespace, where /etc/hosts is ours: the machine's stays untouched.
            # Needs root (CAP_SYS_ADMIN), as CI has.
            mount = 'mount --bind "$0" /etc/hosts && exec "$@"'
            command = ["unshare", "--mount", "sh", "-c", mount, str(self._hosts), *command]
        return subprocess.run(
            command,
            cwd=self.project,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )

    def add(self, name: str, url: str, bearer: str | None = None) -> None:
        header = ["--header", f"Authorization: Bearer {bearer}"] if bearer is not None else []
        done = self.run("mcp", "add", "--transport", "http", name, url, *header)
        if done.returncode != 0:
            raise AssertionError(f"claude mcp add {name} failed:\n{done.stdout}{done.stderr}")

    def statuses(self) -> dict[str, str]:
        """`claude mcp list`: each server's status as Claude Code reports it."""
        done = self.run("mcp", "list")
        if done.returncode != 0:
            raise AssertionError(f"claude mcp list failed:\n{done.stdout}{done.stderr}")
        return {m["name"]: m["status"] for m in STATUS_LINE.finditer(done.stdout)}

    def close(self) -> None:
        self.proxy.close()

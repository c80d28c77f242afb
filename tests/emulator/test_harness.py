"""EmulatedCloud lifecycle: start, stop, exit with the parent, clear failures."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from oci_emulator.harness import EmulatedCloud, EmulatorStartError


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped) counts as gone.
    status = Path(f"/proc/{pid}/stat").read_text().split()[2]
    return status != "Z"


def _wait_gone(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def _listening(address: str) -> bool:
    host, port = address.rsplit(":", 1)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(2)
        return probe.connect_ex((host, int(port))) == 0


def test_reattach_env_points_at_live_loopback_ports_and_stop_closes_them(tmp_path):
    with EmulatedCloud(tmp_path / "c") as cloud:
        reattach = json.loads(cloud.env["TF_REATTACH_PROVIDERS"])
        assert {
            "registry.terraform.io/oracle/oci",
            "registry.terraform.io/hashicorp/random",
        } <= set(reattach)
        # Loopback TCP, so that each provider configuration has its own connection.
        addresses = {p["Addr"]["String"] for p in reattach.values()}
        assert all(p["Addr"]["Network"] == "tcp" for p in reattach.values())
        assert all(a.startswith("127.0.0.1:") for a in addresses)
        assert all(_listening(a) for a in addresses)
        pid = reattach["registry.terraform.io/oracle/oci"]["Pid"]
        assert cloud.env["OCI_EMULATOR_STATE_DIR"] == str(tmp_path / "c")
        assert Path(cloud.env["TF_CLI_CONFIG_FILE"]).is_file()
    assert _wait_gone(pid)
    assert not any(_listening(a) for a in addresses)


def test_server_exits_when_its_parent_goes_away(tmp_path):
    cloud = EmulatedCloud(tmp_path / "c").start()
    pid = cloud._process.pid
    # What happens when the test process dies: the server's stdin pipe closes.
    cloud._process.stdin.close()
    assert _wait_gone(pid)
    cloud.stop()


def test_a_missing_schema_dir_fails_with_a_clear_message(tmp_path, monkeypatch):
    monkeypatch.setenv("OCI_EMULATOR_SCHEMA_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(RuntimeError, match=r"OCI_EMULATOR_SCHEMA_DIR=.*nowhere is not a directory"):
        EmulatedCloud(tmp_path / "c")


def test_a_schema_dir_without_the_files_fails_at_start_with_the_reason(tmp_path):
    empty = tmp_path / "schemas"
    empty.mkdir()
    cloud = EmulatedCloud(tmp_path / "c", schema_directory=empty)
    with pytest.raises(EmulatorStartError, match=r"oracle-oci-8\.28\.0\.json not found"):
        cloud.start()


def test_unknown_mode_is_rejected(tmp_path):
    with pytest.raises(ValueError, match="mode must be 'reattach' or 'mirror', got 'fast'"):
        EmulatedCloud(tmp_path / "c", mode="fast")


def _ask_daemon(control: str, request: dict) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(10)
        conn.connect(control)
        conn.sendall(json.dumps(request).encode() + b"\n")
        return json.loads(conn.makefile("rb").readline())


def test_warm_daemon_serves_only_its_own_cloud(tmp_path):
    with EmulatedCloud(tmp_path / "c", mode="mirror") as cloud:
        control = cloud.env["OCI_EMULATOR_DAEMON"]
        ours = _ask_daemon(control, {"provider": "oracle/oci", "state_dir": str(cloud.state_dir)})
        assert Path(ours["socket"]).parent == Path(control).parent
        assert ours["cert"]
        other = _ask_daemon(control, {"provider": "oracle/oci", "state_dir": str(tmp_path)})
        assert other == {"error": "not served by this daemon"}
        unknown = _ask_daemon(
            control, {"provider": "hashicorp/aws", "state_dir": str(cloud.state_dir)}
        )
        assert "error" in unknown


def test_plugin_falls_back_to_serving_itself_without_a_usable_daemon(tmp_path):
    env = {**os.environ, "OCI_EMULATOR_DAEMON": str(tmp_path / "no-such.sock")}
    env["OCI_EMULATOR_STATE_DIR"] = str(tmp_path / "c")
    proc = subprocess.Popen(
        [sys.executable, "-m", "oci_emulator.plugin", "hashicorp/random"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    try:
        line = proc.stdout.readline().decode()
        proto, version, network, address, kind, cert = line.strip().split("|")
        assert (proto, version, network, kind) == ("1", "6", "unix", "grpc")
        assert Path(address).is_socket()
        assert cert and "=" not in cert
    finally:
        proc.terminate()
        proc.wait(10)

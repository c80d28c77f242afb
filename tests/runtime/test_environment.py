"""Version probes and data-dir status behind the galley_environment tool."""

import json
import os
import shutil
import stat
from pathlib import Path

import anyio
import pytest

from galley.environment import PROBES, BinaryVersions, Probe, data_dir_status, probe_binary

PROBE = {probe.name: probe for probe in PROBES}
SLEEP = shutil.which("sleep")  # looked up before the tests narrow PATH


@pytest.fixture
def bin_dir(tmp_path, monkeypatch) -> Path:
    """A directory that is the whole PATH, for fake binaries."""
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    return path


def fake(bin_dir: Path, name: str, body: str) -> None:
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def probe(name: str, timeout: float = 10):
    return anyio.run(lambda: probe_binary(PROBE[name], timeout))


def test_absent_binary(bin_dir):
    result = probe("oci")
    assert (result.present, result.version, result.error) == (False, None, None)


def test_terraform_version_without_checkpoint_call(bin_dir):
    # The fake reports CHECKPOINT_DISABLE as its version: the probe must set it to 1.
    fake(bin_dir, "terraform", 'echo "{\\"terraform_version\\": \\"cp=$CHECKPOINT_DISABLE $*\\"}"')
    assert probe("terraform").version == "cp=1 version -json"


def test_kubectl_reads_the_client_version_only(bin_dir):
    fake(bin_dir, "kubectl", """echo '{"clientVersion": {"gitVersion": "v1.31.0"}}' # $*""")
    assert probe("kubectl").version == "v1.31.0"
    assert PROBE["kubectl"].args[:2] == ("version", "--client")


def test_oci_first_line(bin_dir):
    fake(bin_dir, "oci", "echo 3.51.2; echo extra line")
    assert probe("oci").version == "3.51.2"


def test_failing_binary(bin_dir):
    fake(bin_dir, "oci", "exit 3")
    result = probe("oci")
    assert (result.present, result.version, result.error) == (True, None, "exit status 3")


def test_unparseable_output(bin_dir):
    fake(bin_dir, "terraform", "echo Terraform v1.11.4")
    assert probe("terraform").error == "unrecognised version output"


def test_hanging_binary_times_out(bin_dir):
    fake(bin_dir, "kubectl", f"exec {SLEEP} 30")
    result = probe("kubectl", timeout=0.5)
    assert (result.present, result.error) == (True, "timed out after 0.5s")


def test_unrunnable_binary(bin_dir):
    (bin_dir / "oci").write_text("#!/nonexistent/interpreter\n")
    (bin_dir / "oci").chmod(0o755)
    result = anyio.run(probe_binary, Probe("oci", (), str))
    assert result.present is True
    assert result.error.startswith("cannot run")


def test_data_dir_status(tmp_path):
    good = data_dir_status(tmp_path)
    assert (good.usable, good.problem, good.path) == (True, None, str(tmp_path))
    assert good.free_bytes > 0
    assert list(tmp_path.iterdir()) == []  # the write probe cleans up

    missing = data_dir_status(tmp_path / "missing")
    assert (missing.usable, missing.free_bytes) == (False, None)
    assert missing.problem.endswith("does not exist")

    file = tmp_path / "file"
    file.write_text("")
    assert data_dir_status(file).problem.endswith("is not a directory")


def test_children_do_not_inherit_galley_settings(bin_dir, monkeypatch):
    secret = "tok-must-not-reach-children-0123"
    monkeypatch.setenv("GALLEY_URL_TOKEN", secret)
    monkeypatch.setenv("GALLEY_DATA_DIR", "/srv/galley-data")
    monkeypatch.setenv("KEEP_ME", "kept")
    fake(
        bin_dir,
        "terraform",
        'echo "{\\"terraform_version\\": \\"[$GALLEY_URL_TOKEN][$GALLEY_DATA_DIR][$KEEP_ME]\\"}"',
    )
    # The rest of the environment still reaches the child.
    assert probe("terraform").version == "[][][kept]"


def counting(bin_dir: Path, name: str, output: str) -> Path:
    """A fake CLI that appends a line to a file each time it runs, then prints `output`."""
    count = bin_dir.parent / f"{name}.runs"
    fake(bin_dir, name, f"echo run >> '{count}'\necho '{output}'")
    return count


def runs(count: Path) -> int:
    return len(count.read_text().splitlines()) if count.exists() else 0


def test_versions_are_probed_once_per_process(bin_dir):
    count = counting(bin_dir, "oci", "3.51.2")

    async def twice_and_concurrently() -> list[list]:
        versions = BinaryVersions()
        reports = [await versions.get(), await versions.get()]
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(versions.get)
        return reports

    first, second = anyio.run(twice_and_concurrently)
    assert runs(count) == 1
    assert first == second
    assert {b.name: b.version for b in first}["oci"] == "3.51.2"


def test_a_failed_probe_is_tried_again(bin_dir):
    # Fails on its first run only, like a CLI timing out on a cold start (shell builtins only:
    # PATH holds nothing but the fakes).
    count = bin_dir.parent / "oci.runs"
    body = (
        f"[ -e '{count}' ] || {{ echo run >> '{count}'; exit 4; }}\n"
        f"echo run >> '{count}'\necho 3.51.2"
    )
    fake(bin_dir, "oci", body)

    async def three_calls() -> list[str | None]:
        versions = BinaryVersions()
        results = []
        for _ in range(3):
            oci = {b.name: b for b in await versions.get()}["oci"]
            results.append(oci.version or oci.error)
        return results

    assert anyio.run(three_calls) == ["exit status 4", "3.51.2", "3.51.2"]
    assert runs(count) == 2


def call_tool(server) -> dict:
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
    response = server.http.post(f"/mcp?token={server.token}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    (data,) = [line[5:] for line in response.text.splitlines() if line.startswith("data:")]
    return json.loads(data)["result"]["structuredContent"]


def test_tool_runs_the_clis_once_and_never_shows_them_the_token(start, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    count = tmp_path / "terraform.runs"
    fake(
        bin_dir,
        "terraform",
        f"echo run >> '{count}'\n"
        'echo "{\\"terraform_version\\": \\"token=[$GALLEY_URL_TOKEN]\\"}"',
    )
    server = start(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    reports = [call_tool(server), call_tool(server)]
    assert runs(count) == 1
    for report in reports:
        terraform = next(b for b in report["binaries"] if b["name"] == "terraform")
        assert terraform["version"] == "token=[]"
        assert server.token not in json.dumps(report)

"""Version probes and data-dir status behind the galley_environment tool."""

import shutil
import stat
from pathlib import Path

import anyio
import pytest

from galley.environment import PROBES, Probe, data_dir_status, probe_binary

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

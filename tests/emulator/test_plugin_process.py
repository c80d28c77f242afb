"""Provider processes that cannot start: a clear error, and nothing left behind in the temp dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def test_failed_reattach_start_leaves_no_socket_dir(tmp_path: Path) -> None:
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    missing = tmp_path / "no-schemas"
    env = {
        **os.environ,
        "TMPDIR": str(private_tmp),
        "OCI_EMULATOR_SCHEMA_DIR": str(missing),
    }
    env.pop("OCI_EMULATOR_DAEMON", None)
    command = [sys.executable, "-m", "oci_emulator.plugin", "--reattach"]
    result = subprocess.run(
        [*command, "--state-dir", str(tmp_path / "cloud")],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert f"OCI_EMULATOR_SCHEMA_DIR={missing} is not a directory" in result.stderr
    assert result.stdout == ""  # no reattach line for a server that never started
    assert list(private_tmp.glob("ociemu-*")) == []

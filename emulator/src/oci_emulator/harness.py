"""EmulatedCloud: one emulated OCI tenancy plus the environment that points Terraform at it.

    with EmulatedCloud(tmp / "cloud") as cloud:
        tftest.TerraformTest(tfdir, env=cloud.env).apply()
        cloud.resources("oci_core_vcn")

Two ways to reach the providers:
- "reattach" (default): one long-running emulator process serves both providers and Terraform
  attaches to it through TF_REATTACH_PROVIDERS; no per-command provider start (~10x faster).
- "mirror": a filesystem provider mirror + CLI config; Terraform starts the providers itself, as
  a user's `terraform init` would. With `warm` (default) the started plugin processes borrow
  ready servers from a daemon (warm.py) instead of importing gRPC each time.
The CLI config is in .env in both modes, so `init` works. `write_root` lays out a root module
that pins the served providers.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from oci_emulator.envvars import (
    DAEMON_ENV,
    MODE_ENV,
    PYTHON_ENV,
    REGION_ENV,
    SCHEMA_DIR_ENV,
    STATE_DIR_ENV,
)
from oci_emulator.mirror import write_cli_config, write_mirror
from oci_emulator.schema import PROVIDERS, schema_dir
from oci_emulator.store import DEFAULT_REGION, Store

Mode = Literal["reattach", "mirror"]
_START_TIMEOUT_S = 30.0


class EmulatorStartError(RuntimeError):
    pass


def providers_tf() -> str:
    """A `required_providers` block pinning the providers the emulator serves."""
    pins = "".join(
        f'    {spec.name} = {{ source = "{spec.source}", version = "{spec.version}" }}\n'
        for spec in PROVIDERS.values()
    )
    return f"terraform {{\n  required_providers {{\n{pins}  }}\n}}\n"


def write_root(directory: Path, main_tf: str) -> Path:
    """A Terraform root module in ``directory``: providers.tf (the pins above) and main.tf."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "providers.tf").write_text(providers_tf())
    (directory / "main.tf").write_text(main_tf)
    return directory


class EmulatedCloud:
    def __init__(
        self,
        state_dir: Path | str,
        *,
        mode: Mode | None = None,
        warm: bool = True,
        region: str = DEFAULT_REGION,
        schema_directory: Path | str | None = None,
    ) -> None:
        self.state_dir = Path(state_dir).resolve()
        self.mode: Mode = mode or os.environ.get(MODE_ENV, "reattach")  # type: ignore[assignment]
        if self.mode not in ("reattach", "mirror"):
            raise ValueError(f"mode must be 'reattach' or 'mirror', got {self.mode!r}")
        self.region = region
        self.warm = warm
        self._schema_dir = Path(schema_directory) if schema_directory else schema_dir()
        self._harness_dir = self.state_dir / "harness"
        self._process: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}
        self.store = Store(self.state_dir, default_region=region)

    # --- what the cloud holds ----------------------------------------------------------------

    @property
    def tenancy_id(self) -> str:
        return self.store.snapshot().tenancy_id

    @property
    def namespace(self) -> str:
        return self.store.snapshot().namespace

    def resources(self, type_: str | None = None) -> list[dict[str, Any]]:
        return self.store.resources(type_)

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> EmulatedCloud:
        mirror = write_mirror(self._harness_dir / "mirror")
        cli_config = write_cli_config(self._harness_dir / "terraform.rc", mirror)
        env = dict(os.environ)
        env.update(
            {
                STATE_DIR_ENV: str(self.state_dir),
                SCHEMA_DIR_ENV: str(self._schema_dir.resolve()),
                REGION_ENV: self.region,
                PYTHON_ENV: sys.executable,
                "TF_CLI_CONFIG_FILE": str(cli_config),
                "CHECKPOINT_DISABLE": "1",
                "TF_IN_AUTOMATION": "1",
            }
        )
        env.pop("TF_REATTACH_PROVIDERS", None)
        env.pop(DAEMON_ENV, None)
        if self.mode == "reattach":
            env["TF_REATTACH_PROVIDERS"] = json.dumps(self._start_server(env, "--reattach"))
        elif self.warm:
            env[DAEMON_ENV] = self._start_server(env, "--daemon")[DAEMON_ENV]
        self.env = env
        return self

    def _start_server(self, env: dict[str, str], kind: str) -> dict[str, Any]:
        log = open(self._harness_dir / "emulator.log", "ab")  # noqa: SIM115 - lives with process
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "oci_emulator.plugin",
                kind,
                "--state-dir",
                str(self.state_dir),
                "--watch-stdin",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
        )
        log.close()
        assert self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            ready = selector.select(_START_TIMEOUT_S)
        line = self._process.stdout.readline() if ready else b""
        if not line:
            self.stop()
            log_path = self._harness_dir / "emulator.log"
            tail = log_path.read_text(errors="replace")[-2000:]
            raise EmulatorStartError(f"the emulator did not start ({log_path}):\n{tail}")
        return json.loads(line)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin:
            process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()

    def __enter__(self) -> EmulatedCloud:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

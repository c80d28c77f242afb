"""A filesystem provider mirror and the Terraform CLI config that uses it.

`terraform init` copies the launcher into `.terraform/providers` and records its hash in the lock
file, so the launcher is a tiny shell script that never changes: which Python runs the emulator
comes from OCI_EMULATOR_PYTHON at run time.
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from oci_emulator.envvars import PYTHON_ENV
from oci_emulator.schema import PROVIDERS, ProviderSpec

_LAUNCHER = """#!/bin/sh
exec "${{{env}:-python3}}" -m oci_emulator.plugin {source} "$@"
"""


def terraform_platform() -> str:
    system = {"linux": "linux", "darwin": "darwin"}.get(sys.platform, sys.platform)
    machine = platform.machine().lower()
    arch = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        machine, machine
    )
    return f"{system}_{arch}"


def launcher_text(spec: ProviderSpec) -> str:
    return _LAUNCHER.format(env=PYTHON_ENV, source=spec.source)


def write_mirror(mirror_dir: Path) -> Path:
    """Lay out both providers in the unpacked filesystem-mirror layout; return the mirror dir."""
    target = terraform_platform()
    for spec in PROVIDERS.values():
        host, namespace, name = spec.address.split("/")
        package = mirror_dir / host / namespace / name / spec.version / target
        package.mkdir(parents=True, exist_ok=True)
        launcher = package / f"terraform-provider-{name}_v{spec.version}"
        launcher.write_text(launcher_text(spec))
        launcher.chmod(0o755)
    return mirror_dir


def cli_config_text(mirror_dir: Path) -> str:
    addresses = ", ".join(f'"{spec.address}"' for spec in PROVIDERS.values())
    return f"""provider_installation {{
  filesystem_mirror {{
    path    = "{mirror_dir}"
    include = [{addresses}]
  }}
  direct {{
    exclude = [{addresses}]
  }}
}}
"""


def write_cli_config(path: Path, mirror_dir: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(cli_config_text(mirror_dir))
    return path

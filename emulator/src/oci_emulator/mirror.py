"""A filesystem provider mirror and the Terraform/OpenTofu CLI config that uses it.

`terraform init` copies the launcher into `.terraform/providers` and records its hash in the lock
file, so the launcher is a tiny shell script that never changes: which Python runs the emulator
comes from OCI_EMULATOR_PYTHON at run time.

A module's `oracle/oci` means registry.terraform.io/oracle/oci to Terraform and
registry.opentofu.org/oracle/oci to OpenTofu, so the mirror, the CLI config and the reattach
value name every provider under both hostnames (the same launcher, so both engines' lock files
hold the same hash).
"""

from __future__ import annotations

import platform
import sys
from pathlib import Path
from typing import Any

from oci_emulator.envvars import PYTHON_ENV
from oci_emulator.schema import PROVIDERS, ProviderSpec

# Terraform's default registry first, then OpenTofu's.
REGISTRY_HOSTS = ("registry.terraform.io", "registry.opentofu.org")

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


def addresses(spec: ProviderSpec) -> list[str]:
    """The provider's full address on every registry host an engine may resolve it to."""
    return [f"{host}/{spec.source}" for host in REGISTRY_HOSTS]


def reattach_for_every_host(reattach: dict[str, Any]) -> dict[str, Any]:
    """A TF_REATTACH_PROVIDERS mapping keyed by one address per provider, extended to every
    registry host: each engine picks the keys of its own default host and ignores the others."""
    by_source = {spec.source: spec for spec in PROVIDERS.values()}
    extended = dict(reattach)
    for address, config in reattach.items():
        spec = by_source.get(address.split("/", 1)[1])
        if spec is not None:
            extended.update(dict.fromkeys(addresses(spec), config))
    return extended


def write_mirror(mirror_dir: Path) -> Path:
    """Lay out both providers in the unpacked filesystem-mirror layout, under every registry
    host; return the mirror dir."""
    target = terraform_platform()
    for spec in PROVIDERS.values():
        for address in addresses(spec):
            host, namespace, name = address.split("/")
            package = mirror_dir / host / namespace / name / spec.version / target
            package.mkdir(parents=True, exist_ok=True)
            launcher = package / f"terraform-provider-{name}_v{spec.version}"
            launcher.write_text(launcher_text(spec))
            launcher.chmod(0o755)
    return mirror_dir


def cli_config_text(mirror_dir: Path) -> str:
    addresses_ = ", ".join(
        f'"{address}"' for spec in PROVIDERS.values() for address in addresses(spec)
    )
    return f"""provider_installation {{
  filesystem_mirror {{
    path    = "{mirror_dir}"
    include = [{addresses_}]
  }}
  direct {{
    exclude = [{addresses_}]
  }}
}}
"""


def write_cli_config(path: Path, mirror_dir: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(cli_config_text(mirror_dir))
    return path

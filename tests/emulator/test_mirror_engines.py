"""Both engines reach the emulator: Terraform resolves `oracle/oci` at registry.terraform.io,
OpenTofu at registry.opentofu.org, so the mirror, the CLI config and TF_REATTACH_PROVIDERS name
both hosts (oci_emulator.mirror)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import pytest
from oci_emulator.harness import write_root
from oci_emulator.mirror import REGISTRY_HOSTS, reattach_for_every_host
from oci_emulator.schema import OCI, PROVIDERS

REPO = Path(__file__).resolve().parents[2]
# Engine -> (binary, registry host it resolves `oracle/oci` to).
ENGINES = {
    "terraform": ("terraform", "registry.terraform.io"),
    "opentofu": ("tofu", "registry.opentofu.org"),
}
MAIN_TF = """
variable "compartment_id" { type = string }
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
}
resource "random_string" "s" { length = 5 }
resource "time_sleep" "w" { create_duration = "1s" }
resource "time_static" "t" { triggers = { slept = time_sleep.w.id } }
output "vcn_id" { value = oci_core_vcn.vcn.id }
output "slept_at" { value = time_sleep.w.id }
output "static_unix" { value = time_static.t.unix }
"""


def _binary(name: str) -> str:
    """The project's build (.tools/bin, scripts/install-tools), else PATH's."""
    built = REPO / ".tools" / "bin" / name
    found = str(built) if built.is_file() else shutil.which(name)
    assert found, f"{name} not found: run ./scripts/setup --tools"
    return found


def _run(engine: str, root: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [_binary(ENGINES[engine][0]), *args, "-no-color"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _lock_hashes(root: Path, host: str) -> dict[str, list[str]]:
    lock = (root / ".terraform.lock.hcl").read_text()
    hashes = {}
    for spec in PROVIDERS.values():
        block = re.search(rf'provider "{host}/{spec.source}" {{(.*?)\n}}', lock, re.S)
        assert block, lock
        hashes[spec.source] = re.findall(r'"(h1:[^"]+)"', block.group(1))
    return hashes


def test_reattach_value_names_every_provider_on_every_host() -> None:
    served = {OCI.address: {"Addr": {"Network": "unix", "String": "/tmp/oci.sock"}}}
    extended = reattach_for_every_host(served)
    assert set(extended) == {f"{host}/{OCI.source}" for host in REGISTRY_HOSTS}
    assert all(config is served[OCI.address] for config in extended.values())


def test_both_engines_install_the_same_launcher_from_the_mirror(oci_cloud_factory, tmp_path):
    """`init` through the filesystem mirror works for both engines, each under its own
    registry host, and both lock files hold the same hashes (the launcher never varies)."""
    cloud = oci_cloud_factory("mirror-cloud", mode="mirror")
    hashes = {}
    for engine, (_, host) in ENGINES.items():
        root = write_root(tmp_path / engine, MAIN_TF)
        _run(engine, root, cloud.env, "init", "-input=false")
        installed = root / ".terraform/providers" / host / OCI.source / OCI.version
        assert list(installed.glob("*/terraform-provider-oci_v*")), installed
        hashes[engine] = _lock_hashes(root, host)
        _run(
            engine,
            root,
            cloud.env,
            "apply",
            "-auto-approve",
            f"-var=compartment_id={cloud.tenancy_id}",
        )
    assert hashes["terraform"] == hashes["opentofu"]
    assert len(cloud.resources("oci_core_vcn")) == len(ENGINES)


@pytest.mark.parametrize("engine", list(ENGINES))
def test_engine_attaches_to_the_running_emulator(oci_cloud, tmp_path, engine):
    """Reattach mode: the engine uses the long-running emulator, installs nothing and writes no
    lock file (TF_REATTACH_PROVIDERS keys its host's addresses)."""
    keys = set(json.loads(oci_cloud.env["TF_REATTACH_PROVIDERS"]))
    assert {f"{ENGINES[engine][1]}/{source}" for source in PROVIDERS} <= keys
    root = write_root(tmp_path / engine, MAIN_TF)
    env = dict(oci_cloud.env)
    env.pop("TF_CLI_CONFIG_FILE")  # no mirror: only the reattached providers can serve
    _run(engine, root, env, "init", "-input=false")
    assert not (root / ".terraform.lock.hcl").exists()
    _run(engine, root, env, "apply", "-auto-approve", f"-var=compartment_id={oci_cloud.tenancy_id}")
    (vcn,) = oci_cloud.resources("oci_core_vcn")
    outputs = json.loads(_run(engine, root, env, "output", "-json"))
    assert outputs["vcn_id"]["value"] == vcn["id"]
    # hashicorp/time through this engine: time_static is stamped after time_sleep's 1 s.
    slept_at = datetime.fromisoformat(outputs["slept_at"]["value"])
    assert outputs["static_unix"]["value"] >= int(slept_at.timestamp())

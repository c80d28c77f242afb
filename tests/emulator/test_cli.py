"""`oci-emulator` CLI: the schema cut (the registry download cannot run offline), mirror, usage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from oci_emulator.schema import OCI, load_provider_schema

FULL_SCHEMA = Path(os.environ["OCI_EMULATOR_SCHEMA_DIR"]) / f"{OCI.file_stem}.json"


def _cli(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "oci_emulator", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def _cut_oci_schema(types, *extra):
    return _cli(
        "schema",
        "--provider",
        OCI.source,
        "--version",
        OCI.version,
        "--types",
        types,
        "--from-file",
        str(FULL_SCHEMA),
        *extra,
    )


def test_schema_cut_keeps_exactly_the_named_types(tmp_path):
    out = tmp_path / FULL_SCHEMA.name
    run = _cut_oci_schema(
        "oci_core_vcn,oci_identity_availability_domains,oci_core_subnet", "-o", str(out)
    )
    assert run.returncode == 0, run.stderr
    doc = json.loads(out.read_text())
    entry = doc["provider_schemas"]["registry.terraform.io/oracle/oci"]
    original = json.loads(FULL_SCHEMA.read_text())
    full = original["provider_schemas"]["registry.terraform.io/oracle/oci"]
    assert set(entry["resource_schemas"]) == {"oci_core_vcn", "oci_core_subnet"}
    # A name that is both a resource and a data source selects both.
    assert set(entry["data_source_schemas"]) == {
        "oci_core_vcn",
        "oci_core_subnet",
        "oci_identity_availability_domains",
    }
    assert entry["resource_schemas"]["oci_core_vcn"] == full["resource_schemas"]["oci_core_vcn"]
    assert entry["provider"] == full["provider"]
    # The result is a schema directory the emulator can serve.
    loaded = load_provider_schema("oracle/oci", str(tmp_path))
    assert set(loaded.resources) == {"oci_core_vcn", "oci_core_subnet"}


def test_schema_cut_rejects_unknown_type_names():
    run = _cut_oci_schema("oci_core_vcn,oci_core_vnc")
    assert run.returncode == 2
    assert "not a resource or data source of registry.terraform.io/oracle/oci: oci_core_vnc" in (
        run.stderr
    )


def test_schema_rejects_a_malformed_provider_name():
    run = _cli("schema", "--provider", "oci", "--version", "1", "--types", "x", "--from-file", "x")
    assert run.returncode == 2
    assert "--provider must be NAMESPACE/NAME (e.g. oracle/oci), got 'oci'" in run.stderr


def test_mirror_command_writes_mirror_and_cli_config(tmp_path):
    run = _cli("mirror", str(tmp_path))
    assert run.returncode == 0, run.stderr
    config = tmp_path / "terraform.rc"
    assert f"export TF_CLI_CONFIG_FILE={config}" in run.stdout
    text = config.read_text()
    assert f'path    = "{tmp_path / "mirror"}"' in text
    launchers = sorted(
        p.relative_to(tmp_path / "mirror").parts[0] + ":" + p.name
        for p in (tmp_path / "mirror").rglob("terraform-provider-*")
    )
    # Both providers under Terraform's and OpenTofu's registry hosts (mirror.py).
    assert launchers == [
        f"{host}:terraform-provider-{name}"
        for host in ("registry.opentofu.org", "registry.terraform.io")
        for name in ("oci_v8.28.0", "random_v3.9.0", "time_v0.14.0")
    ]


def test_plugin_without_terraform_explains_itself():
    run = subprocess.run(
        [sys.executable, "-m", "oci_emulator.plugin"], capture_output=True, text=True, check=False
    )
    assert run.returncode == 2
    assert run.stdout == ""
    assert "Terraform starts it itself" in run.stderr


def test_serve_rejects_an_unknown_home_region():
    run = _cli("serve", "--home-region", "mars-north-1")
    assert run.returncode == 2
    assert "--home-region 'mars-north-1' is not a known OCI region" in run.stderr

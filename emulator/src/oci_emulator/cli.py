"""`oci-emulator` command line: schema files, a provider mirror, a long-running server."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from oci_emulator.envvars import (
    DAEMON_ENV,
    HOME_REGION_ENV,
    PYTHON_ENV,
    SCHEMA_DIR_ENV,
    STATE_DIR_ENV,
)


class CliError(Exception):
    pass


# --- schema ------------------------------------------------------------------------------------


def _strip_descriptions(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            k: _strip_descriptions(v)
            for k, v in node.items()
            if k not in ("description", "description_kind")
        }
    if isinstance(node, list):
        return [_strip_descriptions(v) for v in node]
    return node


def cut_schema(doc: dict[str, Any], address: str, types: list[str]) -> dict[str, Any]:
    """Keep one provider's config schema and the named resources / data sources.

    A name selects the resource and the data source of that name, whichever exist; a name
    that is neither is an error, so a typo cannot silently drop a type.
    """
    entry = doc.get("provider_schemas", {}).get(address)
    if entry is None:
        found = ", ".join(doc.get("provider_schemas", {})) or "none"
        raise CliError(f"the schema holds no provider {address} (it holds: {found})")
    resources = entry.get("resource_schemas", {})
    data_sources = entry.get("data_source_schemas", {})
    unknown = [t for t in types if t not in resources and t not in data_sources]
    if unknown:
        raise CliError(f"not a resource or data source of {address}: {', '.join(unknown)}")
    cut = {
        "provider": entry.get("provider", {"block": {}, "version": 0}),
        "resource_schemas": {t: resources[t] for t in types if t in resources},
        "data_source_schemas": {t: data_sources[t] for t in types if t in data_sources},
    }
    return {
        "format_version": doc.get("format_version", "1.0"),
        "provider_schemas": {address: _strip_descriptions(cut)},
    }


def fetch_schema(source: str, version: str, terraform: str = "terraform") -> dict[str, Any]:
    """`terraform providers schema -json` for one provider version, in a throwaway root.

    Needs the Terraform registry (or a mirror configured in the CLI config).
    """
    name = source.split("/")[-1]
    with tempfile.TemporaryDirectory(prefix="oci-emulator-schema-") as tmp:
        Path(tmp, "main.tf").write_text(
            "terraform {\n  required_providers {\n"
            f'    {name} = {{ source = "{source}", version = "= {version}" }}\n'
            "  }\n}\n"
        )
        for args in (["init", "-input=false", "-no-color"], ["providers", "schema", "-json"]):
            run = subprocess.run([terraform, *args], cwd=tmp, capture_output=True, text=True)
            if run.returncode != 0:
                raise CliError(f"terraform {' '.join(args)} failed:\n{run.stderr.strip()}")
        return json.loads(run.stdout)


def _cmd_schema(args: argparse.Namespace) -> None:
    source = args.provider
    if source.count("/") != 1:
        raise CliError(f"--provider must be NAMESPACE/NAME (e.g. oracle/oci), got {source!r}")
    types = [t.strip() for t in args.types.split(",") if t.strip()]
    if not types:
        raise CliError("--types needs at least one resource or data source name")
    if args.from_file:
        doc = json.loads(Path(args.from_file).read_text())
    else:
        if shutil.which(args.terraform) is None:
            raise CliError(f"terraform executable {args.terraform!r} not found on PATH")
        doc = fetch_schema(source, args.version, args.terraform)
    cut = cut_schema(doc, f"registry.terraform.io/{source}", types)
    text = json.dumps(cut, indent=1, sort_keys=True) + "\n"
    if args.output == "-":
        sys.stdout.write(text)
    else:
        Path(args.output).write_text(text)


# --- mirror / serve ----------------------------------------------------------------------------


def _cmd_mirror(args: argparse.Namespace) -> None:
    from oci_emulator.mirror import write_cli_config, write_mirror

    target = Path(args.directory).resolve()
    mirror = write_mirror(target / "mirror")
    config = write_cli_config(target / "terraform.rc", mirror)
    sys.stdout.write(
        f"export TF_CLI_CONFIG_FILE={config}\n"
        f"export {PYTHON_ENV}={sys.executable}\n"
        f"export {SCHEMA_DIR_ENV}=<directory with the provider schema files>\n"
        f"export {STATE_DIR_ENV}=<directory for the emulated cloud>\n"
    )


def _cmd_serve(args: argparse.Namespace) -> None:
    from oci_emulator.plugin import main as plugin_main

    if args.daemon:
        sys.stderr.write(
            f"Warm daemon for the mirror flow; export {DAEMON_ENV} as printed below (with "
            f"the same {STATE_DIR_ENV}) in the shell that runs terraform. Ctrl-C stops.\n"
        )
    else:
        sys.stderr.write(
            "Serving oracle/oci, hashicorp/random and hashicorp/time; set TF_REATTACH_PROVIDERS "
            "to the JSON line "
            "below in the shell that runs terraform. Ctrl-C stops.\n"
        )
    if args.home_region:
        from oci_emulator.store import known_region

        try:
            known_region("--home-region", args.home_region)
        except ValueError as exc:
            raise CliError(str(exc)) from None
        # Read by the Store the server opens, and by provider processes it serves (mirror).
        os.environ[HOME_REGION_ENV] = args.home_region
    state_dir = ["--state-dir", args.state_dir] if args.state_dir else []
    plugin_main(["--daemon" if args.daemon else "--reattach", *state_dir])


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="oci-emulator",
        description=(
            "Offline oracle/oci, hashicorp/random and hashicorp/time Terraform providers for tests."
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("schema", help="write a provider schema file cut to some types")
    p.add_argument("--provider", required=True, help="NAMESPACE/NAME, e.g. oracle/oci")
    p.add_argument("--version", required=True, help="exact provider version, e.g. 8.28.0")
    p.add_argument("--types", required=True, help="comma-separated resource/data source names")
    p.add_argument("-o", "--output", default="-", help="output file (default stdout)")
    p.add_argument(
        "--from-file",
        help="cut an existing `terraform providers schema -json` file instead of asking Terraform",
    )
    p.add_argument("--terraform", default="terraform", help="terraform executable")
    p.set_defaults(func=_cmd_schema)

    p = sub.add_parser("mirror", help="write a provider mirror + CLI config into DIRECTORY")
    p.add_argument("directory")
    p.set_defaults(func=_cmd_mirror)

    p = sub.add_parser("serve", help="run both providers for TF_REATTACH_PROVIDERS")
    p.add_argument("--state-dir", help=f"emulated cloud directory (default ${STATE_DIR_ENV})")
    p.add_argument(
        "--daemon",
        action="store_true",
        help="instead, keep warm servers for provider processes started from a mirror",
    )
    p.add_argument(
        "--home-region",
        help=f"the tenancy's home region, where IAM writes must go (default ${HOME_REGION_ENV}, "
        "else the cloud's region)",
    )
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser(
        "dataplane",
        help="run the emulated cloud's containers and gateways (needs a Docker engine)",
    )
    p.add_argument("action", choices=("start", "stop", "status", "run"))
    p.add_argument("--state-dir", help=f"emulated cloud directory (default ${STATE_DIR_ENV})")
    p.set_defaults(func=_cmd_dataplane)
    return parser


def _cmd_dataplane(args: argparse.Namespace) -> None:
    from oci_emulator.dataplane import daemon
    from oci_emulator.store import default_state_dir

    state_dir = Path(args.state_dir) if args.state_dir else default_state_dir()
    code = daemon.main([args.action, "--state-dir", str(state_dir)])
    if code:
        sys.exit(code)


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except CliError as exc:
        sys.stderr.write(f"oci-emulator: error: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()

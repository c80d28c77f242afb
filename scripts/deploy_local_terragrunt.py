"""deploy-local's Terragrunt form: `./scripts/deploy-local --terragrunt` (Terraform) or `--tofu`
(OpenTofu) applies live/local with real Terragrunt onto the emulated OCI cloud, the way the card
deploys an environment (`terragrunt run --all apply`), and brings it alive as the plain form does
(scripts/deploy_local.py, whose steps it calls): the data plane daemon, the Galley image under the
container's image_url, the wait for the endpoint, the local URL and client hints, --check's MCP
round trip, and --destroy leaving no container, listener or daemon. The outputs printed are the
plain form's, composed from the units' outputs (the token masked unless --show-token).

The tools are the pinned builds in .tools/bin (`scripts/setup --tools` makes them; the
scripts/deploy-local wrapper runs it for these two options).
State: the emulated cloud in .local/terragrunt-cloud, the units' state in
.local/terragrunt-state (root.hcl). Idempotent: a second run applies no change.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from deploy_local import (
    add_shared_options,
    build_image,
    planned_images,
    report_or_check,
    set_pace,
    start_data_plane,
    stop_data_plane,
)
from local_emulator import add_dynamic_group, require_schema_dir
from oci_emulator.harness import EmulatedCloud
from outputs_display import print_outputs

REPO_ROOT = Path(__file__).resolve().parent.parent
# scripts/install-tools' folder (GALLEY_TOOLS_DIR overrides it there and here).
TOOLS_BIN = Path(os.environ.get("GALLEY_TOOLS_DIR", REPO_ROOT / ".tools")) / "bin"
ENV_DIR = REPO_ROOT / "live" / "local"
UNITS = ("network", "iam", "image-repository", "object-storage", "service")
_SUMMARY = re.compile(r"\[([\w-]+)\] \S+: ((?:Apply|Destroy) complete!.*)$", re.MULTILINE)
_HOME_REGIONS = "data.oci_identity_regions.galley_home_region"
# deploy/'s local.mcp_path: the gateway route of Galley's MCP endpoint.
MCP_PATH = "/mcp"
_PLAN_FILE = "galley-deploy-local.tfplan"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="deploy-local --terragrunt|--tofu", description=__doc__)
    engine = parser.add_mutually_exclusive_group(required=True)
    engine.add_argument("--terragrunt", action="store_true", help="Terragrunt with Terraform")
    engine.add_argument("--tofu", action="store_true", help="Terragrunt with OpenTofu")
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".local" / "terragrunt-cloud")
    add_shared_options(parser)
    return parser.parse_args(argv)


def terragrunt(env: dict[str, str], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(TOOLS_BIN / "terragrunt"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        sys.stderr.write((result.stdout + result.stderr)[-8000:])
        raise SystemExit(f"terragrunt {' '.join(args[:3])} failed (exit {result.returncode})")
    return result


def unit_outputs(env: dict[str, str]) -> dict[str, dict[str, Any]]:
    """`terragrunt output -json` of every unit: unit -> name -> {value, sensitive}."""
    return {
        unit: json.loads(terragrunt(env, ENV_DIR / unit, "output", "-json").stdout)
        for unit in UNITS
    }


def home_region(env: dict[str, str]) -> str | None:
    """The region the iam unit's provider used: the tenancy's home region it looked up."""
    state = json.loads(terragrunt(env, ENV_DIR / "iam", "show", "-json").stdout)
    for resource in state.get("values", {}).get("root_module", {}).get("resources", []):
        if resource["address"] == _HOME_REGIONS and resource["values"].get("regions"):
            return resource["values"]["regions"][0]["name"]
    return None


def stack_outputs(units: dict[str, dict[str, Any]], home: str | None) -> dict[str, Any]:
    """The plain form's outputs (deploy/outputs.tf), from the units: name -> {value, sensitive}."""
    # The service unit holds the instance and the gateway (modules/service).
    service, storage, iam = units["service"], units["object-storage"], units["iam"]

    def plain(output: dict[str, Any]) -> dict[str, Any]:
        return {"value": output["value"], "sensitive": bool(output.get("sensitive"))}

    def secret(value: Any) -> dict[str, Any]:
        return {"value": value, "sensitive": True}

    mcp_url = f"{service['endpoint_base_url']['value']}{MCP_PATH}"
    query = service["token_query_parameter"]["value"]
    tokens = service["url_tokens"]["value"]
    return {
        "mcp_url": {"value": mcp_url, "sensitive": False},
        "mcp_endpoint_url": secret(f"{mcp_url}?{query}={service['url_token']['value']}"),
        "authorization_header": secret(f"Bearer {service['url_token']['value']}"),
        "mcp_endpoint_urls": secret(
            {
                name: {
                    "url": f"{mcp_url}?{query}={token}",
                    "authorization_header": f"Bearer {token}",
                }
                for name, token in tokens.items()
            }
        ),
        "current_token_name": plain(service["current_token_name"]),
        "token_transport": plain(service["token_transport"]),
        "api_gateway_hostname": plain(service["hostname"]),
        "public_hostname": plain(service["public_hostname"]),
        "url_token": plain(service["url_token"]),
        "object_storage_bucket": plain(storage["bucket_name"]),
        "object_storage_namespace": plain(storage["bucket_namespace"]),
        "container_instance_id": plain(service["container_instance_id"]),
        "backend_url": plain(service["backend_url"]),
        "policy_name": plain(iam["policy_name"]),
        "dynamic_group_matching_rule": plain(iam["dynamic_group_matching_rule"]),
        "home_region": {"value": home, "sensitive": False},
        # The image-repository unit (create_image_repository in env.hcl; deploy/'s flag).
        "image_repository_id": plain(
            units["image-repository"].get("repository_id", {"value": None})
        ),
    }


def planned_instance_images(env: dict[str, str], engine: str) -> list[str]:
    """The service unit's image_url(s), from its plan (the same reading of the plan as
    the plain form's): the data plane runs only images that are in the local Docker engine, so the
    image is built before the apply. Before the first apply the plan sees the mock outputs."""
    unit = ENV_DIR / "service"
    terragrunt(env, unit, "plan", "-input=false", f"-out={_PLAN_FILE}")
    # Terragrunt plans in the unit's cache (.terragrunt-cache/<hash>/<hash>/<module>/), where the
    # engine finds the providers `show` needs to read the plan.
    plans = sorted(unit.glob(f".terragrunt-cache/**/{_PLAN_FILE}"), key=lambda p: p.stat().st_mtime)
    if not plans:
        raise SystemExit(f"deploy-local: terragrunt plan in {unit} left no {_PLAN_FILE}")
    shown = subprocess.run(
        [env["TG_TF_PATH"], "show", "-json", _PLAN_FILE],
        cwd=plans[-1].parent,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if shown.returncode != 0:
        sys.stderr.write(shown.stdout + shown.stderr)
        raise SystemExit(f"{engine} show -json {_PLAN_FILE} failed (exit {shown.returncode})")
    return planned_images(json.loads(shown.stdout))


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    engine = "terraform" if args.terragrunt else "tofu"
    require_schema_dir()
    for tool in ("terragrunt", *(["tofu"] if engine == "tofu" else [])):
        if not (TOOLS_BIN / tool).is_file():
            raise SystemExit(
                f"deploy-local: {TOOLS_BIN / tool} is missing: run scripts/setup --tools"
            )
    engine_path = str(TOOLS_BIN / engine) if engine == "tofu" else shutil.which("terraform")
    if engine_path is None:
        raise SystemExit("terraform is not on PATH: install Terraform >= 1.5 first, or use --tofu")
    state_dir = args.state_dir.resolve()
    set_pace(args.pace)
    with EmulatedCloud(state_dir, mode=args.mode) as cloud:
        env = dict(cloud.env)
        env.update(
            {
                "PATH": f"{TOOLS_BIN}{os.pathsep}{env.get('PATH', '')}",
                # The documented engine switch (live/README.md, "Engines"): one engine for the
                # units and for the dependency outputs read between them.
                "TG_TF_PATH": engine_path,
                "TG_NON_INTERACTIVE": "true",
                "TG_NO_COLOR": "true",
            }
        )
        action = "destroy" if args.destroy else "apply"
        if not args.destroy:
            add_dynamic_group(cloud, ENV_DIR / "env.hcl")
        client = None if args.destroy else start_data_plane(args, state_dir)
        if client is not None:
            images = planned_instance_images(env, engine)
            if images:
                build_image(client, images)
        print(
            f"terragrunt run --all {action} in {ENV_DIR} with {engine} "
            f"(cloud state: {cloud.state_dir})",
            flush=True,
        )
        run = terragrunt(env, ENV_DIR, "run", "--all", "--", action)
        for unit, summary in _SUMMARY.findall(run.stdout + run.stderr):
            print(f"  {unit}: {summary}", flush=True)
        if not args.destroy:
            outputs = stack_outputs(unit_outputs(env), home_region(env))
    if args.destroy:
        stop_data_plane(state_dir)
        return 0
    print_outputs(outputs, show_sensitive=args.show_token)
    return report_or_check(args, client, state_dir, outputs)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

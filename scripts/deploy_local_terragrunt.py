"""deploy-local's Terragrunt form: `./scripts/deploy-local --terragrunt` (Terraform) or `--tofu`
(OpenTofu) applies live/local with real Terragrunt onto the emulated OCI cloud, the way the card
deploys an environment (`terragrunt run --all apply`), and prints the outputs the plain form
prints, composed from the units' outputs (the token masked unless --show-token).

The tools are the pinned builds in .tools/bin (`scripts/setup --tools` makes them; the
scripts/deploy-local wrapper runs it for these two options).
State: the emulated cloud in .local/terragrunt-cloud, the units' state in
.local/terragrunt-state (root.hcl). Resources are records only: the data plane that runs the
container is the plain form's. Idempotent: a second run applies no change.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from local_emulator import require_schema_dir
from oci_emulator.harness import EmulatedCloud
from outputs_display import print_outputs

REPO_ROOT = Path(__file__).resolve().parent.parent
# scripts/install-tools' folder (GALLEY_TOOLS_DIR overrides it there and here).
TOOLS_BIN = Path(os.environ.get("GALLEY_TOOLS_DIR", REPO_ROOT / ".tools")) / "bin"
ENV_DIR = REPO_ROOT / "live" / "local"
UNITS = ("network", "iam", "object-storage", "container-instance", "api-gateway")
ENGINES = {"--terragrunt": "terraform", "--tofu": "tofu"}
_SUMMARY = re.compile(r"\[([\w-]+)\] \S+: ((?:Apply|Destroy) complete!.*)$", re.MULTILINE)
_HOME_REGIONS = "data.oci_identity_regions.galley_home_region"


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="deploy-local --terragrunt|--tofu", description=__doc__)
    engine = parser.add_mutually_exclusive_group(required=True)
    engine.add_argument("--terragrunt", action="store_true", help="Terragrunt with Terraform")
    engine.add_argument("--tofu", action="store_true", help="Terragrunt with OpenTofu")
    parser.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".local" / "terragrunt-cloud")
    parser.add_argument("--show-token", action="store_true", help="print the token unmasked")
    parser.add_argument("--destroy", action="store_true", help="destroy what was deployed")
    parser.add_argument(
        "--mode",
        choices=("reattach", "mirror"),
        default="reattach",
        help="reattach: one long-running emulator (fast); mirror: the engine installs and starts "
        "the providers from a local filesystem mirror, as from the registry",
    )
    # The plain form's data-plane options: this form deploys records only.
    parser.add_argument("--no-data-plane", action="store_true", help="accepted; always the case")
    parser.add_argument("--check", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.check:
        parser.error(
            "--check needs the data plane, which this form does not start (it deploys records "
            "only): run scripts/deploy-local --check without --terragrunt/--tofu"
        )
    return args


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
    gateway, instance = units["api-gateway"], units["container-instance"]
    storage, iam = units["object-storage"], units["iam"]

    def plain(output: dict[str, Any]) -> dict[str, Any]:
        return {"value": output["value"], "sensitive": bool(output.get("sensitive"))}

    url = (
        f"{gateway['endpoint_base_url']['value']}/mcp?"
        f"{gateway['token_query_parameter']['value']}={instance['url_token']['value']}"
    )
    return {
        "mcp_endpoint_url": {"value": url, "sensitive": True},
        "api_gateway_hostname": plain(gateway["hostname"]),
        "url_token": plain(instance["url_token"]),
        "object_storage_bucket": plain(storage["bucket_name"]),
        "object_storage_namespace": plain(storage["bucket_namespace"]),
        "container_instance_id": plain(instance["container_instance_id"]),
        "backend_url": plain(instance["backend_url"]),
        "policy_name": plain(iam["policy_name"]),
        "dynamic_group_matching_rule": plain(iam["dynamic_group_matching_rule"]),
        "home_region": {"value": home, "sensitive": False},
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    engine = "terraform" if args.terragrunt else "tofu"
    require_schema_dir()
    for tool in ("terragrunt", *(["tofu"] if engine == "tofu" else [])):
        if not (TOOLS_BIN / tool).is_file():
            raise SystemExit(
                f"deploy-local: {TOOLS_BIN / tool} is missing: run scripts/setup --tools"
            )
    engine_path = TOOLS_BIN / engine if engine == "tofu" else engine
    with EmulatedCloud(args.state_dir.resolve(), mode=args.mode) as cloud:
        env = dict(cloud.env)
        env.update(
            {
                "PATH": f"{TOOLS_BIN}{os.pathsep}{env.get('PATH', '')}",
                "TG_TF_PATH": str(engine_path),  # the documented engine switch (live/README.md)
                "TG_NON_INTERACTIVE": "true",
                "TG_NO_COLOR": "true",
            }
        )
        action = "destroy" if args.destroy else "apply"
        print(
            f"terragrunt run --all {action} in {ENV_DIR} with {engine} "
            f"(cloud state: {cloud.state_dir})",
            flush=True,
        )
        run = terragrunt(env, ENV_DIR, "run", "--all", "--", action)
        for unit, summary in _SUMMARY.findall(run.stdout + run.stderr):
            print(f"  {unit}: {summary}", flush=True)
        if args.destroy:
            return 0
        outputs = stack_outputs(unit_outputs(env), home_region(env))
    print_outputs(outputs, show_sensitive=args.show_token)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))

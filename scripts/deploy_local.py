"""Deploy deploy/ onto the emulated OCI cloud kept in .local/ (the Python half of deploy-local).

Terraform runs `init` and `apply -auto-approve` on a working copy of deploy/ and modules/ under
.local/deploy (so that deploy/ keeps no emulator lock file or state), with deploy/'s
terraform.tfvars.example as variables, then prints `terraform output` with the token masked.
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

from oci_emulator.harness import EmulatedCloud

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = REPO_ROOT / ".local"
# The provider schemas sit beside the checkout (as for the tests, see tests/conftest.py).
os.environ.setdefault(
    "OCI_EMULATOR_SCHEMA_DIR", str(REPO_ROOT.parent / "shared" / "provider-schemas")
)
_SUMMARY = re.compile(r"^(Apply|Destroy) complete!.*$", re.MULTILINE)
_TOKEN_IN_URL = re.compile(r"(token=)[^&\s]+")


def sync_sources(work_dir: Path) -> Path:
    """Copy the Terraform sources into work_dir (state and .terraform there are kept)."""
    for name in ("deploy", "modules"):
        source, target = REPO_ROOT / name, work_dir / name
        for path in source.rglob("*"):
            relative = path.relative_to(source)
            if ".terraform" in relative.parts or path.name.endswith(".tfstate"):
                continue
            if path.is_file():
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / relative)
    root_dir = work_dir / "deploy"
    shutil.copy2(root_dir / "terraform.tfvars.example", root_dir / "terraform.tfvars")
    return root_dir


def terraform(root_dir: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["terraform", *args], cwd=root_dir, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"terraform {args[0]} failed (exit {result.returncode})")
    return result.stdout


def masked(value: object) -> object:
    """A sensitive output for display: a URL keeps all but its token, anything else is hidden."""
    if isinstance(value, str) and _TOKEN_IN_URL.search(value):
        return _TOKEN_IN_URL.sub(r"\1********", value)
    return "********"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", type=Path, default=LOCAL_DIR / "cloud")
    parser.add_argument("--work-dir", type=Path, default=LOCAL_DIR / "deploy")
    parser.add_argument("--show-token", action="store_true", help="print the token unmasked")
    parser.add_argument("--destroy", action="store_true", help="destroy what was deployed")
    parser.add_argument(
        "--mode",
        choices=("reattach", "mirror"),
        default="reattach",
        help="reattach: one long-running emulator (fast); mirror: terraform installs and starts "
        "the providers from a local filesystem mirror, as from the registry",
    )
    args = parser.parse_args(argv)
    if shutil.which("terraform") is None:
        raise SystemExit("terraform is not on PATH: install Terraform >= 1.5 first")
    schemas = Path(os.environ["OCI_EMULATOR_SCHEMA_DIR"])
    if not schemas.is_dir():
        raise SystemExit(
            f"deploy-local: provider schema directory {schemas} not found; set "
            "OCI_EMULATOR_SCHEMA_DIR to a folder of provider schema JSON files "
            "(`uv run oci-emulator schema --help` makes them)"
        )

    root_dir = sync_sources(args.work_dir.resolve())
    with EmulatedCloud(args.state_dir, mode=args.mode) as cloud:
        terraform(root_dir, cloud.env, "init", "-input=false", "-no-color")
        action = "destroy" if args.destroy else "apply"
        print(f"terraform {action} in {root_dir} (cloud state: {cloud.state_dir})", flush=True)
        log = terraform(root_dir, cloud.env, action, "-auto-approve", "-input=false", "-no-color")
        summary = _SUMMARY.search(log)
        print(summary.group(0) if summary else log[-2000:], flush=True)
        if args.destroy:
            return 0
        outputs = json.loads(terraform(root_dir, cloud.env, "output", "-json"))
    for name, output in sorted(outputs.items()):
        value = output["value"]
        if output.get("sensitive") and not args.show_token:
            value = masked(value)
        print(f"{name} = {json.dumps(value)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

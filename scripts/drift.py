"""Drift detection (the Python half of scripts/drift): does the cloud still match the code?

For a Terraform root (`--root deploy`) it runs `terraform init` and one ordinary `terraform plan
-json -detailed-exitcode` there; for a Terragrunt environment (`--env live/dev`) one `terragrunt
plan` of the same form in each unit. A plan refreshes every resource from the cloud, then
compares it with the code, so it sees both what was changed behind Terraform's back and what an
apply would change. From the plan's machine-readable stream it lists, per root or unit:

- changed outside Terraform: the `resource_drift` entries (an object in the cloud no longer
  matches the state: an ingress rule added in the console, a resource deleted);
- an apply would change: the `planned_change` entries (what `apply` would do: undo that drift,
  or apply code not applied yet);
- outputs an apply would change.

Drift the code does not care about (an attribute under `ignore_changes`) may be listed under the
first heading without changing the exit status, which is the plan's own.

Exit status: 0 when no plan has changes (the cloud matches the code), 2 when one has (the lists
say where), 1 on an error (a bad argument, a plan that fails). Several units aggregate as
`terragrunt run --all plan -- -detailed-exitcode` does: 1 if a unit failed, else 2 if a unit has
changes, else 0. It changes nothing and writes no plan file (no token lands on disk); it runs
with whatever credentials the engine finds (~/.oci/config, or the emulator's environment).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

EXIT_MATCHES, EXIT_ERROR, EXIT_DRIFT = 0, 1, 2
PLAN_ARGS = ("plan", "-json", "-detailed-exitcode", "-input=false")


class ArgumentParser(argparse.ArgumentParser):
    """argparse exits 2 on a bad argument, which here means drift: exit 1 instead."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"drift: error: {message}\n")


@dataclass
class Report:
    """One plan's findings: addresses with their actions, and the errors if it failed."""

    name: str
    status: int = EXIT_MATCHES
    drifted: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    outputs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    left_out: bool = False  # an exclude block keeps the unit out of plans: nothing to compare


def parse_plan(name: str, returncode: int, stdout: str, stderr: str) -> Report:
    """A Report from `plan -json -detailed-exitcode` output (Terraform's and OpenTofu's
    machine-readable UI: one JSON message a line)."""
    report = Report(name, returncode if returncode in (0, 1, 2) else EXIT_ERROR)
    for line in stdout.splitlines():
        message = _json_line(line)
        kind = message.get("type")
        change = message.get("change") or {}
        entry = f"{change.get('resource', {}).get('addr')} ({change.get('action')})"
        if kind == "resource_drift":
            report.drifted.append(entry)
        elif kind == "planned_change" and change.get("action") != "noop":
            report.pending.append(entry)
        elif kind == "outputs":
            outputs = message.get("outputs") or {}
            report.outputs += [f"{k} ({v['action']})" for k, v in outputs.items() if _changed(v)]
        elif kind == "diagnostic" and message.get("diagnostic", {}).get("severity") == "error":
            diagnostic = message["diagnostic"]
            report.errors.append(f"{diagnostic['summary']}: {diagnostic.get('detail', '')}")
    if report.status == EXIT_ERROR and not report.errors:
        report.errors.append((stderr.strip() or stdout.strip())[-4000:] or f"exit {returncode}")
    return report


def _json_line(line: str) -> dict[str, Any]:
    """A message of the JSON stream; {} for other lines (Terragrunt's own, engine banners)."""
    if not line.startswith("{"):
        return {}
    try:
        message = json.loads(line)
    except json.JSONDecodeError:
        return {}
    return message if isinstance(message, dict) else {}


def _changed(output: Any) -> bool:
    return isinstance(output, dict) and output.get("action", "noop") != "noop"


def run(command: list[str], cwd: Path, env: dict[str, str], timeout: float) -> tuple[int, str, str]:
    try:
        done = subprocess.run(
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return EXIT_ERROR, "", f"`{' '.join(command)}` did not finish in {timeout:g} s"
    return done.returncode, done.stdout, done.stderr


def check_root(root: Path, engine: str, env: dict[str, str], timeout: float) -> list[Report]:
    code, out, err = run([engine, "init", "-input=false", "-no-color"], root, env, timeout)
    if code != 0:
        return [Report(root.name, EXIT_ERROR, errors=[f"{engine} init failed:\n{out}{err}"])]
    return [parse_plan(root.name, *run([engine, *PLAN_ARGS], root, env, timeout))]


def check_env(env_dir: Path, engine: str, env: dict[str, str], timeout: float) -> list[Report]:
    terragrunt = _tool("terragrunt")
    env = {"TG_NON_INTERACTIVE": "true", "TG_NO_COLOR": "true", **env, "TG_TF_PATH": engine}
    code, out, err = run([terragrunt, "find", "--json", "--exclude"], env_dir, env, timeout)
    if code != 0:
        return [Report(env_dir.name, EXIT_ERROR, errors=[f"terragrunt find failed:\n{out}{err}"])]
    left_out = excluded_from_plan(json.loads(out or "[]"))
    return [
        Report(unit.name, left_out=True)
        if unit.name in left_out
        else parse_plan(unit.name, *run([terragrunt, *PLAN_ARGS], unit, env, timeout))
        for unit in units(env_dir)
    ]


def excluded_from_plan(found: list[dict[str, Any]]) -> set[str]:
    """Units whose exclude block applies to plan (`terragrunt find --json --exclude`), e.g.
    live/'s alarms unit with alarms_enabled = false: `run --all plan` skips them, and a plan of
    the unit alone would fail on inputs its environment leaves unset."""
    left_out: set[str] = set()
    for entry in found:
        exclude = entry.get("exclude") or {}
        actions = set(exclude.get("actions") or [])
        if exclude.get("if") is True and actions & {"all", "plan"}:
            left_out.add(Path(entry["path"]).name)
    return left_out


def units(env_dir: Path) -> list[Path]:
    return sorted(path.parent for path in env_dir.glob("*/terragrunt.hcl"))


def _tool(name: str, option: str = "") -> str:
    found = shutil.which(name)
    if found is None:
        where = f"{option} {name}" if option else name
        raise SystemExit(f"drift: {where}: not found on PATH (scripts/drift puts .tools/bin first)")
    return found


def print_reports(reports: list[Report], where: str) -> int:
    status = max((r.status for r in reports), default=EXIT_MATCHES)
    status = EXIT_ERROR if any(r.status == EXIT_ERROR for r in reports) else status
    for report in reports:
        verdict = {EXIT_MATCHES: "matches the code", EXIT_DRIFT: "differs from the code"}
        if report.left_out:
            print(f"{report.name}: left out by its exclude block (not planned)")
            continue
        print(f"{report.name}: {verdict.get(report.status, 'plan failed')}")
        for title, lines in (
            ("changed outside Terraform", report.drifted),
            ("an apply would change", report.pending),
            ("outputs an apply would change", report.outputs),
            ("errors", report.errors),
        ):
            if lines:
                print(f"  {title}:")
                print("\n".join(f"    {line}" for line in lines))
    summary = {
        EXIT_MATCHES: "the cloud matches the code",
        EXIT_DRIFT: "the cloud differs from the code; a `plan` there shows how",
        EXIT_ERROR: "a plan failed; drift unknown",
    }
    print(f"drift: {where}: {summary[status]} (exit {status})")
    return status


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = ArgumentParser(
        prog="drift",
        description="Plan without applying and report what differs between the cloud and the "
        "code. Exit 0: no changes; 2: changes (listed); 1: error.",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--root", type=Path, help="a Terraform root, e.g. deploy")
    where.add_argument("--env", type=Path, help="a Terragrunt environment, e.g. live/dev")
    parser.add_argument(
        "--tf-path",
        default=os.environ.get("TG_TF_PATH") or "terraform",
        help="the engine: terraform (default, or $TG_TF_PATH) or tofu",
    )
    parser.add_argument(
        "--timeout", type=float, default=1800, help="seconds per plan (default 1800)"
    )
    args = parser.parse_args(argv)
    directory: Path = args.root or args.env
    option = "--root" if args.root else "--env"
    if not directory.is_dir():
        parser.error(f"{option} {directory}: no such directory")
    if args.root and (directory / "terragrunt.hcl").is_file():
        parser.error(f"--root {directory}: a Terragrunt unit; give its environment with --env")
    if args.root and not [*directory.glob("*.tf"), *directory.glob("*.tf.json")]:
        parser.error(f"--root {directory}: not a Terraform root (no *.tf files in it)")
    if args.env and not units(directory):
        parser.error(
            f"--env {directory}: not a Terragrunt environment (no <unit>/terragrunt.hcl in it)"
        )
    if args.timeout <= 0:
        parser.error(f"--timeout {args.timeout:g}: must be above 0")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        engine = _tool(args.tf_path, "--tf-path")
        env = dict(os.environ)
        if args.root:
            reports = check_root(args.root.resolve(), engine, env, args.timeout)
        else:
            reports = check_env(args.env.resolve(), engine, env, args.timeout)
    except SystemExit as stop:
        print(stop.code, file=sys.stderr)
        return EXIT_ERROR
    return print_reports(reports, str(args.root or args.env))


if __name__ == "__main__":
    sys.exit(main())

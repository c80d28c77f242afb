"""What `terragrunt run --all <command>` does to one environment, done with Terraform alone.

For machines without Terragrunt: each unit's module is copied into a working folder below the
unit (as Terragrunt's .terragrunt-cache), the root's generate blocks are written beside it,
inputs become TF_VAR_* variables (nulls go to an .auto.tfvars.json file, as Terragrunt does),
and units run in the order of their `dependency` blocks and `dependencies.paths` (reverse order
for destroy). Dependencies that were applied give their real outputs; otherwise their mocks,
which only validate and plan may use.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from graphlib import TopologicalSorter
from pathlib import Path
from typing import Any

from terragrunt_model import MissingOutput, UnitConfig, load_unit

NULL_VARS_FILE = "terragrunt-null-vars.auto.tfvars.json"


class RunError(Exception):
    """A Terraform command failed in a unit; carries its output."""


@dataclass
class EnvRun:
    env_dir: Path
    base_env: Mapping[str, str]
    outputs: dict[Path, dict[str, Any]] = field(default_factory=dict)
    work_dirs: dict[Path, Path] = field(default_factory=dict)
    # Replace the generated backend by local state in the working folder: lets `plan` run for
    # environments whose real backend (oci, s3) is out of reach here.
    local_backend: bool = False

    def graph(self) -> dict[Path, set[Path]]:
        """Each unit folder -> the unit folders applied before it (`dependency` blocks and
        `dependencies.paths`, as Terragrunt orders `run --all`)."""
        units = {
            p.parent.resolve(): load_unit(p.parent) for p in self.env_dir.glob("*/terragrunt.hcl")
        }
        return {d: set(u.ordering_dirs()) for d, u in units.items()}

    def order(self) -> list[Path]:
        return list(TopologicalSorter(self.graph()).static_order())

    def assemble(self, unit_dir: Path, command: str) -> tuple[Path, dict[str, str]]:
        unit = load_unit(unit_dir, self.outputs)
        _refuse_mocks(unit, command, self.outputs)
        work = unit_dir / ".terragrunt-cache" / "run"
        work.mkdir(parents=True, exist_ok=True)
        module = Path(str(unit.source).replace("//", "/"))
        for tf in module.glob("*.tf"):
            shutil.copy2(tf, work / tf.name)
        for name, gen in unit.generate.items():
            contents = gen["contents"]
            if name == "backend" and self.local_backend:
                contents = json.dumps({"terraform": {"backend": {"local": {}}}})
            (work / gen["path"]).write_text(contents)
        env = dict(self.base_env)
        nulls = {}
        for key, value in unit.inputs.items():
            if value is None:
                nulls[key] = None
            else:
                env[f"TF_VAR_{key}"] = value if isinstance(value, str) else json.dumps(value)
        (work / NULL_VARS_FILE).write_text(json.dumps(nulls))
        self.work_dirs[unit_dir] = work
        return work, env

    def terraform(self, work: Path, env: Mapping[str, str], *args: str) -> str:
        result = subprocess.run(
            ["terraform", *args, "-no-color"],
            cwd=work,
            env=dict(env),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RunError(f"{work}: terraform {args[0]} failed:\n{result.stdout}{result.stderr}")
        return result.stdout

    def run(self, command: str) -> None:
        """`command` is validate, plan, apply or destroy."""
        order = self.order()
        if command == "destroy":
            order.reverse()
        for unit_dir in order:
            work, env = self.assemble(unit_dir, command)
            init = ["init", "-input=false"] + (["-backend=false"] if command == "validate" else [])
            self.terraform(work, env, *init)
            if command == "validate":
                self.terraform(work, env, "validate")
            elif command == "plan":
                self.terraform(work, env, "plan", "-input=false", "-lock=false")
            else:
                self.terraform(work, env, command, "-auto-approve", "-input=false")
                if command == "apply":
                    raw = json.loads(self.terraform(work, env, "output", "-json"))
                    self.outputs[unit_dir] = {k: v["value"] for k, v in raw.items()}

    def output(self, unit: str, name: str) -> Any:
        return self.outputs[(self.env_dir / unit).resolve()][name]


def _refuse_mocks(unit: UnitConfig, command: str, applied: Mapping[Path, Any]) -> None:
    for name, dep in unit.dependencies.items():
        if unit.dependency_dir(name) in applied:
            continue
        if command not in (dep.allowed_commands or []):
            raise RunError(
                f"{unit.unit_dir}: dependency {name!r} is not applied and its mocks are not "
                f"allowed for {command!r}"
            )
    for value in unit.inputs.values():
        if isinstance(value, MissingOutput):
            raise RunError(f"{unit.unit_dir}: input from {value}")

"""The real Terragrunt, driven as a user drives it: render, find, hcl, run --all, output.

Every call runs the project's Terragrunt build (.tools/bin, scripts/install-tools) with the
engine chosen the documented way (TG_TF_PATH), and keeps what it printed so that tests can check
that no run warns of a deprecation.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))

from tf_support import ENGINES, TOOLS_BIN, tool_path

# `render` resolves `dependency` blocks by running `output` in every dependency; this experiment
# flag makes it use the mock outputs instead, which is what a fresh environment's plan sees.
RENDER_WITH_MOCKS = ("--experiment", "optional-dependency-outputs", "--no-dependency-outputs")
_TIMEOUT_S = 600
RENDERED = "terragrunt.rendered.json"
# A warning line of Terragrunt's log ("12:00:00.000 WARN   ..."), not a line of engine output,
# which Terragrunt prefixes with the unit and the engine ("STDOUT [iam] terraform: ...").
_ENGINE_LINE = re.compile(r"\[[\w-]+\] (terraform|tofu): ")
_TERRAGRUNT_WARNING = re.compile(r"^\S*\s*WARN\s+(?!.*\b(terraform|tofu): )")


class TerragruntError(Exception):
    """A Terragrunt command failed; the message ends with what it printed."""


@dataclass
class Result:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


@dataclass
class Terragrunt:
    """Terragrunt on one engine, in a base environment (os.environ or an emulated cloud's)."""

    base_env: dict[str, str] = field(default_factory=lambda: dict(os.environ))
    # None: no engine chosen (TG_TF_PATH unset), with both engines on PATH.
    engine: str | None = "terraform"
    extra_env: dict[str, str] = field(default_factory=dict)
    log: list[Result] = field(default_factory=list)

    def env(self) -> dict[str, str]:
        env = dict(self.base_env)
        env["PATH"] = f"{TOOLS_BIN}{os.pathsep}{env.get('PATH', '')}"
        # The one documented way to choose the engine (live/README.md, "Engines").
        env.pop("TG_TF_PATH", None)
        if self.engine is not None:
            env["TG_TF_PATH"] = tool_path(ENGINES[self.engine])
        env.update({"TG_NON_INTERACTIVE": "true", "TG_NO_COLOR": "true", "CHECKPOINT_DISABLE": "1"})
        env.update(self.extra_env)
        return env

    def run(self, cwd: Path, *args: str, check: bool = True) -> Result:
        command = [tool_path("terragrunt"), *args]
        completed = subprocess.run(
            command,
            cwd=cwd,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=_TIMEOUT_S,
            check=False,
        )
        result = Result(command, completed.returncode, completed.stdout, completed.stderr)
        self.log.append(result)
        if check and result.returncode != 0:
            raise TerragruntError(
                f"`terragrunt {' '.join(args)}` in {cwd} exited {result.returncode}:\n"
                f"{result.output[-6000:]}"
            )
        return result

    def render(self, unit_dir: Path) -> dict[str, Any]:
        """The unit's configuration as Terragrunt resolves it (includes, locals, functions,
        mock outputs), in Terragrunt's JSON rendering."""
        result = self.run(unit_dir, "render", "--json", *RENDER_WITH_MOCKS, "--log-level", "warn")
        return json.loads(result.stdout)

    def render_all(self, env_dir: Path) -> tuple[dict[str, dict[str, Any]], Result]:
        """render() of every unit below env_dir in one run (`render --all --write` writes
        terragrunt.rendered.json beside each unit, read and removed here): unit folder name ->
        rendering; a unit Terragrunt could not render is missing."""
        for stale in env_dir.glob(f"*/{RENDERED}"):
            stale.unlink()
        result = self.run(
            env_dir,
            "render", "--all", "--json", "--write", *RENDER_WITH_MOCKS, "--log-level", "error",
            check=False,
        )  # fmt: skip
        rendered = {}
        for path in sorted(env_dir.glob(f"*/{RENDERED}")):
            rendered[path.parent.name] = json.loads(path.read_text())
            path.unlink()
        return rendered, result

    def validate(self, env_dir: Path) -> list[dict[str, Any]]:
        """`hcl validate --json`: Terragrunt's diagnostics of every unit below env_dir (with
        mock outputs: a `dependency.X.outputs.Y` with no such mock is an error here)."""
        result = self.run(env_dir, "hcl", "validate", "--json", "--log-level", "error", check=False)
        return json.loads(result.stdout or "[]")

    def find(self, env_dir: Path) -> list[dict[str, Any]]:
        """`find --dag --json --dependencies`: the units in run order, each with the units it
        depends on (both `dependency` and `dependencies` blocks)."""
        result = self.run(env_dir, "find", "--dag", "--json", "--dependencies")
        return json.loads(result.stdout)

    def run_all(self, env_dir: Path, *tf_args: str, check: bool = True) -> Result:
        """`terragrunt run --all -- <tf_args>`, as the README's commands."""
        return self.run(env_dir, "run", "--all", "--", *tf_args, check=check)

    def output(self, unit_dir: Path) -> dict[str, Any]:
        """`terragrunt output -json` of one unit: name -> value (sensitive ones included)."""
        result = self.run(unit_dir, "output", "-json")
        return {name: out["value"] for name, out in json.loads(result.stdout).items()}

    def engines_run(self, result: Result) -> set[str]:
        """The engines whose output a run shows: Terragrunt prefixes each line of engine output
        with the unit and the engine's name ("[iam] tofu: ..."), dependency outputs included."""
        return set(_ENGINE_LINE.findall(result.output))

    def deprecations(self) -> list[str]:
        """Terragrunt's own warnings, in every run so far, of a deprecation (such as the root
        file named terragrunt.hcl, "an anti-pattern"); engine output is not Terragrunt's."""
        return [
            line.strip()
            for result in self.log
            for line in result.stderr.splitlines()
            if _TERRAGRUNT_WARNING.search(line)
            and re.search(r"deprecat|anti-pattern", line, re.IGNORECASE)
        ]

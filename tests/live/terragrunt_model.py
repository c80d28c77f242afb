"""Read a Terragrunt unit the way Terragrunt does: includes, locals, dependencies, merge.

Only what the contract tests need is modelled: terraform.source, inputs, dependency blocks,
the dependencies block (ordering only), generate blocks and terraform_version_constraint.
Includes are merged bottom-up, the unit's own config overriding later includes and later
includes overriding earlier ones, with Terragrunt's "shallow" (top-level input keys, blocks by
name) and "deep" (maps recursively, lists concatenated) strategies; `dependencies.paths` are
concatenated under both. Dependency outputs come from mock_outputs, as in `validate`/`plan`,
and every `dependency.X.outputs.Y` read is recorded.
"""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hcl_eval import TERRAFORM_FUNCTIONS, Evaluator, Function, HclEvalError, body_items, parse_file
from lark import Tree

UNIT_FILE = "terragrunt.hcl"


class MissingOutput(str):
    """Placeholder for an output that has no mock value."""


class TracedOutputs(Mapping[str, Any]):
    """`dependency.X.outputs`: serves mock values and records which outputs are read."""

    def __init__(self, dependency: str, mocks: Mapping[str, Any] | None, reads: set[str]) -> None:
        self.dependency = dependency
        self.mocks = dict(mocks or {})
        self.reads = reads

    def __getitem__(self, key: str) -> Any:
        self.reads.add(key)
        if key not in self.mocks:
            # Terragrunt's plan would stop here; the checker records the read and goes on so
            # that it can say whether the output exists at all (reported by the checks).
            return MissingOutput(f"<dependency.{self.dependency}.outputs.{key}: no mock>")
        return self.mocks[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.mocks)

    def __len__(self) -> int:
        return len(self.mocks)


@dataclass
class Dependency:
    name: str
    config_path: str
    mock_outputs: dict[str, Any] | None = None
    allowed_commands: list[str] | None = None
    reads: set[str] = field(default_factory=set)


@dataclass
class UnitConfig:
    """The merged configuration of one unit."""

    unit_dir: Path
    source: str | None = None
    inputs: dict[str, Any] = field(default_factory=dict)
    dependencies: dict[str, Dependency] = field(default_factory=dict)
    generate: dict[str, dict[str, Any]] = field(default_factory=dict)
    terraform_version_constraint: str | None = None
    include_strategies: dict[str, str] = field(default_factory=dict)
    # `dependencies { paths = [...] }`: units that must be applied first, outputs not read.
    dependency_paths: list[str] = field(default_factory=list)

    def dependency_dir(self, name: str) -> Path:
        return Path(os.path.normpath(self.unit_dir / self.dependencies[name].config_path))

    def ordering_dirs(self) -> dict[Path, str]:
        """Every unit that `run --all` applies before this one, with where it is declared.

        Terragrunt orders by both kinds: each `dependency` block's config_path and each path
        of the `dependencies` block.
        """
        dirs = {self.dependency_dir(name): f"dependency {name!r}" for name in self.dependencies}
        for path in self.dependency_paths:
            target = Path(os.path.normpath(self.unit_dir / path))
            dirs.setdefault(target, f"dependencies.paths {path!r}")
        return dirs


@dataclass
class _FileConfig:
    """What one file (unit or included) contributes before merging."""

    source: str | None = None
    inputs: dict[str, Any] | None = None
    dependencies: dict[str, Dependency] = field(default_factory=dict)
    generate: dict[str, dict[str, Any]] = field(default_factory=dict)
    terraform_version_constraint: str | None = None
    dependency_paths: list[str] | None = None


def find_in_parent_folders(start: Path, name: str) -> Path:
    """Terragrunt's find_in_parent_folders: first `name` above `start` (not in it)."""
    for folder in start.parents:
        candidate = folder / name
        if candidate.exists():
            return candidate
    raise HclEvalError(f"find_in_parent_folders: no {name} above {start}")


class _Locals(Mapping[str, Any]):
    """`local.*` of one file, evaluated on first use (locals may refer to each other)."""

    def __init__(self, expressions: dict[str, Tree], evaluator: Evaluator, path: Path) -> None:
        self.expressions = expressions
        self.evaluator = evaluator
        self.path = path
        self.values: dict[str, Any] = {}
        self.pending: set[str] = set()

    def __getitem__(self, key: str) -> Any:
        if key in self.values:
            return self.values[key]
        if key not in self.expressions:
            raise KeyError(key)
        if key in self.pending:
            raise HclEvalError(f"{self.path}: local.{key} refers to itself")
        self.pending.add(key)
        try:
            self.values[key] = self.evaluator.eval(self.expressions[key])
        finally:
            self.pending.discard(key)
        return self.values[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.expressions)

    def __len__(self) -> int:
        return len(self.expressions)

    def resolved(self) -> dict[str, Any]:
        return {key: self[key] for key in self.expressions}


class _Context:
    """Evaluation context of one file while a given unit is being read."""

    def __init__(self, unit_dir: Path, file_path: Path, parent_dir: Path) -> None:
        self.unit_dir = unit_dir
        self.file_path = file_path
        self.parent_dir = parent_dir
        self.variables: dict[str, Any] = {}
        functions: dict[str, Function] = dict(TERRAFORM_FUNCTIONS)
        functions.update(
            find_in_parent_folders=lambda name="terragrunt.hcl": str(
                find_in_parent_folders(unit_dir, name)
            ),
            get_terragrunt_dir=lambda: str(unit_dir),
            get_parent_terragrunt_dir=lambda *_: str(parent_dir),
            path_relative_to_include=lambda *_: os.path.relpath(unit_dir, parent_dir),
            path_relative_from_include=lambda *_: os.path.relpath(parent_dir, unit_dir),
            read_terragrunt_config=self._read_terragrunt_config,
            get_env=lambda name, *default: os.environ.get(name, *default),
        )
        self.evaluator = Evaluator(self.variables, functions)

    def _read_terragrunt_config(self, path: str) -> dict[str, Any]:
        # Terragrunt evaluates the file read in its own folder's context.
        target = Path(path)
        if not target.is_absolute():
            target = self.unit_dir / target
        target = Path(os.path.normpath(target))
        if not target.is_file():
            raise HclEvalError(f"read_terragrunt_config: {target} does not exist")
        _attributes, blocks = body_items(parse_file(target))
        ctx = _Context(target.parent, target, target.parent)
        local_exprs = _locals_of(blocks)
        ctx.variables["local"] = _Locals(local_exprs, ctx.evaluator, target)
        return {"locals": ctx.variables["local"].resolved()}


def _locals_of(blocks: list[tuple[str, list[str], Tree]]) -> dict[str, Tree]:
    exprs: dict[str, Tree] = {}
    for kind, _labels, body in blocks:
        if kind == "locals":
            exprs.update(body_items(body)[0])
    return exprs


def _deep_merge(target: Any, source: Any) -> Any:
    if isinstance(target, dict) and isinstance(source, dict):
        merged = dict(target)
        for key, value in source.items():
            merged[key] = _deep_merge(target[key], value) if key in target else value
        return merged
    if isinstance(target, list) and isinstance(source, list):
        return target + source
    return source


def _merge_dependency(target: Dependency, source: Dependency, deep: bool) -> Dependency:
    if not deep:
        return source
    return Dependency(
        name=source.name,
        config_path=source.config_path or target.config_path,
        mock_outputs=_deep_merge(target.mock_outputs, source.mock_outputs)
        if source.mock_outputs is not None
        else target.mock_outputs,
        allowed_commands=_deep_merge(target.allowed_commands, source.allowed_commands)
        if source.allowed_commands is not None
        else target.allowed_commands,
    )


def _merge(target: _FileConfig, source: _FileConfig, deep: bool) -> _FileConfig:
    """Merge `source` (the more specific config) over `target` (the included one)."""
    merged = copy.copy(target)
    merged.source = source.source or target.source
    merged.terraform_version_constraint = (
        source.terraform_version_constraint or target.terraform_version_constraint
    )
    merged.generate = {**target.generate, **source.generate}
    if source.dependency_paths is not None:
        # Concatenated under every strategy, shallow included (Terragrunt >= 0.35).
        base_paths = target.dependency_paths or []
        merged.dependency_paths = list(dict.fromkeys(base_paths + source.dependency_paths))
    dependencies = dict(target.dependencies)
    for name, dep in source.dependencies.items():
        dependencies[name] = (
            _merge_dependency(dependencies[name], dep, deep) if name in dependencies else dep
        )
    merged.dependencies = dependencies
    if source.inputs is not None:
        base = target.inputs or {}
        merged.inputs = _deep_merge(base, source.inputs) if deep else {**base, **source.inputs}
    return merged


@dataclass
class _ParsedFile:
    path: Path
    attributes: dict[str, Tree]
    blocks: list[tuple[str, list[str], Tree]]
    context: _Context


def _blocks(parsed: _ParsedFile, kind: str) -> list[tuple[list[str], dict[str, Tree]]]:
    return [(labels, body_items(body)[0]) for k, labels, body in parsed.blocks if k == kind]


def _read_dependencies(parsed: _ParsedFile) -> dict[str, Dependency]:
    deps: dict[str, Dependency] = {}
    ev = parsed.context.evaluator
    for labels, attrs in _blocks(parsed, "dependency"):
        name = labels[0]
        deps[name] = Dependency(
            name=name,
            config_path=ev.eval(attrs["config_path"]) if "config_path" in attrs else "",
            mock_outputs=ev.eval(attrs["mock_outputs"]) if "mock_outputs" in attrs else None,
            allowed_commands=ev.eval(attrs["mock_outputs_allowed_terraform_commands"])
            if "mock_outputs_allowed_terraform_commands" in attrs
            else None,
        )
    return deps


def _read_rest(parsed: _ParsedFile) -> _FileConfig:
    ev = parsed.context.evaluator
    config = _FileConfig()
    for _labels, attrs in _blocks(parsed, "terraform"):
        if "source" in attrs:
            config.source = ev.eval(attrs["source"])
    for labels, attrs in _blocks(parsed, "generate"):
        config.generate[labels[0]] = {key: ev.eval(expr) for key, expr in attrs.items()}
    ordering = _blocks(parsed, "dependencies")
    if len(ordering) > 1:
        raise HclEvalError(f"{parsed.path}: more than one dependencies block")
    for _labels, attrs in ordering:
        if "paths" not in attrs:
            raise HclEvalError(f"{parsed.path}: dependencies block without paths")
        paths = ev.eval(attrs["paths"])
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise HclEvalError(f"{parsed.path}: dependencies.paths must be a list of strings")
        config.dependency_paths = paths
    if "inputs" in parsed.attributes:
        config.inputs = ev.eval(parsed.attributes["inputs"])
    if "terraform_version_constraint" in parsed.attributes:
        config.terraform_version_constraint = ev.eval(
            parsed.attributes["terraform_version_constraint"]
        )
    return config


def _parse(unit_dir: Path, path: Path, parent_dir: Path) -> _ParsedFile:
    attributes, blocks = body_items(parse_file(path))
    ctx = _Context(unit_dir, path, parent_dir)
    ctx.variables["local"] = _Locals(_locals_of(blocks), ctx.evaluator, path)
    return _ParsedFile(path, attributes, blocks, ctx)


def load_unit(
    unit_dir: Path, applied: Mapping[Path, Mapping[str, Any]] | None = None
) -> UnitConfig:
    """Read `unit_dir/terragrunt.hcl` with its includes into one merged configuration.

    `applied` maps the folders of units already applied to their outputs: those replace the
    mocks, as Terragrunt reads a dependency's state when it has one.
    """
    unit_dir = unit_dir.resolve()
    unit = _parse(unit_dir, unit_dir / UNIT_FILE, unit_dir)
    includes: list[tuple[str, _ParsedFile, str]] = []
    for labels, attrs in _blocks(unit, "include"):
        label = labels[0] if labels else ""
        path = Path(unit.context.evaluator.eval(attrs["path"]))
        path = Path(os.path.normpath(path if path.is_absolute() else unit_dir / path))
        if not path.is_file():
            raise HclEvalError(f"{unit.path}: include {label!r} path {path} does not exist")
        strategy = (
            unit.context.evaluator.eval(attrs.get("merge_strategy"))
            if "merge_strategy" in attrs
            else "shallow"
        )
        if strategy not in {"shallow", "deep", "no_merge"}:
            raise HclEvalError(
                f"{unit.path}: include {label!r}: unknown merge_strategy {strategy!r}"
            )
        parsed = _parse(unit_dir, path, path.parent)
        if _blocks(parsed, "include"):
            raise HclEvalError(
                f"{path}: an included config may not include others (Terragrunt allows one level)"
            )
        includes.append((label, parsed, strategy))

    files = [unit, *(p for _label, p, strategy in includes if strategy != "no_merge")]
    # Dependency blocks are merged before any output is read, so that every file sees them all.
    dependencies = _read_dependencies(unit)
    for _label, parsed, strategy in reversed(includes):
        if strategy == "no_merge":
            continue
        for name, dep in _read_dependencies(parsed).items():
            dependencies[name] = (
                _merge_dependency(dep, dependencies[name], strategy == "deep")
                if name in dependencies
                else dep
            )
    outputs: dict[str, dict[str, TracedOutputs]] = {}
    for name, dep in dependencies.items():
        dep_dir = Path(os.path.normpath(unit_dir / dep.config_path))
        values = (applied or {}).get(dep_dir, dep.mock_outputs)
        outputs[name] = {"outputs": TracedOutputs(name, values, dep.reads)}
    for parsed in files:
        parsed.context.variables["dependency"] = outputs

    merged = _read_rest(unit)
    for _label, parsed, strategy in reversed(includes):
        if strategy != "no_merge":
            merged = _merge(_read_rest(parsed), merged, strategy == "deep")

    return UnitConfig(
        unit_dir=unit_dir,
        source=merged.source,
        inputs=merged.inputs or {},
        dependencies=dependencies,
        generate=merged.generate,
        terraform_version_constraint=merged.terraform_version_constraint,
        include_strategies={label: strategy for label, _p, strategy in includes},
        dependency_paths=merged.dependency_paths or [],
    )


def read_locals(path: Path) -> dict[str, Any]:
    """The locals of a plain locals-only file such as env.hcl."""
    _attributes, blocks = body_items(parse_file(path))
    ctx = _Context(path.parent, path, path.parent)
    ctx.variables["local"] = _Locals(_locals_of(blocks), ctx.evaluator, path)
    return ctx.variables["local"].resolved()

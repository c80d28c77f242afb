"""Contract checks of the Terragrunt live layer against the Terraform modules.

`check_live(repo)` returns a list of problems (empty = consistent); each names the file or unit,
the value and what was expected. The tests run it on the repository and on broken copies.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

from hcl_eval import Evaluator, HclEvalError, body_items, parse_file
from terragrunt_model import UnitConfig, load_unit, read_locals

UNITS = ("network", "object-storage", "iam", "container-instance", "api-gateway")
ENVIRONMENTS = ("dev", "prod", "local")
# Intended apply order, layer by layer (units in one layer may run in parallel).
ORDER = (
    frozenset({"network", "object-storage"}),
    frozenset({"iam"}),
    frozenset({"container-instance"}),
    frozenset({"api-gateway"}),
)
# Orderings that no output passes along, so only an explicit edge enforces them: unit -> units
# that must be applied before it, and why.
MUST_FOLLOW = {
    "container-instance": {
        "iam": "its image pull from OCIR is refused until iam's `read repos` policy exists",
    },
}
# Inputs that must come straight from env.hcl: unit -> {input: env.hcl local}.
ENV_INPUTS = {
    "iam": {
        "tenancy_id": "tenancy_id",
        "dynamic_group_id": "dynamic_group_id",
        "galley_work_compartment_id": "work_compartment_id",
        "policy_compartment_id": "policy_compartment_id",
        "image_repository_compartment_id": "image_repository_compartment_id",
    },
    "container-instance": {
        "region": "region",
        "image_namespace": "image_namespace",
        "image_tag": "image_tag",
        "ocpus": "container_ocpus",
        "memory_in_gbs": "container_memory_in_gbs",
    },
}
MOCK_COMMANDS_ALLOWED = frozenset({"validate", "plan"})
HOME_REGION_UNITS = frozenset({"iam"})
OCID = re.compile(r"^ocid1\.[a-z0-9]+\.oc[0-9]+\.[a-z0-9-]*\.[a-z0-9]{20,}$")
BACKEND_REQUIRED = {
    "local": ("path",),
    "oci": ("bucket", "namespace", "key", "region"),
    "s3": ("bucket", "key", "region", "endpoints"),
}
MIN_TERRAFORM = {"local": (1, 5), "s3": (1, 10), "oci": (1, 12)}
# What the committed environments may use; s3 stays in the root only as a documented fallback.
ENV_BACKENDS = frozenset({"oci", "local"})


@dataclass
class ModuleInterface:
    variables: dict[str, bool]  # name -> required (no default)
    outputs: set[str]
    provider_sources: dict[str, str]  # local name -> source address


def _tf_files(module_dir: Path) -> list[Path]:
    return sorted(module_dir.glob("*.tf"))


def read_module(module_dir: Path) -> ModuleInterface:
    """Variables, outputs and required_providers of a module, from all its .tf files."""
    variables: dict[str, bool] = {}
    outputs: set[str] = set()
    providers: dict[str, str] = {}
    literal = Evaluator({}, {})
    for path in _tf_files(module_dir):
        _attrs, blocks = body_items(parse_file(path))
        for kind, labels, body in blocks:
            if kind == "variable":
                variables[labels[0]] = "default" not in body_items(body)[0]
            elif kind == "output":
                outputs.add(labels[0])
            elif kind == "terraform":
                for sub_kind, _l, sub_body in body_items(body)[1]:
                    if sub_kind != "required_providers":
                        continue
                    for name, expr in body_items(sub_body)[0].items():
                        spec = literal.eval(expr)
                        providers[name] = spec.get("source", "") if isinstance(spec, dict) else ""
    return ModuleInterface(variables, outputs, providers)


def module_dir_of(unit: UnitConfig) -> Path | None:
    """The local directory a unit's terraform.source names (`dir//sub` is `dir/sub`)."""
    if not unit.source or "://" in unit.source or unit.source.startswith("git::"):
        return None
    path = Path(unit.source.replace("//", "/"))
    if not path.is_absolute():
        path = unit.unit_dir / path
    return Path(os.path.normpath(path))


def _version(constraint: str | None) -> tuple[int, ...] | None:
    match = re.fullmatch(r"\s*>=\s*(\d+)\.(\d+)(?:\.\d+)?\s*", constraint or "")
    return (int(match[1]), int(match[2])) if match else None


def load_env(env_dir: Path) -> tuple[dict[str, UnitConfig], list[str]]:
    units: dict[str, UnitConfig] = {}
    problems: list[str] = []
    for unit_file in sorted(env_dir.glob("*/terragrunt.hcl")):
        try:
            units[unit_file.parent.name] = load_unit(unit_file.parent)
        except HclEvalError as exc:
            problems.append(f"{unit_file}: cannot be read: {exc}")
    return units, problems


def _check_inputs(name: str, unit: UnitConfig, module: ModuleInterface) -> list[str]:
    problems = [
        f"{name}: input {key!r} is not a variable of module {unit.source} "
        f"(variables: {sorted(module.variables)})"
        for key in sorted(set(unit.inputs) - set(module.variables))
    ]
    problems += [
        f"{name}: required variable {var!r} of module {unit.source} is not provided"
        for var, required in sorted(module.variables.items())
        if required and var not in unit.inputs
    ]
    return problems


def _check_dependencies(
    name: str, unit: UnitConfig, modules: dict[str, ModuleInterface | None]
) -> list[str]:
    problems: list[str] = []
    for dep_name, dep in sorted(unit.dependencies.items()):
        where = f"{name}: dependency {dep_name!r}"
        target = unit.dependency_dir(dep_name)
        if not (target / "terragrunt.hcl").is_file():
            problems.append(f"{where}: config_path {dep.config_path!r} is not a unit ({target})")
            continue
        outputs = modules.get(target.name)
        if outputs is None:
            continue
        for key in sorted(dep.reads - outputs.outputs):
            problems.append(
                f"{where}: outputs.{key} is not an output of unit {target.name} "
                f"(outputs: {sorted(outputs.outputs)})"
            )
        if dep.mock_outputs is None:
            problems.append(f"{where}: no mock_outputs (validate/plan fail before it is applied)")
            continue
        for key in sorted(set(dep.mock_outputs) - outputs.outputs):
            problems.append(f"{where}: mock output {key!r} is not an output of unit {target.name}")
        for key in sorted(dep.reads - set(dep.mock_outputs)):
            problems.append(f"{where}: outputs.{key} is read but has no mock value")
        commands = set(dep.allowed_commands or [])
        if not dep.allowed_commands:
            problems.append(f"{where}: mock_outputs_allowed_terraform_commands is not set")
        elif commands - MOCK_COMMANDS_ALLOWED:
            problems.append(
                f"{where}: mocks allowed for {sorted(commands - MOCK_COMMANDS_ALLOWED)}; "
                f"only {sorted(MOCK_COMMANDS_ALLOWED)} may use them"
            )
        for key, value in sorted(dep.mock_outputs.items()):
            if key.endswith("_id") and not (isinstance(value, str) and OCID.match(value)):
                problems.append(f"{where}: mock output {key}={value!r} is not shaped like an OCID")
    return problems


def unit_graph(units: dict[str, UnitConfig]) -> dict[str, set[str]]:
    """Unit -> units applied before it, as `run --all` orders them (both block kinds)."""
    return {name: {d.name for d in unit.ordering_dirs()} for name, unit in units.items()}


def _before(graph: dict[str, set[str]], name: str) -> set[str]:
    """Every unit applied before `name`, directly or through others."""
    seen: set[str] = set()
    todo = list(graph.get(name, ()))
    while todo:
        dep = todo.pop()
        if dep not in seen:
            seen.add(dep)
            todo.extend(graph.get(dep, ()))
    return seen


def check_graph(units: dict[str, UnitConfig]) -> list[str]:
    problems = [
        f"{name}: {where} is not a unit ({target})"
        for name, unit in sorted(units.items())
        for target, where in sorted(unit.ordering_dirs().items())
        if not (target / "terragrunt.hcl").is_file()
    ]
    graph = unit_graph(units)
    sorter: TopologicalSorter[str] = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        return [*problems, f"dependency cycle: {' -> '.join(exc.args[1])}"]
    for name, required in sorted(MUST_FOLLOW.items()):
        earlier = _before(graph, name)
        problems += [
            f"{name}: not ordered after {dep} (add it to a dependencies block): {why}"
            for dep, why in sorted(required.items())
            if name in graph and dep not in earlier
        ]
    layers: list[frozenset[str]] = []
    while sorter.is_active():
        ready = frozenset(sorter.get_ready())
        layers.append(ready)
        sorter.done(*ready)
    if tuple(layers) != ORDER:
        problems.append(
            f"apply order is {[sorted(x) for x in layers]}, expected {[sorted(x) for x in ORDER]}"
        )
    return problems


def check_env_inputs(name: str, unit: UnitConfig, env: dict[str, Any]) -> list[str]:
    """Inputs that env.hcl sets are passed, with env.hcl's value."""
    problems: list[str] = []
    for key, local in sorted(ENV_INPUTS.get(unit.unit_dir.name, {}).items()):
        if local not in env:
            problems.append(f"{name}: env.hcl has no local {local!r} (for input {key!r})")
        elif key not in unit.inputs:
            problems.append(f"{name}: input {key!r} is not set (expected local.env.{local})")
        elif unit.inputs[key] != env[local]:
            problems.append(
                f"{name}: input {key}={unit.inputs[key]!r}, env.hcl's {local} is {env[local]!r}"
            )
    return problems


def _generated_json(name: str, unit: UnitConfig, block: str) -> tuple[dict[str, Any], list[str]]:
    gen = unit.generate.get(block)
    if gen is None:
        return {}, [f"{name}: no generate {block!r} block"]
    if not str(gen.get("path", "")).endswith(".tf.json"):
        return {}, [f"{name}: generate {block!r} path {gen.get('path')!r} is not a .tf.json file"]
    try:
        return json.loads(gen["contents"]), []
    except (KeyError, json.JSONDecodeError) as exc:
        return {}, [f"{name}: generate {block!r} contents are not JSON: {exc}"]


def check_provider(
    name: str, unit: UnitConfig, env: dict[str, Any], provider_attrs: set[str] | None
) -> list[str]:
    content, problems = _generated_json(name, unit, "provider")
    if problems:
        return problems
    providers = content.get("provider", {})
    if set(providers) != {"oci"}:
        return [f"{name}: generated providers are {sorted(providers)}, expected only 'oci'"]
    config = providers["oci"]
    want = env["home_region"] if name in HOME_REGION_UNITS else env["region"]
    if config.get("region") != want:
        problems.append(f"{name}: provider region is {config.get('region')!r}, expected {want!r}")
    if provider_attrs is not None:
        unknown = set(config) - provider_attrs
        problems += [
            f"{name}: provider attribute {a!r} is not in the oracle/oci schema" for a in unknown
        ]
    return problems


def check_backend(name: str, unit: UnitConfig, env: dict[str, Any]) -> list[str]:
    content, problems = _generated_json(name, unit, "backend")
    if problems:
        return problems
    backends = content.get("terraform", {}).get("backend", {})
    kind = env["state_backend"]
    if set(backends) != {kind}:
        return [f"{name}: generated backends {sorted(backends)}, env.hcl asks for {kind!r}"]
    config = backends[kind]
    problems += [
        f"{name}: {kind} backend setting {key!r} is missing or empty"
        for key in BACKEND_REQUIRED[kind]
        if not config.get(key)
    ]
    if kind in {"oci", "s3"} and not str(config.get("key", "")).endswith(
        f"/{name}/terraform.tfstate"
    ):
        problems.append(f"{name}: state key {config.get('key')!r} is not per unit")
    if kind == "local" and not str(config.get("path", "")).endswith(f"/{name}/terraform.tfstate"):
        problems.append(f"{name}: local state path {config.get('path')!r} is not per unit")
    if kind == "s3":
        endpoint = str(config.get("endpoints", {}).get("s3", ""))
        expected = f"https://{env['state_namespace']}.compat.objectstorage.{env['state_region']}."
        if not endpoint.startswith(expected):
            problems.append(f"{name}: s3 endpoint {endpoint!r} is not OCI's ({expected}...)")
        if config.get("use_path_style") is not True:
            problems.append(
                f"{name}: s3 backend needs use_path_style = true (OCI has path style only)"
            )
    minimum = _version(unit.terraform_version_constraint)
    if minimum is None or minimum < MIN_TERRAFORM[kind]:
        problems.append(
            f"{name}: terraform_version_constraint {unit.terraform_version_constraint!r} admits "
            f"Terraform older than {'.'.join(map(str, MIN_TERRAFORM[kind]))}, "
            f"which the {kind} backend needs"
        )
    return problems


def check_env(
    env_dir: Path, modules_root: Path, provider_attrs: set[str] | None = None
) -> list[str]:
    """All contract problems of one environment folder (live/<env>)."""
    units, problems = load_env(env_dir)
    missing = sorted(set(UNITS) - set(units))
    extra = sorted(set(units) - set(UNITS))
    if missing:
        problems.append(f"{env_dir.name}: units missing: {missing}")
    if extra:
        problems.append(f"{env_dir.name}: unexpected units: {extra}")
    env = read_locals(env_dir / "env.hcl")
    if env.get("state_backend") not in ENV_BACKENDS:
        problems.append(
            f"{env_dir.name}: state_backend {env.get('state_backend')!r}, expected one of "
            f"{sorted(ENV_BACKENDS)} (s3 is a fallback only: OCI refuses its use_lockfile lock "
            "writes, hashicorp/terraform#36742)"
        )
    modules: dict[str, ModuleInterface | None] = {}
    for name, unit in units.items():
        module_dir = module_dir_of(unit)
        if module_dir is None or not _tf_files(module_dir):
            problems.append(
                f"{env_dir.name}/{name}: source {unit.source!r} is not a module dir with .tf files"
            )
            modules[name] = None
            continue
        if module_dir.parent != modules_root.resolve():
            problems.append(
                f"{env_dir.name}/{name}: source {module_dir} is not under {modules_root}"
            )
        modules[name] = read_module(module_dir)
    for name, unit in sorted(units.items()):
        label = f"{env_dir.name}/{name}"
        module = modules.get(name)
        if module is not None:
            problems += _check_inputs(label, unit, module)
            source = module.provider_sources.get("oci")
            if source not in {"oracle/oci", "registry.terraform.io/oracle/oci"}:
                problems.append(
                    f"{label}: module declares provider oci as {source!r}, expected oracle/oci"
                )
        problems += _check_dependencies(label, unit, modules)
        problems += check_env_inputs(label, unit, env)
        problems += check_provider(name, unit, env, provider_attrs)
        problems += check_backend(name, unit, env)
        for dep_name, dep in unit.dependencies.items():
            if dep.mock_outputs is not None and dep.allowed_commands is None:
                problems.append(f"{label}: dependency {dep_name!r} mocks have no command limit")
    if not missing:
        problems += check_graph(units)
    return problems


def _release(version: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    return tuple(int(part) for part in match.groups()) if match else None


def check_tool_pins(repo: Path, envs: list[str]) -> list[str]:
    """mise.toml pins a Terraform release that every environment's backend and the root's
    terraform_version_constraint accept."""
    path = repo / "mise.toml"
    if not path.is_file():
        return [f"{path} is missing"]
    pinned = str(tomllib.loads(path.read_text()).get("tools", {}).get("terraform", ""))
    version = _release(pinned)
    if version is None:
        return [f"mise.toml: terraform = {pinned!r} is not an exact release (x.y.z)"]
    problems: list[str] = []
    for env in envs:
        kind = read_locals(repo / "live" / env / "env.hcl")["state_backend"]
        needed = MIN_TERRAFORM.get(kind)
        if needed is not None and version[:2] < needed:
            problems.append(
                f"mise.toml pins terraform {pinned}, older than {'.'.join(map(str, needed))} "
                f"which {env}'s {kind} state backend needs"
            )
        for unit_file in sorted((repo / "live" / env).glob("*/terragrunt.hcl")):
            try:
                constraint = load_unit(unit_file.parent).terraform_version_constraint
            except HclEvalError:
                continue  # reported by check_env
            minimum = _version(constraint)
            if minimum is not None and version[:2] < minimum:
                problems.append(
                    f"{env}/{unit_file.parent.name}: terraform_version_constraint "
                    f"{constraint!r} refuses the pinned terraform {pinned}"
                )
    return problems


NOTHING = {"", "-", "\N{EN DASH}"}  # how the table writes "needs nothing"


def readme_needs(readme: Path) -> dict[str, set[str]]:
    """The `| unit | needs | gives |` table of live/README.md: unit -> units it needs."""
    needs: dict[str, set[str]] = {}
    rows = iter(readme.read_text().splitlines())
    for line in rows:
        if re.fullmatch(r"\|\s*unit\s*\|\s*needs\s*\|.*", line):
            break
    next(rows, None)  # the |---| line
    for line in rows:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 2:
            break
        needs[cells[0]] = {n.strip() for n in cells[1].split(",") if n.strip() not in NOTHING}
    return needs


# While the root file keeps its deprecated name, the README must say what to do about it.
ROOT_FILE_NOTES = ("root-terragrunt-hcl", 'find_in_parent_folders("root.hcl")')


def check_readme(repo: Path) -> list[str]:
    """live/README.md's unit table says the order the dev configuration has, and the README
    explains the deprecated root file name while it is kept."""
    readme = repo / "live" / "README.md"
    documented = readme_needs(readme)
    if (repo / "terragrunt.hcl").is_file():
        missing = [note for note in ROOT_FILE_NOTES if note not in readme.read_text()]
        if missing:
            return [
                f"{readme}: does not explain the deprecated root terragrunt.hcl "
                f"(strict control, migration to root.hcl); missing {missing}"
            ]
    units, problems = load_env(repo / "live" / "dev")
    if problems:
        return []  # reported by check_env
    actual = unit_graph(units)
    if not documented:
        return [f"{readme}: no '| unit | needs | gives |' table"]
    return [
        f"{readme}: unit {name} needs {sorted(documented.get(name, set()))} in the table, "
        f"the configuration orders it after {sorted(actual.get(name, set()))}"
        for name in sorted(set(documented) | set(actual))
        if documented.get(name) != actual.get(name)
    ]


def check_live(repo: Path, provider_attrs: set[str] | None = None) -> list[str]:
    """Problems of every environment under repo/live, the tool pins and the README's order."""
    live = repo / "live"
    problems: list[str] = []
    envs = sorted(p.name for p in live.iterdir() if (p / "env.hcl").is_file())
    if set(envs) != set(ENVIRONMENTS):
        problems.append(f"environments are {envs}, expected {sorted(ENVIRONMENTS)}")
    for env in envs:
        problems += check_env(live / env, repo / "modules", provider_attrs)
    problems += check_tool_pins(repo, envs)
    problems += check_readme(repo)
    return problems

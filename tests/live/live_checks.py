"""Contract checks of the Terragrunt live layer, over Terragrunt's own rendering.

Terragrunt resolves includes, locals, functions and mock outputs (`render --json`) and the unit
graph (`find --dag --json`); these checks hold what it does not check itself: that every input
is a variable of the unit's module and every required variable is set, that mocks name real
outputs and never reach apply, that env.hcl values reach the inputs meant for them, the home
region, the state backend per engine, the apply order, the container instance and its gateway
in one state (rollouts), the tool pins and the README.
`check_live(tg, repo)` returns a list of problems (empty = consistent), each naming the unit,
the value and what was expected; the tests run it on the repository and on broken copies.
"""

from __future__ import annotations

import json
import re
import tempfile
import tomllib
from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from pathlib import Path
from typing import Any

import hcl2
from terragrunt_cli import Terragrunt, TerragruntError

UNITS = (
    "network",
    "object-storage",
    "iam",
    "image-repository",
    "service",
    "alarms",
    "budget",
    "audit-log",
)
ENVIRONMENTS = ("dev", "prod", "local")
# Intended apply order, layer by layer (units in one layer may run in parallel).
# image-repository needs no unit and no unit needs it: users apply it alone before the first
# `docker push` (live/README.md, "First deployment").
# budget needs no unit either; alarms watch what service deployed.
# iam scopes Galley's log-content right to audit-log's log group.
ORDER = (
    frozenset({"network", "image-repository", "budget", "audit-log"}),
    frozenset({"iam"}),
    frozenset({"object-storage"}),
    frozenset({"service"}),
    frozenset({"alarms"}),
)
# Orderings the cloud needs, whatever outputs the configuration passes: unit -> units that must
# be applied before it, and why.
MUST_FOLLOW = {
    "object-storage": {
        "iam": "OCI refuses the bucket's lifecycle rules until iam's Object Storage service "
        "policy exists",
    },
    "service": {
        "iam": "its instance's image pull from OCIR is refused until iam's `read repos` policy "
        "exists",
    },
}
# Inputs that must come straight from env.hcl: unit -> {input: env.hcl local}.
ENV_INPUTS = {
    "iam": {
        "tenancy_id": "tenancy_id",
        "dynamic_group_id": "dynamic_group_id",
        "galley_work_compartment_id": "work_compartment_id",
        "policy_compartment_id": "policy_compartment_id",
        "image_repository_name": "image_repository_name",
        "image_repository_compartment_id": "image_repository_compartment_id",
        "bucket_name": "bucket_name",
        "kms_key_id": "kms_key_id",
        "region": "region",
        "propagation_wait_seconds": "iam_propagation_wait_seconds",
    },
    "network": {"allowed_ingress_cidrs": "allowed_ingress_cidrs"},
    "object-storage": {
        "bucket_name": "bucket_name",
        "kms_key_id": "kms_key_id",
        "versioning": "bucket_versioning",
        "retention_rules": "retention_rules",
    },
    "image-repository": {
        "repository_name": "image_repository_name",
        "is_immutable": "image_repository_immutable",
    },
    "service": {
        "region": "region",
        "image_namespace": "image_namespace",
        "image_repository_name": "image_repository_name",
        "image_tag": "image_tag",
        "image_digest": "image_digest",
        "ocpus": "container_ocpus",
        "readiness_wait_seconds": "readiness_wait_seconds",
        "memory_in_gbs": "container_memory_in_gbs",
        "url_token_generations": "url_token_generations",
        "execution_log_enabled": "execution_log_enabled",
        "token_transport": "token_transport",
    },
    "alarms": {"notification_emails": "alarm_notification_emails"},
    "audit-log": {"retention_days": "audit_log_retention_days"},
    "budget": {
        "tenancy_id": "tenancy_id",
        "amount": "budget_monthly_amount",
        "alert_recipients": "budget_alert_recipients",
    },
}
# Mocks serve a fresh or half-applied environment; apply must never deploy a stand-in value.
MOCK_COMMANDS_ALLOWED = frozenset({"init", "validate", "plan", "destroy"})
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
# The variable root.hcl gives OpenTofu instead of an `oci` backend (a plan-time error).
OPENTOFU_OCI_GUARD = "opentofu_has_no_oci_state_backend"
PINNED_TOOLS = ("terraform", "terragrunt", "opentofu", "tflint")


@dataclass
class ModuleInterface:
    variables: dict[str, bool]  # name -> required (no default)
    outputs: set[str]
    provider_sources: dict[str, str]  # local name -> source address


def _unquote(value: Any) -> Any:
    return value[1:-1] if isinstance(value, str) and value[:1] == value[-1:] == '"' else value


def read_module(module_dir: Path) -> ModuleInterface:
    """Variables, outputs and required_providers of a module, from all its .tf files."""
    variables: dict[str, bool] = {}
    outputs: set[str] = set()
    providers: dict[str, str] = {}
    for path in sorted(module_dir.glob("*.tf")):
        with path.open() as handle:
            doc = hcl2.load(handle)
        for block in doc.get("variable", []):
            for name, body in block.items():
                variables[_unquote(name)] = "default" not in body
        for block in doc.get("output", []):
            outputs.update(_unquote(name) for name in block)
        for terraform in doc.get("terraform", []):
            for required in terraform.get("required_providers", []):
                for name, spec in required.items():
                    if isinstance(spec, dict):
                        providers[name] = _unquote(spec.get("source", ""))
    return ModuleInterface(variables, outputs, providers)


def modules_called(module_dir: Path) -> set[str]:
    """The module itself and every local module it calls, transitively, by folder name."""
    names = {module_dir.name}
    for path in sorted(module_dir.glob("*.tf")):
        with path.open() as handle:
            doc = hcl2.load(handle)
        for block in doc.get("module", []):
            for body in block.values():
                source = str(_unquote(body.get("source", "")))
                if source.startswith("../"):
                    names |= modules_called((module_dir / source).resolve())
    return names


def check_rollout_state(name: str, held: dict[str, set[str]]) -> list[str]:
    """The unit that holds the container instance holds the gateway too (held: unit -> modules
    its module calls): create_before_destroy deletes the old instance after the resources that
    depend on the new one are updated, but only within one state. Across two units, `run --all`
    deletes it before the gateway's unit moves the backend: failed calls during every rollout."""
    problems: list[str] = []
    for unit, modules in sorted(held.items()):
        pair = {"container-instance", "api-gateway"} & modules
        if len(pair) == 1:
            (alone,) = pair
            (other,) = {"container-instance", "api-gateway"} - pair
            problems.append(
                f"{name}/{unit}: holds modules/{alone} without modules/{other}: in two states a "
                "rollout deletes the old instance before the gateway moves to the new one"
            )
    return problems


def env_values(tg: Terragrunt, live: Path) -> dict[str, dict[str, Any]]:
    """Every live/<env>/env.hcl's locals as Terragrunt evaluates them (functions such as get_env
    included), in one render: environment -> locals."""
    files = {p.parent.name: p for p in sorted(live.glob("*/env.hcl"))}
    reads = "".join(
        f"  {json.dumps(env)} = read_terragrunt_config({json.dumps(str(path))}).locals\n"
        for env, path in files.items()
    )
    with tempfile.TemporaryDirectory(prefix="env-values-") as scratch:
        Path(scratch, "terragrunt.hcl").write_text(f"inputs = {{\n{reads}}}\n")
        return tg.render(Path(scratch))["inputs"]


def module_dir_of(rendered: dict[str, Any]) -> Path | None:
    """The local directory a unit's terraform.source names (`dir//sub` is `dir/sub`)."""
    source = (rendered.get("terraform") or {}).get("source") or ""
    if not source.startswith("/"):
        return None
    return Path(source.replace("//", "/")).resolve()


def _version(constraint: str | None) -> tuple[int, ...] | None:
    match = re.fullmatch(r"\s*>=\s*(\d+)\.(\d+)(?:\.\d+)?\s*", constraint or "")
    return (int(match[1]), int(match[2])) if match else None


def _generated(label: str, rendered: dict[str, Any], block: str) -> tuple[Any, list[str]]:
    gen = (rendered.get("generate") or {}).get(block)
    if gen is None:
        return {}, [f"{label}: no generate {block!r} block"]
    try:
        return json.loads(gen["contents"]), []
    except (KeyError, TypeError, json.JSONDecodeError) as exc:
        return {}, [f"{label}: generate {block!r} contents are not JSON: {exc}"]


def check_inputs(label: str, rendered: dict[str, Any], module: ModuleInterface) -> list[str]:
    inputs = rendered.get("inputs") or {}
    source = rendered["terraform"]["source"]
    problems = [
        f"{label}: input {key!r} is not a variable of module {source} "
        f"(variables: {sorted(module.variables)})"
        for key in sorted(set(inputs) - set(module.variables))
    ]
    problems += [
        f"{label}: required variable {var!r} of module {source} is not provided"
        for var, required in sorted(module.variables.items())
        if required and var not in inputs
    ]
    return problems


def check_dependencies(
    label: str, unit_dir: Path, rendered: dict[str, Any], modules: dict[str, ModuleInterface]
) -> list[str]:
    problems: list[str] = []
    for name, dep in sorted((rendered.get("dependency") or {}).items()):
        where = f"{label}: dependency {name!r}"
        target = (unit_dir / dep["config_path"]).resolve()
        if not (target / "terragrunt.hcl").is_file():
            problems.append(f"{where}: config_path {dep['config_path']!r} is not a unit ({target})")
            continue
        mocks = dep.get("mock_outputs")
        if not mocks:
            problems.append(f"{where}: no mock_outputs (plan fails before it is applied)")
            continue
        module = modules.get(target.name)
        if module is not None:
            problems += [
                f"{where}: mock output {key!r} is not an output of unit {target.name} "
                f"(outputs: {sorted(module.outputs)})"
                for key in sorted(set(mocks) - module.outputs)
            ]
        commands = set(dep.get("mock_outputs_allowed_terraform_commands") or [])
        if "apply" in commands:
            problems.append(f"{where}: mocks allowed for ['apply']; apply must use real outputs")
        if commands != MOCK_COMMANDS_ALLOWED:
            problems.append(
                f"{where}: mocks allowed for {sorted(commands)}, expected "
                f"{sorted(MOCK_COMMANDS_ALLOWED)} (plan and destroy of a fresh environment)"
            )
        problems += [
            f"{where}: mock output {key}={value!r} is not shaped like an OCID"
            for key, value in sorted(mocks.items())
            if key.endswith("_id") and not (isinstance(value, str) and OCID.match(value))
        ]
    return problems


def check_env_inputs(
    label: str, unit: str, rendered: dict[str, Any], env: dict[str, Any]
) -> list[str]:
    """Inputs that env.hcl sets are passed, with env.hcl's value."""
    inputs = rendered.get("inputs") or {}
    problems: list[str] = []
    for key, local in sorted(ENV_INPUTS.get(unit, {}).items()):
        if local not in env:
            problems.append(f"{label}: env.hcl has no local {local!r} (for input {key!r})")
        elif key not in inputs:
            problems.append(f"{label}: input {key!r} is not set (expected local.env.{local})")
        elif inputs[key] != env[local]:
            problems.append(
                f"{label}: input {key}={inputs[key]!r}, env.hcl's {local} is {env[local]!r}"
            )
    return problems


def _home_region_lookup(label: str, content: dict[str, Any], env: dict[str, Any]) -> list[str]:
    """The provider's home region comes from the tenancy's home_region_key, read in `region`."""
    configs = content["provider"]["oci"]
    configs = configs if isinstance(configs, list) else [configs]
    default = [c for c in configs if "alias" not in c]
    lookup = {c["alias"]: c for c in configs if "alias" in c}
    data = content.get("data", {})
    tenancy = next(iter(data.get("oci_identity_tenancy", {}).values()), None)
    regions = next(iter(data.get("oci_identity_regions", {}).items()), None)
    if len(default) != 1 or tenancy is None or regions is None:
        return [f"{label}: home_region is null but no tenancy/regions lookup decides the region"]
    problems: list[str] = []
    alias = str(tenancy.get("provider", "")).removeprefix("oci.")
    if lookup.get(alias, {}).get("region") != env["region"]:
        problems.append(f"{label}: the home-region lookup does not run in region {env['region']!r}")
    if tenancy.get("tenancy_id") != env["tenancy_id"]:
        problems.append(f"{label}: home region looked up for tenancy {tenancy.get('tenancy_id')!r}")
    name, body = regions
    key_filter = body.get("filter", {})
    if key_filter.get("name") != "key" or "home_region_key" not in json.dumps(key_filter):
        problems.append(f"{label}: regions are not filtered on the tenancy's home_region_key")
    if default[0].get("region") != f"${{data.oci_identity_regions.{name}.regions[0].name}}":
        problems.append(
            f"{label}: provider region {default[0].get('region')!r} is not the lookup's"
        )
    return problems


def check_provider(
    label: str, unit: str, rendered: dict[str, Any], env: dict[str, Any], attrs: set[str] | None
) -> list[str]:
    content, problems = _generated(label, rendered, "provider")
    if problems:
        return problems
    providers = content.get("provider", {})
    if set(providers) != {"oci"}:
        return [f"{label}: generated providers are {sorted(providers)}, expected only 'oci'"]
    configs = providers["oci"] if isinstance(providers["oci"], list) else [providers["oci"]]
    if attrs is not None:
        problems += [
            f"{label}: provider attribute {a!r} is not in the oracle/oci schema"
            for config in configs
            for a in sorted(set(config) - attrs - {"alias"})
        ]
    if unit in HOME_REGION_UNITS and env["home_region"] is None:
        return problems + _home_region_lookup(label, content, env)
    want = env["home_region"] if unit in HOME_REGION_UNITS else env["region"]
    if len(configs) != 1 or configs[0].get("region") != want:
        problems.append(
            f"{label}: provider region is {configs[0].get('region')!r}, expected {want!r}"
        )
    return problems


def check_backend(
    label: str, unit: str, rendered: dict[str, Any], env: dict[str, Any], kind: str, repo: Path
) -> list[str]:
    content, problems = _generated(label, rendered, "backend")
    tofu, tofu_problems = _generated(label, rendered, "backend_opentofu")
    problems += tofu_problems
    if problems:
        return problems
    paths = {rendered["generate"][b]["path"] for b in ("backend", "backend_opentofu")}
    if paths != {"backend.tf.json", "backend.tofu.json"}:
        problems.append(
            f"{label}: backend files are {sorted(paths)}, expected backend.tf.json "
            "(Terraform) and backend.tofu.json (OpenTofu, which shadows it)"
        )
    backends = content.get("terraform", {}).get("backend", {})
    if set(backends) != {kind}:
        return [*problems, f"{label}: generated backends {sorted(backends)}, expected {kind!r}"]
    config = backends[kind]
    problems += [
        f"{label}: {kind} backend setting {key!r} is missing or empty"
        for key in BACKEND_REQUIRED[kind]
        if not config.get(key)
    ]
    state = str(config.get("path" if kind == "local" else "key", ""))
    if not state.endswith(f"/{env['environment']}/{unit}/terraform.tfstate"):
        problems.append(f"{label}: state {state!r} is not per environment and unit")
    if kind == "local" and (
        not Path(state).is_relative_to(repo / ".local") or ".terragrunt-cache" in state
    ):
        problems.append(f"{label}: local state {state!r} is not under the git-ignored .local/")
    if kind == "s3":
        endpoint = str(config.get("endpoints", {}).get("s3", ""))
        expected = f"https://{env['state_namespace']}.compat.objectstorage.{env['state_region']}."
        if not endpoint.startswith(expected):
            problems.append(f"{label}: s3 endpoint {endpoint!r} is not OCI's ({expected}...)")
        if config.get("use_path_style") is not True:
            problems.append(
                f"{label}: s3 backend needs use_path_style = true (OCI: path style only)"
            )
    if kind == "oci":
        guard = tofu.get("variable", {}).get(OPENTOFU_OCI_GUARD, {})
        if "terraform" in tofu:
            problems.append(f"{label}: OpenTofu gets a backend block for `oci`, which it lacks")
        if guard.get("default") != "oci" or "state_backend" not in json.dumps(guard):
            problems.append(
                f"{label}: backend.tofu.json does not stop OpenTofu with what to set "
                f"(variable {OPENTOFU_OCI_GUARD} with a validation)"
            )
    elif tofu != content:
        problems.append(f"{label}: OpenTofu's backend differs from Terraform's for {kind!r}")
    constraint = rendered.get("terraform_version_constraint")
    minimum = _version(constraint)
    if minimum is None or minimum < MIN_TERRAFORM[kind]:
        problems.append(
            f"{label}: terraform_version_constraint {constraint!r} admits Terraform older than "
            f"{'.'.join(map(str, MIN_TERRAFORM[kind]))}, which the {kind} backend needs"
        )
    copies_lock = rendered["terraform"].get("copy_terraform_lock_file")
    if copies_lock is not (kind != "local"):
        problems.append(
            f"{label}: copy_terraform_lock_file is {copies_lock} with {kind} state: local state "
            "(the emulator's hashes) keeps the lock file in the cache, remote state commits it"
        )
    return problems


def check_graph(entries: list[dict[str, Any]]) -> list[str]:
    """Problems of the unit graph that `terragrunt find --dag --dependencies` reports."""
    graph = {e["path"]: set(e.get("dependencies") or []) for e in entries}
    missing = sorted(set(UNITS) - set(graph))
    problems = [f"units missing: {missing}"] if missing else []
    problems += [
        f"{name}: depends on {dep!r}, which is not a unit"
        for name, deps in sorted(graph.items())
        for dep in sorted(deps - set(graph))
    ]
    extra = sorted(set(graph) - set(UNITS))
    if extra:
        problems.append(f"unexpected units: {extra}")
    sorter: TopologicalSorter[str] = TopologicalSorter(graph)
    try:
        sorter.prepare()
    except CycleError as exc:
        return [*problems, f"dependency cycle: {' -> '.join(exc.args[1])}"]
    for name, required in sorted(MUST_FOLLOW.items()):
        earlier = _before(graph, name)
        problems += [
            f"{name}: not ordered after {dep} (add a dependency on it): {why}"
            for dep, why in sorted(required.items())
            if name in graph and dep not in earlier
        ]
    layers: list[frozenset[str]] = []
    while sorter.is_active():
        ready = frozenset(sorter.get_ready())
        layers.append(ready)
        sorter.done(*ready)
    if not missing and tuple(layers) != ORDER:
        problems.append(
            f"apply order is {[sorted(x) for x in layers]}, expected {[sorted(x) for x in ORDER]}"
        )
    return problems


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


def check_env(
    tg: Terragrunt,
    env_dir: Path,
    repo: Path,
    env: dict[str, Any],
    provider_attrs: set[str] | None = None,
    graphs: dict[str, dict[str, set[str]]] | None = None,
) -> list[str]:
    """All contract problems of one environment folder (live/<env>; env: its env.hcl locals).
    Writes terragrunt.rendered.json files in it for a moment: run it on a copy. `graphs`, if
    given, receives the environment's unit graph (unit -> units it depends on)."""
    name = env_dir.name
    kind = tg.extra_env.get("GALLEY_STATE_BACKEND", env.get("state_backend"))
    problems: list[str] = []
    if env.get("state_backend") not in ENV_BACKENDS:
        problems.append(
            f"{name}: state_backend {env.get('state_backend')!r}, expected one of "
            f"{sorted(ENV_BACKENDS)} (s3 is a fallback only: OCI refuses its use_lockfile lock "
            "writes, hashicorp/terraform#36742)"
        )
    if kind not in BACKEND_REQUIRED:
        problems.append(f"{name}: state backend {kind!r} is none of {sorted(BACKEND_REQUIRED)}")
    found = tg.run(env_dir, "find", "--dag", "--json", "--dependencies", check=False)
    problems += [
        f"{name}: terragrunt find: {line.strip()}"
        for line in found.stderr.splitlines()
        if "WARN" in line or "ERROR" in line
    ]
    entries = json.loads(found.stdout or "[]")
    problems += [f"{name}: {p}" for p in check_graph(entries)]
    if graphs is not None:
        graphs[name] = {e["path"]: set(e.get("dependencies") or []) for e in entries}
    problems += [
        f"{name}: terragrunt hcl validate: {d.get('summary')}: {d.get('detail')} "
        f"({d.get('range', {}).get('filename')}:{d.get('range', {}).get('start', {}).get('line')})"
        for d in tg.validate(env_dir)
    ]
    rendered, result = tg.render_all(env_dir)
    units = sorted(p.parent.name for p in env_dir.glob("*/terragrunt.hcl"))
    problems += [
        f"{name}/{unit}: terragrunt render failed: {result.stderr[-2000:]}"
        for unit in units
        if unit not in rendered
    ]
    modules: dict[str, ModuleInterface] = {}
    held: dict[str, set[str]] = {}
    for unit, config in rendered.items():
        label = f"{name}/{unit}"
        module_dir = module_dir_of(config)
        if module_dir is None or not list(module_dir.glob("*.tf")):
            problems.append(
                f"{label}: source {config['terraform'].get('source')!r} is not a module dir "
                "with .tf files"
            )
        elif module_dir.parent != (repo / "modules").resolve():
            problems.append(f"{label}: source {module_dir} is not under {repo / 'modules'}")
        else:
            modules[unit] = read_module(module_dir)
            held[unit] = modules_called(module_dir)
    problems += check_rollout_state(name, held)
    problems += check_image_repository(name, rendered)
    for unit, config in sorted(rendered.items()):
        label = f"{name}/{unit}"
        module = modules.get(unit)
        if module is not None:
            problems += check_inputs(label, config, module)
            source = module.provider_sources.get("oci")
            if source not in {"oracle/oci", "registry.terraform.io/oracle/oci"}:
                problems.append(
                    f"{label}: module declares provider oci as {source!r}, expected oracle/oci"
                )
        problems += check_dependencies(label, env_dir / unit, config, modules)
        problems += check_env_inputs(label, unit, config, env)
        problems += check_provider(label, unit, config, env, provider_attrs)
        if kind in BACKEND_REQUIRED:
            problems += check_backend(label, unit, config, env, kind, repo)
        if config.get("terraform_binary") != "terraform":
            problems.append(
                f"{label}: terraform_binary is {config.get('terraform_binary')!r}: Terraform "
                "must be the default engine (OpenTofu on request, TG_TF_PATH)"
            )
    return problems


def check_image_repository(name: str, rendered: dict[str, dict[str, Any]]) -> list[str]:
    """The repository the image-repository unit creates is the one iam's pull right names: the
    same name, in the compartment the right names (image_repository_compartment_id, else the
    Galley compartment); else the image is pushed where the instance may not pull it."""
    repo = rendered.get("image-repository", {}).get("inputs")
    iam = rendered.get("iam", {}).get("inputs")
    if repo is None or iam is None:
        return []
    problems = []
    named = iam.get("image_repository_name")
    if repo.get("repository_name") != named:
        problems.append(
            f"{name}/image-repository: repository_name {repo.get('repository_name')!r}, but iam's "
            f"pull right names the repository {named!r}"
        )
    where = iam.get("image_repository_compartment_id") or iam.get("compartment_id")
    if repo.get("compartment_id") != where:
        problems.append(
            f"{name}/image-repository: compartment_id {repo.get('compartment_id')!r}, but iam's "
            f"pull right names the repository in {where!r}"
        )
    return problems


def _release(version: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", version)
    return tuple(int(part) for part in match.groups()) if match else None


def check_tool_pins(repo: Path, backends: dict[str, str]) -> list[str]:
    """mise.toml pins exact releases of every tool, and a Terraform that every environment's
    backend accepts (backends: environment -> state_backend)."""
    path = repo / "mise.toml"
    if not path.is_file():
        return [f"{path} is missing"]
    tools = tomllib.loads(path.read_text()).get("tools", {})
    problems = [
        f"mise.toml: {tool} = {tools.get(tool)!r} is not an exact release (x.y.z)"
        for tool in PINNED_TOOLS
        if _release(str(tools.get(tool, ""))) is None
    ]
    version = _release(str(tools.get("terraform", "")))
    for env, kind in sorted(backends.items()):
        needed = MIN_TERRAFORM.get(kind)
        if version is not None and needed is not None and version[:2] < needed:
            problems.append(
                f"mise.toml pins terraform {tools['terraform']}, older than "
                f"{'.'.join(map(str, needed))} which {env}'s {kind} state backend needs"
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


def check_readme(repo: Path, graph: dict[str, set[str]]) -> list[str]:
    """live/README.md's unit table says the order the configuration has, and the layout says
    that root.hcl is the card's top-level terragrunt.hcl, renamed."""
    readme = repo / "live" / "README.md"
    problems: list[str] = []
    if "root.hcl" not in readme.read_text() or "renamed" not in readme.read_text():
        problems.append(f"{readme}: does not say that root.hcl is the renamed root terragrunt.hcl")
    documented = readme_needs(readme)
    if not documented:
        return [*problems, f"{readme}: no '| unit | needs | gives |' table"]
    return problems + [
        f"{readme}: unit {name} needs {sorted(documented.get(name, set()))} in the table, "
        f"the configuration orders it after {sorted(graph.get(name, set()))}"
        for name in sorted(set(documented) | set(graph))
        if documented.get(name) != graph.get(name)
    ]


def check_live(
    tg: Terragrunt,
    repo: Path,
    provider_attrs: set[str] | None = None,
    envs: tuple[str, ...] = ENVIRONMENTS,
) -> list[str]:
    """Problems of the environments under repo/live (all, or `envs`), the root file, the tool
    pins, the README's order, and any deprecation Terragrunt warned of meanwhile. Run it on a
    copy of the layer (check_env writes rendered files)."""
    live = repo / "live"
    problems: list[str] = []
    try:
        values = env_values(tg, live)
    except TerragruntError as exc:
        return [f"{live}/*/env.hcl: cannot be read: {exc}"]
    if set(values) != set(ENVIRONMENTS):
        problems.append(f"environments are {sorted(values)}, expected {sorted(ENVIRONMENTS)}")
    if (repo / "terragrunt.hcl").exists():
        problems.append(
            f"{repo / 'terragrunt.hcl'}: a root file named terragrunt.hcl is deprecated "
            "(and `run --all` from the repository root takes it for a unit): name it root.hcl"
        )
    graphs: dict[str, dict[str, set[str]]] = {}
    for env in envs:
        if env in values:
            problems += check_env(tg, live / env, repo, values[env], provider_attrs, graphs)
    problems += check_tool_pins(
        repo, {env: str(v.get("state_backend")) for env, v in values.items()}
    )
    if "dev" not in graphs:
        try:
            graphs["dev"] = {
                e["path"]: set(e.get("dependencies") or []) for e in tg.find(live / "dev")
            }
        except TerragruntError:
            graphs["dev"] = {}  # reported when dev is checked
    problems += check_readme(repo, graphs["dev"])
    problems += [f"terragrunt warned: {line}" for line in tg.deprecations()]
    return problems

"""The live layer run end to end on the OCI emulator, the way `terragrunt run --all` runs it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from live_checks import UNITS
from run_all import EnvRun, RunError
from terragrunt_model import read_locals

REPO = Path(__file__).resolve().parents[2]
IGNORE = shutil.ignore_patterns(
    ".terraform", ".terragrunt-cache", "*.tfstate*", ".terraform.lock.hcl"
)


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """terragrunt.hcl, live/ and modules/ as in the repository, so that state stays in tmp."""
    shutil.copy(REPO / "terragrunt.hcl", tmp_path)
    for name in ("live", "modules"):
        shutil.copytree(REPO / name, tmp_path / name, ignore=IGNORE)
    return tmp_path


def test_local_environment_applies_in_order_and_wires_outputs(copy: Path, oci_cloud) -> None:
    run = EnvRun(copy / "live" / "local", oci_cloud.env)
    run.run("apply")
    applied = [d.name for d in run.work_dirs]  # in the order the units were applied
    assert applied.index("iam") < applied.index("container-instance")

    for unit in UNITS:  # one local state per unit, under the git-ignored .local/
        assert (copy / ".local/terragrunt-state/live/local" / unit / "terraform.tfstate").is_file()

    private_subnet = run.output("network", "private_subnet_id")
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    assert instance["attrs"]["vnics"][0]["subnet_id"] == private_subnet
    assert instance["id"] == run.output("container-instance", "container_instance_id")

    (deployment,) = oci_cloud.resources("oci_apigateway_deployment")
    backend_ip = run.output("container-instance", "private_ip")
    mocks = read_locals(copy / "live/_envcommon/mock_outputs.hcl")
    assert backend_ip != mocks["container_instance"]["private_ip"]  # real outputs, not mocks
    routes = deployment["attrs"]["specification"][0]["routes"]
    assert routes
    assert all(f"http://{backend_ip}:" in r["backend"][0]["url"] for r in routes)
    (gateway,) = oci_cloud.resources("oci_apigateway_gateway")
    assert gateway["attrs"]["subnet_id"] == run.output("network", "public_subnet_id")

    bucket = run.output("object-storage", "bucket_name")
    statements = " ".join(run.output("iam", "policy_statements"))
    assert f"target.bucket.name='{bucket}'" in statements

    # How the README composes the client URL from the two units' outputs.
    base = run.output("api-gateway", "endpoint_base_url")
    url = f"{base}/mcp?token={run.output('container-instance', 'url_token')}"
    assert url.startswith("https://") and "/mcp?token=" in url

    run.run("destroy")
    assert oci_cloud.resources("oci_container_instances_container_instance") == []
    assert oci_cloud.resources("oci_core_vcn") == []


@pytest.mark.parametrize("env", ["dev", "prod", "local"])
def test_plan_with_mocks_on_a_fresh_environment(copy: Path, oci_cloud, env: str) -> None:
    """Nothing applied: every unit plans on mocks and env.hcl values pass module validation."""
    run = EnvRun(copy / "live" / env, oci_cloud.env, local_backend=env != "local")
    run.run("plan")
    assert set(run.work_dirs) == {(copy / "live" / env / u).resolve() for u in UNITS}


def test_runner_orders_by_dependencies_blocks_too(copy: Path) -> None:
    """container-instance reads nothing from iam; only its dependencies block orders them."""
    env_dir = copy / "live" / "local"
    graph = EnvRun(env_dir, {}).graph()
    assert (env_dir / "iam").resolve() in graph[(env_dir / "container-instance").resolve()]
    order = [d.name for d in EnvRun(env_dir, {}).order()]
    assert order.index("iam") < order.index("container-instance")

    common = copy / "live/_envcommon/container-instance.hcl"
    block = 'dependencies {\n  paths = ["../iam"]\n}\n'
    assert block in common.read_text()
    common.write_text(common.read_text().replace(block, ""))
    graph = EnvRun(env_dir, {}).graph()
    assert (env_dir / "iam").resolve() not in graph[(env_dir / "container-instance").resolve()]


def test_apply_never_uses_mocks(copy: Path, oci_cloud) -> None:
    run = EnvRun(copy / "live" / "local", oci_cloud.env)
    with pytest.raises(RunError, match="mocks are not allowed for 'apply'"):
        run.assemble((copy / "live/local/container-instance").resolve(), "apply")


@pytest.mark.skipif(shutil.which("terragrunt") is None, reason="terragrunt not installed")
def test_terragrunt_run_all_validate(copy: Path, request: pytest.FixtureRequest) -> None:
    cloud = request.getfixturevalue("oci_cloud")
    result = subprocess.run(
        ["terragrunt", "run", "--all", "--non-interactive", "--", "validate"],
        cwd=copy / "live" / "local",
        env=cloud.env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr

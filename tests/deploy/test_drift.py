"""scripts/drift on the emulated cloud: deploy/ (plain Terraform) and live/local (Terragrunt) are
applied, a security list is changed behind Terraform's back in the cloud, and the check reports
it (exit 2, the address named); a cloud that matches the code gives 0, an error 1."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
import tf_support as tfs
import yaml

DRIFT = tfs.REPO_ROOT / "scripts" / "drift"
WORKFLOW = tfs.REPO_ROOT / "examples" / "ci" / "drift.yml"
EXTRA_RULE = "198.51.100.0/24"


def _drift(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(DRIFT), *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600
    )


def _add_ingress_rule(cloud) -> None:
    """What a console user does: one more ingress rule on the public subnet's security list."""
    with cloud.store.transaction() as world:
        (public,) = [
            r
            for r in world.resources.values()
            if r["type"] == "oci_core_security_list"
            and r["attrs"]["display_name"].endswith("-public-sl")
        ]
        rules = public["attrs"]["ingress_security_rules"]
        rules.append({**rules[-1], "source": EXTRA_RULE})


def _section(output: str, title: str) -> list[str]:
    """The indented lines under `  <title>:` of the report."""
    match = re.search(rf"^  {re.escape(title)}:\n((?:    .*\n)+)", output, re.MULTILINE)
    return [line.strip() for line in match[1].splitlines()] if match else []


@pytest.fixture
def cloud(oci_cloud_factory):
    """A cloud for Terraform only (the engines' parametrization is the deploy/ tests' concern)."""
    return oci_cloud_factory("drift-cloud")


def test_drift_of_the_plain_root(cloud, tmp_path):
    root = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    example = (root / "terraform.tfvars.example").read_text()
    tfvars = re.sub(
        r"^tenancy_id\s*=.*$", f'tenancy_id = "{cloud.tenancy_id}"', example, flags=re.M
    )
    tfvars += "\niam_propagation_wait_seconds = 3\nreadiness_wait_seconds = 1\n"
    (root / "terraform.tfvars").write_text(tfvars)
    tfs.terraform(root, cloud.env).apply()

    matches = _drift(tmp_path, cloud.env, "--root", "deploy")
    assert matches.returncode == 0, matches.stdout + matches.stderr
    assert "drift: deploy: the cloud matches the code (exit 0)" in matches.stdout

    _add_ingress_rule(cloud)
    drifted = _drift(tmp_path, cloud.env, "--root", "deploy")
    assert drifted.returncode == 2, drifted.stdout + drifted.stderr
    address = "module.network[0].oci_core_security_list.public (update)"
    assert _section(drifted.stdout, "changed outside Terraform") == [address]
    assert _section(drifted.stdout, "an apply would change") == [address]
    assert "drift: deploy: the cloud differs from the code" in drifted.stdout

    # Undone by hand, the drift is gone; a change of the code not applied yet is pending, not
    # drift; a plan that fails (a value the root refuses) is exit 1.
    with cloud.store.transaction() as world:
        for r in world.resources.values():
            if r["type"] == "oci_core_security_list":
                rules = r["attrs"]["ingress_security_rules"]
                rules[:] = [rule for rule in rules if rule["source"] != EXTRA_RULE]
    assert _drift(tmp_path, cloud.env, "--root", "deploy").returncode == 0
    (root / "terraform.tfvars").write_text(tfvars + 'token_transport = "header"\n')
    pending = _drift(tmp_path, cloud.env, "--root", "deploy")
    assert pending.returncode == 2, pending.stdout + pending.stderr
    assert _section(pending.stdout, "changed outside Terraform") == []
    assert "module.service.module.api_gateway." in " ".join(
        _section(pending.stdout, "an apply would change")
    )
    (root / "terraform.tfvars").write_text(tfvars + 'token_transport = "nowhere"\n')
    failed = _drift(tmp_path, cloud.env, "--root", "deploy")
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "token_transport" in " ".join(_section(failed.stdout, "errors"))
    assert "drift: deploy: a plan failed; drift unknown (exit 1)" in failed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "one of the arguments --root --env is required"),
        (("--root", "no-such-dir"), "--root no-such-dir: no such directory"),
        (("--root", "modules"), "--root modules: not a Terraform root (no *.tf files in it)"),
        (("--root", "live/local/network"), "a Terragrunt unit; give its environment with --env"),
        (("--env", "deploy"), "--env deploy: not a Terragrunt environment"),
        (("--root", "deploy", "--tf-path", "no-such-engine"), "--tf-path no-such-engine: not"),
    ],
)
def test_bad_arguments_exit_1_and_name_the_value(args, message):
    result = _drift(tfs.REPO_ROOT, dict(os.environ), *args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert message in result.stderr


@pytest.mark.slow
def test_drift_of_a_terragrunt_environment(cloud, tmp_path):
    for name in ("root.hcl", "mise.toml"):
        (tmp_path / name).write_text((tfs.REPO_ROOT / name).read_text())
    tfs.copy_sources(tmp_path, "live", "modules")
    env = {
        **cloud.env,
        "PATH": f"{tfs.TOOLS_BIN}{os.pathsep}{cloud.env['PATH']}",
        "TG_TF_PATH": "terraform",
        "TG_NON_INTERACTIVE": "true",
    }
    applied = subprocess.run(
        [tfs.tool_path("terragrunt"), "run", "--all", "--", "apply"],
        cwd=tmp_path / "live" / "local",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert applied.returncode == 0, applied.stderr[-4000:]

    matches = _drift(tmp_path, env, "--env", "live/local")
    assert matches.returncode == 0, matches.stdout + matches.stderr
    for unit in ("iam", "network", "object-storage", "service"):
        assert f"{unit}: matches the code" in matches.stdout
    # live/local leaves them out (alarms_enabled = false, budget_monthly_amount = null).
    for unit in ("alarms", "budget"):
        assert f"{unit}: left out by its exclude block (not planned)" in matches.stdout

    _add_ingress_rule(cloud)
    drifted = _drift(tmp_path, env, "--env", "live/local")
    assert drifted.returncode == 2, drifted.stdout + drifted.stderr
    assert "network: differs from the code" in drifted.stdout
    assert _section(drifted.stdout, "changed outside Terraform") == [
        "oci_core_security_list.public (update)"
    ]
    assert "service: matches the code" in drifted.stdout
    # The same verdict as Terragrunt's own aggregate of the units' -detailed-exitcode.
    run_all = subprocess.run(
        [tfs.tool_path("terragrunt"), "run", "--all", "--", "plan", "-detailed-exitcode"],
        cwd=tmp_path / "live" / "local",
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run_all.returncode == 2, run_all.stderr[-4000:]


def test_the_scheduled_job_runs_the_check_and_fails_on_drift():
    workflow = yaml.safe_load(WORKFLOW.read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"schedule", "workflow_dispatch"}, "never on push"
    assert triggers["schedule"][0]["cron"]
    (job,) = workflow["jobs"].values()
    assert job["strategy"]["matrix"]["args"] == ["--env live/dev", "--env live/prod"]
    script = "\n".join(step.get("run", "") for step in job["steps"])
    assert "./scripts/drift ${{ matrix.args }}" in script
    assert re.search(r"\b2\)", script), "exit 2 (drift) is handled apart from 1 (error)"

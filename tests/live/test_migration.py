"""The upgrade from the two-unit layout (container-instance and api-gateway, each with its own
state) to the service unit, as live/README.md ("Upgrading from the two-unit layout") tells a user
to do it: the old layout applied on live/local, its states saved, the checkout updated, the
resources moved into the service unit's state and pushed. Then no unit plans a change, and the
gateway (its hostname is in every client's URL), the instance and the token are the old ones."""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
from io import BytesIO
from pathlib import Path

import pytest
from live_layer import LAYER, REPO, TWO_UNIT_COMMIT, copy_layer, edit
from terragrunt_cli import Terragrunt

_SECTION = "### Upgrading from the two-unit layout"
_SHELL = re.compile(r"```sh\n(.*?)```", re.DOTALL)
# Terraform's plan lines for a resource that would change (a moved state keeps every one).
_RESOURCE_CHANGE = re.compile(r"will be (created|destroyed|updated)|must be replaced|Plan: \d")


def readme_steps() -> list[str]:
    """The section's shell blocks, in order (step 1: save the states; step 2: move and push)."""
    text = (REPO / "live/README.md").read_text()
    section = text.split(_SECTION, 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    return [re.sub(r"(?m)^   ", "", block) for block in _SHELL.findall(section)]


def old_layout(dest: Path) -> Path:
    """root.hcl, the pins and live/ as they were at TWO_UNIT_COMMIT, over this checkout's
    modules: what changes is the layout alone (a release's module changes, such as a new
    environment variable that rolls the instance, are not part of the move)."""
    copy_layer(dest)
    layout = [name for name in LAYER if name != "modules"]
    for name in layout:
        path = dest / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    archive = subprocess.run(
        ["git", "archive", "--format=tar", TWO_UNIT_COMMIT, *layout],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(dest, filter="data")
    return dest


def update_checkout(repo: Path) -> None:
    """What pulling the new version does to the layer; state under .local/ stays."""
    for name in LAYER:
        path = repo / name
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    copy_layer(repo)


def run_step(tg: Terragrunt, cwd: Path, script: str) -> str:
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=cwd,
        env=tg.env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, f"{script}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout + done.stderr


@pytest.mark.slow
def test_two_unit_environment_moves_to_the_service_unit_without_a_replacement(
    tmp_path: Path, oci_cloud
) -> None:
    save, move = readme_steps()
    assert "terragrunt state pull" in save and "terragrunt state push" in move
    repo = old_layout(tmp_path / "repo")
    env_dir = repo / "live/local"
    assert {p.name for p in env_dir.iterdir() if p.is_dir()} >= {
        "container-instance",
        "api-gateway",
    }
    tg = Terragrunt(oci_cloud.env)
    tg.run_all(env_dir, "apply")
    (gateway,) = oci_cloud.resources("oci_apigateway_gateway")
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    before = {
        "endpoint": tg.output(env_dir / "api-gateway")["endpoint_base_url"],
        "tokens": tg.output(env_dir / "container-instance")["url_tokens"],
    }

    run_step(tg, env_dir, save)
    update_checkout(repo)
    assert not (env_dir / "api-gateway").exists() and (env_dir / "service").is_dir()
    # The layout change alone: the audit log (newer still) would roll the instance out.
    edit(env_dir / "env.hcl", "audit_log_enabled        = true", "audit_log_enabled        = false")
    plan, apply = move.rsplit("\n", 3)[-3:-1]
    assert plan == "terragrunt run --all plan" and apply == "terragrunt run --all apply"
    # Step 2 without its apply: the plan may only add the service unit's outputs.
    planned = run_step(tg, env_dir, move.replace(apply, ""))
    assert "[service] terraform: Changes to Outputs:" in planned, planned[-6000:]
    # The image-repository unit is new in this release as well: its repository is to be created
    # (the emulated tenancy has none); nothing else.
    new_unit = [line for line in planned.splitlines() if "[image-repository]" in line]
    assert any("oci_artifacts_container_repository.this will be created" in x for x in new_unit)
    others = "\n".join(line for line in planned.splitlines() if "[image-repository]" not in line)
    assert not _RESOURCE_CHANGE.search(others), planned[-6000:]
    run_step(tg, env_dir, apply)

    # Nothing left to change (-detailed-exitcode: 2 would mean changes, such as a new gateway).
    again = tg.run_all(env_dir, "plan", "-detailed-exitcode", check=False)
    assert again.returncode == 0, again.stdout[-8000:]
    after = tg.output(env_dir / "service")
    assert after["endpoint_base_url"] == before["endpoint"]
    assert gateway["attrs"]["hostname"] in after["endpoint_base_url"]
    assert after["url_tokens"] == before["tokens"]
    assert after["container_instance_id"] == instance["id"]
    assert after["gateway_id"] == gateway["id"]
    assert [g["id"] for g in oci_cloud.resources("oci_apigateway_gateway")] == [gateway["id"]]

    # The service unit now manages them: a destroy of the environment leaves nothing.
    tg.run_all(env_dir, "destroy")
    assert oci_cloud.resources() == []

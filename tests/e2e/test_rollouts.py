"""Day two on the data plane, at a shortened but ordered OCI pace: a client calls `tools/call`
through the gateway every 200 ms while the deployment is changed one apply at a time (image tag,
tag back, size, token added / client switched / old token retired). No call made with a valid
token may fail, for deploy/ (`terraform apply`) and for live/local (`terragrunt run --all
apply`); a retired token gets 403 right after its step. The same client against the design
before day two (the modules at PRE_ROLLOUT_COMMIT, replaced in place), and against live/'s
layout before the service unit (TWO_UNIT_COMMIT, instance and gateway in two states), must see
failed calls during a tag change: the test tells the designs apart.

The delays are OCI's (emulator/README.md, "Pace") scaled by PACE; none is zero. Figures (how
long each step took, calls answered/failed) are printed by benchmarks/rollouts.py.
"""

from __future__ import annotations

import contextlib
import io
import ssl
import time

import deploy_local
import docker.errors
import httpx
import pytest
import rollout_client as rc
import rollout_steps as steps

pytestmark = [pytest.mark.docker, pytest.mark.slow(minutes=4)]


@pytest.fixture
def paced(monkeypatch) -> None:
    """An emulated cloud started after this reads the pace from the environment."""
    monkeypatch.setenv("OCI_EMULATOR_PACE", steps.PACE)


@pytest.fixture
def live_stack(paced, tmp_path, e2e_image):
    stacks: list[steps.LiveStack] = []

    def make(commit: str | None = None) -> steps.LiveStack:
        stacks.append(steps.LiveStack(tmp_path / f"live-{len(stacks)}", e2e_image, commit))
        return stacks[-1]

    yield make
    for stack in stacks:
        stack.close()


def day_two(runner, form: int) -> rc.CallingClient:
    client = steps.day_two(runner, form)
    print("\n" + rc.report(client, runner.durations))
    assert client.running is False
    return client


def assert_no_failed_call(client: rc.CallingClient, durations: dict[str, float]) -> None:
    assert [f.step for f in client.figures()] == [
        "image tag changes",
        "image tag changes back",
        "size changes",
        "token added",
        "client switches",
        "old token retired",
        "after the last step",
    ]
    assert all(f.answered > 0 for f in client.figures()), rc.report(client, durations)
    assert not client.failed(), rc.report(client, durations)
    assert {c.credential for c in client.calls} == {"1", "2"}


def assert_refused(ca, url: str) -> None:
    """Refused by Galley (the gateway only checks that a token is there): 403, no challenge."""
    with httpx.Client(verify=ssl.create_default_context(cafile=str(ca)), trust_env=False) as http:
        refused = http.post(url, json=rc.BODY, headers=rc.HEADERS)
    assert refused.status_code == 403, refused.text
    assert "www-authenticate" not in refused.headers


def test_deploy_rolls_out_and_rotates_without_a_failed_call(paced, stack_factory):
    stack = stack_factory("deploy")
    runner = steps.DeployRollout(
        stack,
        image_tag=steps.FIRST_TAG,
        url_token_generations='["1"]',
        iam_propagation_wait_seconds="2",  # above the paced IAM delay (1 s at PACE 0.1)
    )
    runner.apply("first deploy")
    first_url = runner.credentials()["1"].url
    client = day_two(runner, 0)
    assert_no_failed_call(client, runner.durations)
    assert_refused(runner.ca, first_url)


def live_tag_change(stack: steps.LiveStack) -> rc.CallingClient:
    """One step (the image tag) on live/local, a client calling throughout: enough to tell a
    layout that fails calls."""
    stack.apply("first deploy")
    (first,) = stack.credentials().values()
    stack.wait_answering(first.url)
    step, *settings = steps.IMAGE_AND_SIZE[0]
    with rc.calling(first, stack.ca, steps.MAX_CALLS, steps.MAX_S, step) as client:
        stack.apply(step, client, **settings[1])
        client.step = "after the last step"
        time.sleep(2)
    print("\n" + rc.report(client, stack.durations))
    assert all(f.answered > 0 for f in client.figures()), rc.report(client, stack.durations)
    return client


def test_live_local_rolls_out_and_rotates_without_a_failed_call(live_stack):
    """Every step through `terragrunt run --all apply`: the service unit holds the instance and
    the gateway, one state, so the old instance is deleted only after the gateway moved."""
    stack = live_stack()
    stack.apply("first deploy")
    first_url = stack.credentials()["1"].url
    client = day_two(stack, 1)
    assert_no_failed_call(client, stack.durations)
    assert_refused(stack.ca, first_url)


def test_live_two_unit_layout_fails_calls_during_a_tag_change(live_stack):
    """The same step on the layout before the service unit (two units, two states): `run --all`
    deleted the old instance before the gateway's unit moved the backend."""
    stack = live_stack(steps.TWO_UNIT_COMMIT)
    client = live_tag_change(stack)
    assert client.failed(), rc.report(client, stack.durations)


def test_todays_design_fails_calls_during_a_tag_change(paced, stack_factory, tmp_path):
    """The same client, the same step, on the modules before day two: calls fail."""
    root = steps.git_export(steps.PRE_ROLLOUT_COMMIT, tmp_path / "old")
    stack = stack_factory("old", root=root)
    deploy_local.write_tfvars(root, stack.cloud.tenancy_id)  # as deploy-local does
    runner = steps.DeployRollout(stack, image_tag=steps.FIRST_TAG)
    # That design does not wait for IAM to settle: its first apply can fail on a grant not in
    # effect yet (issue 15), and a user runs it again. The tag change needs no new grant.
    runner.apply("first deploy", attempts=3)
    url = runner.current_url()
    runner.wait_answering(url)
    with rc.calling(
        rc.Credential(url), runner.ca, steps.MAX_CALLS, steps.MAX_S, "image tag changes"
    ) as client:
        runner.apply("image tag changes", client, image_tag=steps.SECOND_TAG)
        client.step = "after the last step"
        runner.wait_answering(url)
    print("\n" + rc.report(client, runner.durations))
    assert client.failed(), rc.report(client, runner.durations)


NEVER_HEALTHY_TAG = "0.0.0-never-healthy"


def test_an_image_that_never_gets_healthy_fails_the_apply_and_a_rollback_fails_no_call(
    paced, stack_factory, docker_client, e2e_image
):
    """README, "Changing a running deployment": the new instance never passes its health check,
    so the apply fails saying so while the old one keeps serving; the same command with the
    previous tag (a rollback) then succeeds, and leaves one instance. No call fails throughout."""
    stack = stack_factory("never-healthy")
    runner = steps.DeployRollout(
        stack,
        image_tag=steps.FIRST_TAG,
        iam_propagation_wait_seconds="2",
    )
    runner.apply("first deploy")
    url = runner.current_url()
    runner.wait_answering(url)
    (serving,) = stack.containers(docker_client)
    repository = serving.attrs["Config"]["Image"].rpartition(":")[0]
    # Galley's image with Galley replaced by a process that never answers /health.
    dockerfile = f'FROM {e2e_image.id}\nENTRYPOINT ["sleep", "infinity"]\nCMD []\n'
    never, _ = docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), rm=True)
    never.tag(repository, NEVER_HEALTHY_TAG)
    try:
        with rc.calling(
            rc.Credential(url), runner.ca, steps.MAX_CALLS, steps.MAX_S, "image never healthy"
        ) as client:
            new_vars = {**runner.vars, "image_tag": NEVER_HEALTHY_TAG}
            failed = stack.apply(*(f"{k}={v}" for k, v in new_vars.items()), tag_image=False)
            runner.apply("rollback", client)  # the same command with the previous tag
            client.step = "after the last step"
            time.sleep(2)
    finally:
        # A failed rollback leaves its container running: the stack's teardown removes it, and
        # the image's removal must not hide the failure.
        with contextlib.suppress(docker.errors.APIError):
            docker_client.images.remove(never.id, force=True)
    print("\n" + rc.report(client, runner.durations))

    # On one line: where Terraform wraps the message depends on the health details it quotes.
    output = " ".join((failed.stdout + failed.stderr).split())
    assert failed.returncode != 0
    assert "is not healthy" in output and f"galley:{NEVER_HEALTHY_TAG}" in output
    assert "The gateway still sends traffic to the previous instance" in output
    assert [f.step for f in client.figures()] == [
        "image never healthy", "rollback", "after the last step"
    ]  # fmt: skip
    assert all(f.answered > 0 for f in client.figures()), rc.report(client, runner.durations)
    assert not client.failed(), rc.report(client, runner.durations)
    assert len(stack.cloud.resources("oci_container_instances_container_instance")) == 1
    (running,) = [c for c in stack.containers(docker_client) if c.status == "running"]
    assert running.attrs["Config"]["Image"] == f"{repository}:{steps.FIRST_TAG}"
    assert running.id != serving.id  # the rollback is a new instance, like any change

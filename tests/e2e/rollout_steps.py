"""The day-two steps and the two ways a user applies them, for tests/e2e/test_rollouts.py and
benchmarks/rollouts.py: deploy/ with `terraform apply` (e2e_support.Stack) and live/local with
`terragrunt run --all apply` (LiveStack), each step timed.

A step is a set of changed settings; each runner keeps them cumulatively, as a user's edits to
terraform.tfvars or env.hcl stay.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import shutil
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import docker.errors
import rollout_client as rc
from docker.models.images import Image
from e2e_support import READINESS_WAIT, REPO_ROOT
from oci_emulator.dataplane import endpoints
from oci_emulator.harness import EmulatedCloud

sys.path.insert(0, str(REPO_ROOT / "tests" / "live"))
sys.path.insert(0, str(REPO_ROOT / "scripts"))
from deploy_local_terragrunt import MCP_PATH
from live_layer import TWO_UNIT_COMMIT as TWO_UNIT_COMMIT  # for test_rollouts.py
from live_layer import copy_layer
from terragrunt_cli import Terragrunt

# Scales every delay of emulator/src/oci_emulator/pace.py together (OCI_EMULATOR_PACE): the order
# of events stays OCI's (provision, pull, health, gateway update, delete), only shorter.
PACE = "0.1"
# The last commit of modules/ and deploy/ before day two (issue 15): an instance change replaces
# the only instance in place (destroy, then create) behind a gateway that points at its IP.
PRE_ROLLOUT_COMMIT = "bf202f6c21d96ed126823a04ee5f56cb93f60ff5"
FIRST_TAG = "0.1.0"
SECOND_TAG = "0.0.0-rollout"  # a retag of the test image: a new image_url replaces the instance
MAX_CALLS = 5000  # about 17 minutes at 200 ms
MAX_S = 1200.0
READY_S = 180.0

# (step, deploy/ -var settings, live/local env.hcl locals): the same change in both forms.
IMAGE_AND_SIZE: list[tuple[str, dict[str, str], dict[str, str]]] = [
    ("image tag changes", {"image_tag": SECOND_TAG}, {"image_tag": f'"{SECOND_TAG}"'}),
    ("image tag changes back", {"image_tag": FIRST_TAG}, {"image_tag": f'"{FIRST_TAG}"'}),
    (
        "size changes",
        {"ocpus": "2", "memory_in_gbs": "4"},
        {"container_ocpus": "2", "container_memory_in_gbs": "4"},
    ),
]
TOKEN_ADDED = ({"url_token_generations": '["1","2"]'}, {"url_token_generations": '["1", "2"]'})
OLD_TOKEN_RETIRED = ({"url_token_generations": '["2"]'}, {"url_token_generations": '["2"]'})


def day_two(runner: Any, form: int) -> rc.CallingClient:
    """Every step of issue 15 with a client calling throughout: image tag, tag back, size, token
    added, client switched, old token retired. `form` 0 = deploy/ -vars, 1 = live/ env.hcl
    locals. Returns the client, stopped, with every call recorded."""
    (first,) = runner.credentials().values()
    runner.wait_answering(first.url)
    with rc.calling(first, runner.ca, MAX_CALLS, MAX_S, IMAGE_AND_SIZE[0][0]) as client:
        for step, *settings in IMAGE_AND_SIZE:
            runner.apply(step, client, **settings[form])
        runner.apply("token added", client, **TOKEN_ADDED[form])
        client.step, client.credential = "client switches", runner.credentials()["2"]
        time.sleep(2)  # a few calls with the new token before the old one goes
        runner.apply("old token retired", client, **OLD_TOKEN_RETIRED[form])
        client.step = "after the last step"
        time.sleep(2)
    return client


def git_export(commit: str, target: Path, *paths: str) -> Path:
    """deploy/ and modules/ (or `paths`) as they were at `commit`, in target; returns deploy/."""
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, *(paths or ("deploy", "modules"))],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target / "deploy"


def credentials(state_dir: Path, urls: dict[str, dict[str, str]]) -> dict[str, rc.Credential]:
    """Each valid token's query-form URL, on the gateway's 127.0.0.1 port, by generation."""
    return {
        name: rc.Credential(endpoints.wait_for_local_url(state_dir, u["url"], 30), name=name)
        for name, u in urls.items()
    }


class DeployRollout:
    """deploy/ (or an older copy of it) with `terraform apply`; -var settings cumulative."""

    def __init__(self, stack: Any, **tf_vars: str) -> None:
        self.stack = stack
        self.vars = dict(tf_vars)
        self.durations: dict[str, float] = {}

    @property
    def ca(self) -> Path:
        return self.stack.ca

    def apply(
        self, step: str, client: rc.CallingClient | None = None, attempts: int = 1, **changes: str
    ) -> None:
        self.vars.update(changes)
        if client is not None:
            client.step = step
        started = time.monotonic()
        for attempt in range(attempts):
            done = self.stack.apply(*(f"{k}={v}" for k, v in self.vars.items()))
            if done.returncode == 0 or attempt == attempts - 1:
                break
        self.durations[step] = time.monotonic() - started
        assert done.returncode == 0, f"{step}:\n{done.stdout[-4000:]}\n{done.stderr}"

    def credentials(self) -> dict[str, rc.Credential]:
        return credentials(self.stack.cloud.state_dir, self.stack.outputs()["mcp_endpoint_urls"])

    def current_url(self) -> str:
        """The query-form URL of the current token (an output the older design has too)."""
        remote = self.stack.outputs()["mcp_endpoint_url"]
        return endpoints.wait_for_local_url(self.stack.cloud.state_dir, remote, 30)

    def wait_answering(self, url: str) -> None:
        self.stack.wait_healthy(url, timeout_s=READY_S)


class LiveStack:
    """A copy of the live layer (this checkout's, or the one at `commit`) applied with
    `terragrunt run --all apply` (Terraform) onto an emulated cloud with a data plane; settings
    are edits to live/local/env.hcl's locals."""

    def __init__(self, workdir: Path, image: Image, commit: str | None = None) -> None:
        self.image = image
        self.cloud = EmulatedCloud(workdir / "cloud", data_plane=True).start()
        if not self.cloud.data_plane:
            self.cloud.stop()
            raise AssertionError(
                f"the data plane did not start: {self.cloud.data_plane_off_reason}"
            )
        if commit is None:
            layer = copy_layer(workdir / "layer")
        else:
            git_export(commit, workdir / "layer", "root.hcl", "mise.toml", "live", "modules")
            layer = workdir / "layer"
        self.env_dir = layer / "live" / "local"
        if commit is None:  # the layouts before it have no such local
            self.set_locals(readiness_wait_seconds=READINESS_WAIT)
        # A namespace of its own: the image tags below are removed at close(), and another live
        # stack running at the same time must not lose the tags its instances run.
        namespace = f"localemulator{secrets.token_hex(4)}"
        self.set_locals(image_namespace=f'"{namespace}"')
        terraform = shutil.which("terraform")
        assert terraform is not None, "terraform is not on PATH"
        self.tg = Terragrunt(dict(self.cloud.env))
        self.durations: dict[str, float] = {}
        self._tags: list[str] = []
        # The container's image_url (modules/container-instance, from env.hcl's namespace and
        # repository): the data plane runs only images the local engine holds.
        for tag in (FIRST_TAG, SECOND_TAG):
            repository = f"ocir.us-ashburn-1.oci.oraclecloud.com/{namespace}/galley"
            image.tag(repository, tag)
            self._tags.append(f"{repository}:{tag}")

    @property
    def ca(self) -> Path:
        return endpoints.ca_path(self.cloud.state_dir)

    def set_locals(self, **values: str) -> None:
        env_hcl = self.env_dir / "env.hcl"
        text = env_hcl.read_text()
        for name, value in values.items():
            text, found = re.subn(
                rf"^(\s*){name}(\s*)=.*$", rf"\g<1>{name}\g<2>= {value}", text, flags=re.M
            )
            assert found == 1, f"{name} is not a local of {env_hcl}"
        env_hcl.write_text(text)

    def apply(self, step: str, client: rc.CallingClient | None = None, **values: str) -> None:
        self.set_locals(**values)
        if client is not None:
            client.step = step
        started = time.monotonic()
        done = self.tg.run_all(self.env_dir, "apply", check=False)
        self.durations[step] = time.monotonic() - started
        assert done.returncode == 0, f"{step}:\n{done.output[-6000:]}"

    def credentials(self) -> dict[str, rc.Credential]:
        if (self.env_dir / "service").is_dir():
            gateway = instance = self.tg.output(self.env_dir / "service")
        else:  # the two-unit layout
            gateway = self.tg.output(self.env_dir / "api-gateway")
            instance = self.tg.output(self.env_dir / "container-instance")
        base = f"{gateway['endpoint_base_url']}{MCP_PATH}?{gateway['token_query_parameter']}="
        urls = {name: {"url": base + token} for name, token in instance["url_tokens"].items()}
        return credentials(self.cloud.state_dir, urls)

    def wait_answering(self, url: str) -> None:
        import deploy_local

        deploy_local.wait_until_answers(url, self.ca, READY_S)

    def close(self) -> None:
        self.cloud.stop()  # stops the daemon, which stops and removes the containers
        for reference in self._tags:
            with contextlib.suppress(docker.errors.APIError):
                self.image.client.images.remove(reference, noprune=True)

"""Helpers of the end-to-end tests: a Terraform root applied onto an emulated cloud with a data
plane, and bounded polling."""

from __future__ import annotations

import contextlib
import json
import re
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import docker
import docker.errors
import httpx
import pytest
from docker.models.images import Image

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "scripts"))
sys.path.insert(0, str(REPO_ROOT / "tests" / "docker"))
import deploy_local  # noqa: E402
import galley_image_kit as kit  # noqa: E402
from oci_emulator.dataplane import containers, endpoints  # noqa: E402
from oci_emulator.harness import EmulatedCloud  # noqa: E402

IMAGE_TAG = kit.E2E_IMAGE_TAG
READY_TIMEOUT_S = 90
# Seconds a new instance gets to pass its health check in a rollout (readiness_wait_seconds).
# deploy-local's 7 s (initial delay + 2 intervals + timeout) was too short for Galley to start
# on CI with every worker busy (stop 23's CI run); a longer wait changes no step's order.
READINESS_WAIT = 30


class Stack:
    """A Terraform root applied onto an emulated cloud whose data plane runs it."""

    def __init__(self, workdir: Path, image: Image, root: Path | None = None) -> None:
        self.image = image
        self.cloud = EmulatedCloud(workdir / "cloud", data_plane=True).start()
        if not self.cloud.data_plane:
            self.cloud.stop()
            pytest.fail(f"the data plane did not start: {self.cloud.data_plane_off_reason}")
        if root is None:
            root = deploy_local.sync_sources(workdir / "work")
            deploy_local.write_tfvars(root, self.cloud.tenancy_id)
            # deploy/'s own waits sized to the emulated pace, as deploy-local sizes them: the IAM
            # wait stays above the paced propagation delay and a rollout still waits for a
            # healthy instance, without a newcomer's 60 s at OCI's pace. A -var still wins.
            paced = (arg.removeprefix("-var=") for arg in deploy_local.paced_waits())
            waits = [*paced, f"readiness_wait_seconds={READINESS_WAIT}"]
            (root / "paced_waits.auto.tfvars").write_text("".join(f"{v}\n" for v in waits))
        self.root = root
        self._tags: list[str] = []
        self.terraform("init", "-input=false")

    def terraform(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            ["terraform", *args, "-no-color"],
            cwd=self.root,
            env=self.cloud.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        if check and done.returncode != 0:
            pytest.fail(f"terraform {args[0]} failed:\n{done.stdout[-3000:]}\n{done.stderr}")
        return done

    def apply(self, *tf_vars: str, tag_image: bool = True) -> subprocess.CompletedProcess[str]:
        """Plan, tag the test image under every image_url the plan names, apply the plan."""
        var_args = [f"-var={v}" for v in tf_vars]
        self.terraform("plan", "-input=false", "-out=tfplan", *var_args)
        if tag_image:
            plan = json.loads(self.terraform("show", "-json", "tfplan").stdout)
            for reference in deploy_local.planned_images(plan):
                repository, _, tag = reference.rpartition(":")
                self.image.tag(repository, tag)
                self._tags.append(reference)
        return self.terraform("apply", "-input=false", "tfplan", check=False)

    def outputs(self) -> dict[str, Any]:
        raw = json.loads(self.terraform("output", "-json").stdout)
        return {name: output["value"] for name, output in raw.items()}

    @property
    def ca(self) -> Path:
        return endpoints.ca_path(self.cloud.state_dir)

    def status(self) -> dict[str, Any]:
        return self.cloud.data_plane_status()

    def local_url(self, output: str = "mcp_endpoint_url") -> str:
        return endpoints.wait_for_local_url(self.cloud.state_dir, self.outputs()[output], 30)

    def http(self) -> httpx.Client:
        # trust_env=False: a proxy configured for the machine must not capture loopback.
        verify = ssl.create_default_context(cafile=str(self.ca))
        return httpx.Client(verify=verify, trust_env=False, timeout=10)

    def drop_policy_statement(self, statement: re.Pattern[str], *tf_vars: str) -> None:
        """Remove the one statement `statement` matches from this stack's copy of modules/iam
        and apply: what an operator's edit of the policy does to the running instance."""
        iam = self.root.parent / "modules" / "iam" / "main.tf"
        text = iam.read_text()
        assert len(statement.findall(text)) == 1, statement.pattern
        iam.write_text(statement.sub("", text))
        done = self.apply(*tf_vars)
        assert done.returncode == 0, done.stdout + done.stderr

    def wait_healthy(self, url: str, timeout_s: float = READY_TIMEOUT_S) -> None:
        deploy_local.wait_until_answers(url, self.ca, timeout_s)

    def wait_checks_pass(self, timeout_s: float = READY_TIMEOUT_S) -> None:
        """Until every container's health checks are HEALTHY in the data plane: what the next
        apply's readiness read requires of a running instance."""

        def passing() -> bool:
            """every container of every instance HEALTHY"""
            instances = self.status()["instances"].values()
            return bool(instances) and all(
                set(container["health"].values()) == {"HEALTHY"}
                for instance in instances
                for container in instance["containers"]
            )

        poll(passing, timeout_s, 0.5)

    def containers(self, client: docker.DockerClient) -> list[Any]:
        label = f"{containers.LABEL_CLOUD}={containers.cloud_key(self.cloud.state_dir)}"
        return client.containers.list(all=True, filters={"label": label})

    def close(self) -> None:
        self.cloud.stop()  # stops the daemon, which stops and removes the containers
        for reference in self._tags:  # the image stays under its own tag
            with contextlib.suppress(docker.errors.APIError):
                self.image.client.images.remove(reference, noprune=True)


def poll(check: Any, timeout_s: float, interval_s: float = 0.1) -> Any:
    """Call check() until it returns something truthy; bounded in time."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval_s)
    raise AssertionError(f"not reached within {timeout_s:g}s: {check.__doc__ or check}")

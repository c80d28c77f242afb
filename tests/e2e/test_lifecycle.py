"""The data plane keeps the stack as the cloud holds it: restarts after a crash or a failed
health check, replacement on a new image tag, a failed apply for a missing image, nothing left
after destroy."""

from __future__ import annotations

import re
import socket
import subprocess
import time
from datetime import datetime

import anyio
import httpx
import mcp_check
import pytest
from e2e_support import REPO_ROOT, poll
from oci_emulator import pace
from oci_emulator.harness import write_root

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("e2e-lifecycle")]
BAD_GATEWAY = {"code": 502, "message": "Bad Gateway"}


def health_url(url: str) -> str:
    return url.replace("/mcp?", "/health?")


def answers(stack, url: str) -> tuple[int, object]:
    try:
        with stack.http() as http:
            response = http.get(health_url(url))
    except httpx.HTTPError as exc:
        return 0, type(exc).__name__
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


def only_container(stack) -> dict:
    (instance,) = stack.status()["instances"].values()
    (container,) = instance["containers"]
    return container


@pytest.fixture
def running(stack_factory):
    stack = stack_factory()
    done = stack.apply()
    assert done.returncode == 0, done.stdout + done.stderr
    url = stack.local_url()
    stack.wait_healthy(url)
    return stack, url


def test_killed_container_is_restarted_and_the_gateway_recovers(running, docker_client):
    stack, url = running
    before = only_container(stack)
    docker_client.containers.get(before["docker_id"]).kill()

    seen: list[tuple[int, object]] = []

    def back() -> bool:
        """the gateway answers 502 while Galley is down, then 200 again"""
        seen.append(answers(stack, url))
        return seen[-1][0] == 200 and any(status == 502 for status, _ in seen)

    poll(back, 60, 0.05)
    assert (502, BAD_GATEWAY) in seen
    after = only_container(stack)
    assert after["docker_id"] == before["docker_id"]  # the same container, restarted
    assert after["restarts"] >= 1
    trip = anyio.run(mcp_check.round_trip, url, stack.ca)
    assert trip.is_error is False


FAST_HEALTH_ROOT = """
variable "compartment_id" { type = string }
provider "oci" { region = "us-ashburn-1" }
data "oci_objectstorage_namespace" "this" { compartment_id = var.compartment_id }
module "network" {
  source         = "REPO/modules/network"
  compartment_id = var.compartment_id
  galley_port    = 8000
}
module "container_instance" {
  source           = "REPO/modules/container-instance"
  compartment_id   = var.compartment_id
  region           = "us-ashburn-1"
  subnet_id        = module.network.private_subnet_id
  bucket_name      = "galley-e2e"
  bucket_namespace = data.oci_objectstorage_namespace.this.namespace
  # Fast to notice a frozen container, not to judge a starting one: on a loaded CI machine
  # Galley took longer than 1 s + 2 failed 1 s probes to start, and the check killed it over and
  # over (the readiness read then saw no running container). The readiness wait covers the
  # initial delay and a few probes.
  readiness_wait_seconds = 25
  health_check = {
    initial_delay_in_seconds = 10
    interval_in_seconds      = 1
    timeout_in_seconds       = 2
    failure_threshold        = 2
  }
}
module "api_gateway" {
  source         = "REPO/modules/api-gateway"
  compartment_id = var.compartment_id
  subnet_id      = module.network.public_subnet_id
  backend_ip     = module.container_instance.private_ip
  backend_port   = 8000
}
locals {
  token = module.container_instance.url_token
}
output "mcp_endpoint_url" {
  value     = "${module.api_gateway.endpoint_base_url}/mcp?token=${local.token}"
  sensitive = true
}
"""


def test_unhealthy_container_is_killed_by_its_health_check_and_restarted(
    stack_factory, tmp_path, docker_client
):
    root = write_root(tmp_path / "fast-health", FAST_HEALTH_ROOT.replace("REPO", str(REPO_ROOT)))
    stack = stack_factory("fast", root)
    done = stack.apply(f"compartment_id={stack.cloud.tenancy_id}")
    assert done.returncode == 0, done.stdout + done.stderr
    url = stack.local_url()
    stack.wait_healthy(url)
    poll(lambda: only_container(stack)["health"] == {"galley-health": "HEALTHY"}, 30)
    before = only_container(stack)

    # Frozen, not dead: only the health check can tell (the process still exists).
    docker_client.containers.get(before["docker_id"]).pause()
    started = time.monotonic()
    poll(lambda: only_container(stack)["restarts"] >= 1, 60, 0.2)
    noticed = time.monotonic() - started
    poll(lambda: answers(stack, url)[0] == 200, 60)
    after = only_container(stack)
    assert after["docker_id"] == before["docker_id"]
    assert after["state"] == "running"
    # the probes already run: 2 failures at 1 s intervals, 2 s timeouts, well under 15 s
    assert noticed < 15, noticed
    log = (stack.cloud.state_dir / "dataplane" / "daemon.log").read_text()
    assert "is unhealthy, killing it" in log


def test_a_new_image_tag_replaces_the_container_and_the_url_keeps_working(running, docker_client):
    stack, url = running
    before = only_container(stack)
    token = stack.outputs()["url_token"]

    done = stack.apply("image_tag=0.1.1-e2e")
    assert done.returncode == 0, done.stdout + done.stderr
    # the instance is replaced (with whatever the module ties to it)
    assert re.search(r"Resources: [1-9]\d* added, \d+ changed, [1-9]\d* destroyed", done.stdout)

    def replaced() -> dict | None:
        """a new container runs the new tag and the old one is gone"""
        try:
            current = only_container(stack)
        except ValueError:
            return None
        new = current["image"].endswith(":0.1.1-e2e") and current["state"] == "running"
        return current if new and current["docker_id"] != before["docker_id"] else None

    after = poll(replaced, 90, 0.2)
    assert stack.outputs()["url_token"] == token
    assert stack.local_url() == url  # same gateway, same port, same token
    stack.wait_healthy(url)
    trip = anyio.run(mcp_check.round_trip, url, stack.ca)
    assert trip.is_error is False
    ids = {c.id for c in stack.containers(docker_client)}
    assert ids == {after["docker_id"]}


def test_an_image_the_engine_lacks_fails_the_apply_naming_it(stack_factory, docker_client):
    stack = stack_factory()
    done = stack.apply("image_tag=0.0.0-not-built", tag_image=False)
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "work request did not succeed" in output
    assert "entity: containerinstance, action: CREATED" in output
    assert re.search(r"Failed to pull\s+image\s+ocir\.us-ashburn-1\.oci\.oraclecloud\.com/", output)
    assert "galley:0.0.0-not-built" in output
    assert stack.cloud.resources("oci_container_instances_container_instance") == []
    assert stack.containers(docker_client) == []


def test_destroy_leaves_no_container_and_no_listener(running, docker_client):
    stack, url = running
    port = int(re.search(r"127\.0\.0\.1:(\d+)/", url).group(1))
    assert stack.containers(docker_client)

    stack.terraform("destroy", "-auto-approve", "-input=false")

    def empty() -> bool:
        """the data plane runs and serves nothing"""
        current = stack.status()
        return not (current["instances"] or current["gateways"] or current["stopping"])

    poll(empty, 60, 0.2)
    assert stack.containers(docker_client) == []
    assert stack.status()["addresses"] == {}
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", port), timeout=5).close()


# --- OCI's pace on the data plane (emulator/README.md, "Pace") -------------------------------

PACED_ROOT = """
variable "compartment_id" { type = string }
variable "answer" {
  type    = string
  default = "old"
}
provider "oci" { region = "us-ashburn-1" }
data "oci_identity_availability_domains" "ads" { compartment_id = var.compartment_id }
resource "oci_core_vcn" "v" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
}
resource "oci_core_subnet" "s" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.v.id
  cidr_block     = "10.0.2.0/24"
}
resource "oci_apigateway_gateway" "gw" {
  compartment_id = var.compartment_id
  endpoint_type  = "PUBLIC"
  subnet_id      = oci_core_subnet.s.id
}
resource "oci_apigateway_deployment" "d" {
  compartment_id = var.compartment_id
  gateway_id     = oci_apigateway_gateway.gw.id
  path_prefix    = "/paced"
  specification {
    routes {
      path    = "/answer"
      methods = ["GET"]
      backend {
        type   = "STOCK_RESPONSE_BACKEND"
        status = 200
        body   = var.answer
      }
    }
  }
}
INSTANCE
"""

PACED_INSTANCE = """
resource "oci_container_instances_container_instance" "ci" {
  compartment_id      = var.compartment_id
  availability_domain = data.oci_identity_availability_domains.ads.availability_domains[0].name
  shape               = "CI.Standard.E4.Flex"
  shape_config {
    ocpus         = 1
    memory_in_gbs = 2
  }
  containers {
    image_url = "ocir.us-ashburn-1.oci.oraclecloud.com/ns/paced:1"
    command   = ["python", "-m", "http.server", "8000"]
    health_checks {
      name                = "serves"
      health_check_type   = "HTTP"
      port                = 8000
      path                = "/"
      interval_in_seconds = 1
      failure_threshold   = 2
    }
    health_checks {
      name                = "never"
      health_check_type   = "HTTP"
      port                = 8000
      path                = "/never-there"
      interval_in_seconds = 1
      failure_threshold   = 2
      failure_action      = "NONE"
    }
  }
  vnics {
    subnet_id  = oci_core_subnet.s.id
    private_ip = "10.0.2.10"
  }
}
data "oci_container_instances_container_instance" "now" {
  container_instance_id = oci_container_instances_container_instance.ci.id
}
output "observed" {
  value = [
    for c in data.oci_container_instances_container_instance.now.containers : {
      state  = c.state
      checks = { for h in c.health_checks : h.name => h.status }
    }
  ]
}
"""
PROVISION_S, PULL_S, DELETE_S, UPDATE_S = 1.0, 2.0, 2.0, 3.0


@pytest.fixture
def paced(monkeypatch, stack_factory, tmp_path, e2e_image):
    """A stack whose work requests take seconds (set before its cloud starts), and a root."""

    def make(with_instance: bool):
        monkeypatch.setenv(pace.PACE_ENV, "1")
        for name, seconds in {
            "container_instance_provision": PROVISION_S,
            "container_image_pull": PULL_S,
            "container_instance_delete": DELETE_S,
            "apigateway_deployment_create": 0.5,
            "apigateway_deployment_update": UPDATE_S,
        }.items():
            monkeypatch.setenv(pace.DELAY_ENV_PREFIX + name.upper(), str(seconds))
        main = PACED_ROOT.replace("INSTANCE", PACED_INSTANCE if with_instance else "")
        root = write_root(tmp_path / "paced", main)
        stack = stack_factory("paced", root)
        return stack, f"compartment_id={stack.cloud.tenancy_id}"

    return make


def test_create_blocks_until_the_containers_run_and_health_reaches_the_data_source(
    paced, docker_client
):
    stack, compartment = paced(with_instance=True)
    started = time.time()
    done = stack.apply(compartment)
    returned = time.time()
    assert done.returncode == 0, done.stdout + done.stderr
    assert returned - started >= PROVISION_S + PULL_S
    # The apply returned with the containers already running (OCI's work request ends when they
    # are started), and they started only after the image was pulled.
    (instance,) = stack.status()["instances"].values()
    (container,) = instance["containers"]
    assert container["state"] == "running"
    started_at = docker_client.containers.get(container["docker_id"]).attrs["State"]["StartedAt"]
    started_ts = datetime.fromisoformat(started_at.replace("Z", "+00:00")[:26] + "+00:00")
    assert started_ts.timestamp() >= started + PROVISION_S + PULL_S - 0.5

    def observed() -> list | None:
        """the data source reads one healthy and one unhealthy check"""
        stack.terraform(
            "apply", "-refresh-only", "-auto-approve", "-input=false", f"-var={compartment}"
        )
        value = stack.outputs()["observed"]
        return value if value[0]["checks"]["never"] == "UNHEALTHY" else None

    (seen,) = poll(observed, 60, 0.5)
    assert seen == {"state": "ACTIVE", "checks": {"serves": "HEALTHY", "never": "UNHEALTHY"}}
    (record,) = stack.cloud.resources("oci_container_instances_container_instance")
    never = record["attrs"]["containers"][0]["health_checks"][1]
    assert never["status_details"] == "HTTP /never-there on port 8000: failed"

    # Destroy waits for the delete work request; the container is stopped meanwhile.
    started = time.monotonic()
    stack.terraform("destroy", "-auto-approve", "-input=false", f"-var={compartment}")
    assert time.monotonic() - started >= DELETE_S
    assert stack.containers(docker_client) == []


def test_a_deployment_update_keeps_the_old_backend_until_it_ends(paced):
    stack, compartment = paced(with_instance=False)
    done = stack.apply(compartment)
    assert done.returncode == 0, done.stdout + done.stderr
    (gateway,) = stack.status()["gateways"].values()
    url = f"https://127.0.0.1:{gateway['port']}/paced/answer"
    with stack.http() as http:
        assert http.get(url).text == "old"
        seen: list[tuple[float, str]] = []
        started = time.monotonic()
        process = subprocess.Popen(
            [
                "terraform",
                "apply",
                "-auto-approve",
                "-input=false",
                "-no-color",
                f"-var={compartment}",
                "-var=answer=new",
            ],
            cwd=stack.root,
            env=stack.cloud.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        while process.poll() is None and time.monotonic() - started < 60:
            seen.append((time.monotonic() - started, http.get(url).text))
            time.sleep(0.05)
        ended = time.monotonic() - started
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0, out
        after = http.get(url).text
    first_new = next((t for t, body in seen if body == "new"), ended)
    assert first_new >= UPDATE_S, seen  # the old specification answered until the delay ended
    bodies = [body for _, body in seen]
    assert set(bodies) <= {"old", "new"}, seen
    assert bodies == sorted(bodies, key=lambda body: body == "new"), seen  # never back to old
    assert after == "new"  # the apply returned once the data plane served the new one
    assert any(body == "old" for t, body in seen if t > 1.0), seen

"""The emulated cloud keeps OCI's pace (no data plane here): the provider's apply waits for each
work request, and what OCI holds meanwhile (CREATING, DELETING with its private IP, UPDATING with
the previous specification served) is what the cloud holds. Delays are seconds here, at pace 1,
so the order of events is the one OCI shows."""

from __future__ import annotations

import subprocess
import threading
import time
from pathlib import Path

import pytest
from oci_emulator import pace
from oci_emulator.dataplane import desired
from oci_emulator.harness import write_root

INSTANCE = "oci_container_instances_container_instance"
DEPLOYMENT = "oci_apigateway_deployment"

ROOT = """
variable "compartment_id" { type = string }
variable "tag" {
  type    = string
  default = "0.1.0"
}
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
resource "oci_container_instances_container_instance" "ci" {
  compartment_id      = var.compartment_id
  availability_domain = data.oci_identity_availability_domains.ads.availability_domains[0].name
  shape               = "CI.Standard.E4.Flex"
  shape_config {
    ocpus         = 1
    memory_in_gbs = 2
  }
  containers {
    image_url = "ocir.us-ashburn-1.oci.oraclecloud.com/ns/galley:${var.tag}"
    health_checks {
      health_check_type = "HTTP"
      port              = 8000
      path              = "/health"
    }
  }
  vnics {
    subnet_id  = oci_core_subnet.s.id
    private_ip = "10.0.2.10"
  }
  LIFECYCLE
}
resource "oci_apigateway_gateway" "gw" {
  compartment_id = var.compartment_id
  endpoint_type  = "PUBLIC"
  subnet_id      = oci_core_subnet.s.id
}
resource "oci_apigateway_deployment" "d" {
  compartment_id = var.compartment_id
  gateway_id     = oci_apigateway_gateway.gw.id
  path_prefix    = "/galley"
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
data "oci_container_instances_container_instance" "now" {
  container_instance_id = oci_container_instances_container_instance.ci.id
}
output "health" {
  value = data.oci_container_instances_container_instance.now.containers[0].health_checks[0].status
}
"""

CREATE_S = 1.0  # provisioning
PULL_S = 1.0
DELETE_S = 2.0
UPDATE_S = 2.0


@pytest.fixture
def cloud(monkeypatch, oci_cloud_factory):
    """A cloud whose work requests take seconds (set before its provider server starts)."""
    monkeypatch.setenv(pace.PACE_ENV, "1")
    for name, seconds in {
        "container_instance_provision": CREATE_S,
        "container_image_pull": PULL_S,
        "container_instance_delete": DELETE_S,
        "apigateway_deployment_create": 0.2,
        "apigateway_deployment_update": UPDATE_S,
    }.items():
        monkeypatch.setenv(pace.DELAY_ENV_PREFIX + name.upper(), str(seconds))
    return oci_cloud_factory()


def _root(tmp_path: Path, lifecycle: str = "") -> Path:
    root = write_root(tmp_path / "root", ROOT.replace("LIFECYCLE", lifecycle))
    return root


def _terraform(cloud, root: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        ["terraform", *args, "-no-color", "-input=false"],
        cwd=root,
        env=cloud.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _apply(cloud, root: Path, *variables: str) -> tuple[int, str, float]:
    started = time.monotonic()
    args = ["apply", "-auto-approve", *(f"-var={v}" for v in variables)]
    args.append(f"-var=compartment_id={cloud.tenancy_id}")
    process = _terraform(cloud, root, *args)
    out, _ = process.communicate(timeout=120)
    return process.returncode, out, time.monotonic() - started


def _watch(cloud, type_: str, seconds: float) -> list[str]:
    """The lifecycle states the cloud records for `type_` over `seconds`, in order, deduplicated."""
    seen: list[str] = []
    key = "state" if type_ == INSTANCE else "lifecycle_state"
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for record in cloud.resources(type_):
            state = str(record["attrs"].get(key))
            if not seen or seen[-1] != state:
                seen.append(state)
        time.sleep(0.05)
    return seen


def _in_background(fn, *args):
    result: dict[str, object] = {}
    thread = threading.Thread(target=lambda: result.update(value=fn(*args)), daemon=True)
    thread.start()
    return thread, result


def test_create_blocks_until_the_instance_is_active(cloud, tmp_path):
    root = _root(tmp_path)
    _terraform(cloud, root, "init").communicate(timeout=120)
    thread, result = _in_background(_apply, cloud, root)
    states = _watch(cloud, INSTANCE, CREATE_S + PULL_S + 3)
    thread.join(60)
    code, out, took = result["value"]  # type: ignore[misc]
    assert code == 0, out
    assert states[:2] == ["CREATING", "ACTIVE"], states
    assert took >= CREATE_S + PULL_S
    (instance,) = cloud.resources(INSTANCE)
    assert instance["attrs"]["containers"][0]["state"] == "ACTIVE"
    assert "work_request" not in str(instance["attrs"])
    # No data plane: nothing runs, and the cloud reports the recorded container as healthy.
    assert 'health = "HEALTHY"' in out


def test_replace_in_place_waits_for_the_delete_and_reuses_the_ip(cloud, tmp_path):
    root = _root(tmp_path)
    _terraform(cloud, root, "init").communicate(timeout=120)
    assert _apply(cloud, root)[0] == 0
    thread, result = _in_background(_apply, cloud, root, "tag=0.1.1")
    states = _watch(cloud, INSTANCE, DELETE_S + CREATE_S + PULL_S + 3)
    thread.join(60)
    code, out, took = result["value"]  # type: ignore[misc]
    assert code == 0, out
    # the old instance is DELETING (holding 10.0.2.10) until its work request ends, then the
    # new one is created with the same IP: the outage lasts both work requests.
    assert "DELETING" in states and states.index("DELETING") < states.index("CREATING"), states
    assert took >= DELETE_S + CREATE_S + PULL_S
    (instance,) = cloud.resources(INSTANCE)
    assert instance["attrs"]["vnics"][0]["private_ip"] == "10.0.2.10"


def test_create_before_destroy_cannot_take_an_ip_still_held(cloud, tmp_path):
    root = _root(tmp_path, "lifecycle {\n    create_before_destroy = true\n  }")
    _terraform(cloud, root, "init").communicate(timeout=120)
    assert _apply(cloud, root)[0] == 0
    code, out, _ = _apply(cloud, root, "tag=0.1.1")
    assert code != 0
    text = " ".join(out.split())
    assert "409-Conflict: vnics private_ip 10.0.2.10 is already in use" in text
    (instance,) = cloud.resources(INSTANCE)  # the old one still serves
    assert instance["attrs"]["containers"][0]["image_url"].endswith(":0.1.0")


def test_a_deployment_update_serves_the_previous_specification_until_it_ends(cloud, tmp_path):
    root = _root(tmp_path)
    _terraform(cloud, root, "init").communicate(timeout=120)
    assert _apply(cloud, root)[0] == 0

    def served() -> str:
        (gateway,) = desired.gateways(cloud.store.snapshot().resources)
        (deployment,) = gateway.deployments
        return deployment.routes[0].backend.body

    assert served() == "old"
    thread, result = _in_background(_apply, cloud, root, "answer=new")
    answers, deadline = [], time.monotonic() + UPDATE_S + 3
    while time.monotonic() < deadline and thread.is_alive():
        (record,) = cloud.resources(DEPLOYMENT)
        answers.append((record["attrs"]["lifecycle_state"], served()))
        time.sleep(0.05)
    thread.join(60)
    code, out, took = result["value"]  # type: ignore[misc]
    assert code == 0, out
    assert ("UPDATING", "old") in answers, answers  # the old backend keeps answering
    assert ("UPDATING", "new") not in answers
    assert took >= UPDATE_S
    assert served() == "new"
    (record,) = cloud.resources(DEPLOYMENT)
    assert record["attrs"]["lifecycle_state"] == "ACTIVE"


def test_pace_scales_every_delay_and_one_can_be_set():
    env = {pace.PACE_ENV: "0.5", "OCI_EMULATOR_DELAY_CONTAINER_IMAGE_PULL": "4"}
    assert pace.seconds("container_image_pull", env) == 2.0
    assert pace.seconds("container_instance_delete", env) == 0.5 * 30
    with pytest.raises(pace.PaceError, match="OCI_EMULATOR_PACE='fast'"):
        pace.seconds("container_image_pull", {pace.PACE_ENV: "fast"})


def test_health_the_data_plane_writes_is_read_back_and_is_no_drift(cloud, tmp_path):
    """What the data plane writes (reconcile.py) reaches the data source; plans stay empty."""
    root = _root(tmp_path)
    _terraform(cloud, root, "init").communicate(timeout=120)
    assert _apply(cloud, root)[0] == 0
    with cloud.store.transaction() as world:
        (record,) = [r for r in world.resources.values() if r["type"] == INSTANCE]
        check = record["attrs"]["containers"][0]["health_checks"][0]
        check.update(status="UNHEALTHY", status_details="HTTP /health on port 8000: failed")
    plan = _terraform(cloud, root, "plan", f"-var=compartment_id={cloud.tenancy_id}")
    out, _ = plan.communicate(timeout=120)
    assert plan.returncode == 0, out
    # Only the output that reads the health changes; no resource is planned to change.
    assert "Plan:" not in out, out
    assert 'health = "HEALTHY" -> "UNHEALTHY"' in out
    code, out, _ = _apply(cloud, root)
    assert code == 0, out
    assert 'health = "UNHEALTHY"' in out

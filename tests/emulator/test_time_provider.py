"""hashicorp/time through Terraform: time_sleep sleeps, triggers replace, time_rotating rotates."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest
import tftest
from oci_emulator.time_resources import add_months, duration_seconds, rotation_values

SLEEP = """
variable "generation" {
  type    = string
  default = "1"
}
variable "create_duration" {
  type    = string
  default = "2s"
}
resource "time_sleep" "wait" {
  create_duration = var.create_duration
  triggers        = { generation = var.generation }
}
output "id" { value = time_sleep.wait.id }
"""


def _timed_apply(tf: tftest.TerraformTest, **tf_vars: str) -> float:
    started = time.monotonic()
    tf.apply(tf_vars=tf_vars)
    return time.monotonic() - started


def test_sleep_waits_on_create_and_again_only_when_a_trigger_changes(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, SLEEP)
    assert _timed_apply(tf) >= 2.0
    first = tf.output()["id"]
    assert datetime.fromisoformat(first).tzinfo is not None

    # A new create_duration alone is an in-place update: no delay, same id (the provider's
    # "Updating this value by itself will not trigger a delay").
    assert _timed_apply(tf, create_duration="3s") < 2.0
    assert tf.output()["id"] == first

    plan = tf.plan(output=True, tf_vars={"generation": "2", "create_duration": "3s"})
    assert plan.resource_changes["time_sleep.wait"]["change"]["actions"] == ["delete", "create"]
    assert _timed_apply(tf, generation="2", create_duration="3s") >= 3.0


@pytest.mark.parametrize("duration", ["30", "5 s", "1d", "-1s"])
def test_sleep_refuses_a_duration_the_provider_refuses(oci_cloud, tf_root, duration):
    tf = tf_root(oci_cloud, SLEEP)
    with pytest.raises(tftest.TerraformTestError) as failed:
        tf.plan(tf_vars={"create_duration": duration})
    assert "must be a number immediately followed by ms" in str(failed.value)
    assert duration in str(failed.value)


def test_sleep_needs_one_of_its_durations(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, 'resource "time_sleep" "x" {\n  triggers = { a = "b" }\n}\n')
    with pytest.raises(tftest.TerraformTestError) as failed:
        tf.plan()
    assert "create_duration,destroy_duration" in str(failed.value)


ROTATING = """
variable "rotation_rfc3339" { type = string }
resource "time_rotating" "token" {
  rfc3339          = "2026-01-31T10:00:00Z"
  rotation_rfc3339 = var.rotation_rfc3339
}
resource "time_static" "born" {}
resource "time_offset" "next" {
  base_rfc3339  = "2026-01-31T10:00:00Z"
  offset_months = 1
  offset_hours  = 2
}
output "rotating" { value = time_rotating.token }
output "static" { value = time_static.born }
output "offset" { value = time_offset.next }
"""


def test_rotating_is_replaced_once_its_rotation_time_has_passed(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, ROTATING)
    soon = datetime.fromtimestamp(time.time() + 4, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    tf.apply(tf_vars={"rotation_rfc3339": soon})
    out = tf.output()
    assert out["rotating"]["id"] == "2026-01-31T10:00:00Z"
    assert out["rotating"]["rotation_rfc3339"] == soon
    assert out["offset"]["rfc3339"] == "2026-03-03T12:00:00Z"  # Go's AddDate: Feb 31 = Mar 3
    born = datetime.fromisoformat(out["static"]["rfc3339"])
    assert out["static"]["unix"] == int(born.timestamp())

    plan = tf.plan(output=True, tf_vars={"rotation_rfc3339": soon})
    assert plan.resource_changes["time_rotating.token"]["change"]["actions"] == ["no-op"]
    time.sleep(5)
    plan = tf.plan(output=True, tf_vars={"rotation_rfc3339": soon})
    # Refresh removed it (past its rotation time): planned as a new resource.
    assert plan.resource_changes["time_rotating.token"]["change"]["actions"] == ["create"]
    assert plan.resource_changes["time_static.born"]["change"]["actions"] == ["no-op"]


def test_rotation_arguments_follow_the_provider_order():
    base = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    days = rotation_values({"rotation_days": 30, "rotation_rfc3339": None}, base)
    assert days["rotation_rfc3339"] == "2026-03-02T10:00:00Z"
    assert days["id"] == days["rfc3339"] == "2026-01-31T10:00:00Z"
    assert (days["year"], days["month"], days["day"]) == (2026, 3, 2)
    # rotation_years is applied last in setRotationValues, so it wins over rotation_days.
    both = rotation_values({"rotation_days": 1, "rotation_years": 1}, base)
    assert both["rotation_rfc3339"] == "2027-01-31T10:00:00Z"
    assert add_months(datetime(2024, 1, 31, tzinfo=UTC), 1) == datetime(2024, 3, 2, tzinfo=UTC)
    assert duration_seconds("1.5m") == 90.0
    assert duration_seconds("250ms") == 0.25


def test_served_schema_is_the_real_one(oci_cloud, tf_root):
    tf = tf_root(oci_cloud, 'resource "time_static" "x" {}\n')
    schema = json.loads(tf.execute_command("providers", "schema", "-json").out)
    (address,) = [a for a in schema["provider_schemas"] if a.endswith("hashicorp/time")]
    types = schema["provider_schemas"][address]["resource_schemas"]
    assert set(types) == {"time_sleep", "time_rotating", "time_static", "time_offset"}

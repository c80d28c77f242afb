"""deploy/'s optional alarms: none by default; with alarms_enabled, a Notifications topic, one
email subscription per address and five alarms scoped to the stack's own gateway, deployment and
container instance, nothing else changed."""

from __future__ import annotations

import json

import tf_support as tfs

ALARM_TYPES = ("oci_ons_notification_topic", "oci_ons_subscription", "oci_monitoring_alarm")


def _plan(cloud, tmp_path, **extra):
    root = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    tf = tfs.terraform(root, cloud.env)
    tf_vars = {**tfs.BASE_VARS["deploy"], "tenancy_id": cloud.tenancy_id, **extra}
    # -var would pass True as the string "True": a tfvars file carries real booleans.
    var_file = tmp_path / "inputs.tfvars.json"
    var_file.write_text(json.dumps(tf_vars))
    return tfs.plan_summary(tf.plan(output=True, tf_var_file=str(var_file)))


def test_alarms_are_absent_by_default_and_present_when_enabled(oci_cloud, tmp_path):
    default = _plan(oci_cloud, tmp_path / "default")
    assert not set(ALARM_TYPES) & set(default["counts"])
    assert default["outputs"]["alarm_topic_id"] is None

    enabled = _plan(
        oci_cloud,
        tmp_path / "alarms",
        alarms_enabled=True,
        alarm_notification_emails=["ops@example.com", "oncall@example.com"],
    )
    others = {t: n for t, n in enabled["counts"].items() if t not in ALARM_TYPES}
    assert others == default["counts"]
    assert {t: enabled["counts"][t] for t in ALARM_TYPES} == {
        "oci_ons_notification_topic": 1,
        "oci_ons_subscription": 2,
        "oci_monitoring_alarm": 5,
    }
    values = enabled["values"]
    topic = values["module.alarms[0].oci_ons_notification_topic.this[0]"]
    assert topic["name"] == "galley-alarms"
    alarms = {
        addr.split('"')[1]: v
        for addr, v in values.items()
        if addr.startswith("module.alarms[0].oci_monitoring_alarm.this")
    }
    assert {k: a["namespace"] for k, a in alarms.items()} == {
        "gateway_5xx": "oci_apigateway",
        "backend_5xx": "oci_apigateway",
        "gateway_latency": "oci_apigateway",
        "instance_not_running": "oci_computecontainerinstance",
        "memory": "oci_computecontainerinstance",
    }
    compartment = tfs.BASE_VARS["deploy"]["compartment_id"]
    assert all(a["metric_compartment_id"] == compartment for a in alarms.values())
    assert all(a["is_enabled"] and a["severity"] == "CRITICAL" for a in alarms.values())
    subscriptions = [
        v for addr, v in values.items() if addr.startswith("module.alarms[0].oci_ons_subscription")
    ]
    assert sorted(s["endpoint"] for s in subscriptions) == ["oncall@example.com", "ops@example.com"]
    assert {s["protocol"] for s in subscriptions} == {"EMAIL"}

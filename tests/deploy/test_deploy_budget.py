"""deploy/'s optional budget: none by default; with budget_monthly_amount, one budget in the
tenancy's root compartment targeting the Galley compartment, and its two alert rules, nothing
else changed."""

from __future__ import annotations

import tf_support as tfs

BUDGET_TYPES = ("oci_budget_budget", "oci_budget_alert_rule")


def _plan(cloud, tmp_path, **extra):
    root = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    tf = tfs.terraform(root, cloud.env)
    tf_vars = {**tfs.BASE_VARS["deploy"], "tenancy_id": cloud.tenancy_id, **extra}
    return tfs.plan_summary(tf.plan(output=True, tf_vars=tf_vars))


def test_budget_is_absent_by_default_and_present_with_an_amount(oci_cloud, tmp_path):
    default = _plan(oci_cloud, tmp_path / "default")
    assert not set(BUDGET_TYPES) & set(default["counts"])
    assert default["outputs"]["budget_id"] is None

    with_budget = _plan(
        oci_cloud,
        tmp_path / "budget",
        budget_monthly_amount=75,
        budget_alert_recipients=["ops@example.com"],
    )
    others = {t: n for t, n in with_budget["counts"].items() if t not in BUDGET_TYPES}
    assert others == default["counts"]
    assert {t: with_budget["counts"][t] for t in BUDGET_TYPES} == {
        "oci_budget_budget": 1,
        "oci_budget_alert_rule": 2,
    }
    values = with_budget["values"]
    budget = values["module.budget[0].oci_budget_budget.this"]
    assert budget["compartment_id"] == oci_cloud.tenancy_id
    assert budget["targets"] == [tfs.BASE_VARS["deploy"]["compartment_id"]]
    assert (budget["amount"], budget["reset_period"]) == (75, "MONTHLY")
    rules = {
        addr.split('"')[1]: v
        for addr, v in values.items()
        if addr.startswith("module.budget[0].oci_budget_alert_rule.this")
    }
    assert {k: (r["type"], r["threshold"]) for k, r in rules.items()} == {
        "actual": ("ACTUAL", 80),
        "forecast": ("FORECAST", 100),
    }
    assert {r["recipients"] for r in rules.values()} == {"ops@example.com"}

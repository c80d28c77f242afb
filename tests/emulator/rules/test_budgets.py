"""Budgets: a budget in the root compartment targeting one compartment, its alert rules."""

import pytest


def _budget(cloud, target=None, **extra):
    attrs = {
        "compartment_id": cloud.tenancy,
        "amount": 50,
        "reset_period": "MONTHLY",
        "target_type": "COMPARTMENT",
        "targets": [target or cloud.create("oci_identity_compartment", name="galley")["id"]],
        "display_name": "galley-budget",
        **extra,
    }
    return cloud.create("oci_budget_budget", **attrs)


def _rule(cloud, budget, **extra):
    attrs = {
        "budget_id": budget["id"],
        "type": "ACTUAL",
        "threshold_type": "PERCENTAGE",
        "threshold": 80,
        **extra,
    }
    return cloud.create("oci_budget_alert_rule", **attrs)


def test_budget_in_the_root_compartment_tracks_one_compartment(cloud, schema_unknown):
    budget = _budget(cloud)
    assert budget["id"].startswith("ocid1.budget.oc1.iad.")
    assert budget["target_compartment_id"] == budget["targets"][0]
    assert budget["processing_period_type"] == "MONTH"
    assert budget["freeform_tags"] == {}
    assert schema_unknown("resource", "oci_budget_budget", budget) == []


def test_budget_outside_the_root_compartment_is_refused(cloud, raises_oci):
    comp = cloud.create("oci_identity_compartment", name="galley")
    with raises_oci(400, "InvalidParameter", "root compartment"):
        _budget(cloud, target=comp["id"], compartment_id=comp["id"])


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"amount": 0}, "amount 0 is invalid"),
        ({"amount": 12.5}, "amount 12.5 is invalid"),
        ({"reset_period": "YEARLY"}, "reset_period 'YEARLY' is invalid"),
        ({"target_type": "PROJECT"}, "target_type 'PROJECT' is invalid"),
        ({"targets": []}, "expected exactly one target"),
        ({"targets": ["ocid1.vcn.oc1.iad.aaaaaaaavcn"]}, "expected ocid1.compartment"),
        ({"target_type": "TAG", "targets": ["no-dots"]}, "<namespace>.<key>.<value>"),
        ({"display_name": "1st budget"}, "display_name '1st budget' is invalid"),
        ({"processing_period_type": "WEEK"}, "processing_period_type 'WEEK' is invalid"),
        (
            {"target_compartment_id": "ocid1.compartment.oc1..aaaaaaaaother"},
            "both targetCompartmentId and targets",
        ),
    ],
)
def test_budget_inputs_oci_refuses(cloud, raises_oci, changes, fragment):
    with raises_oci(400, "InvalidParameter", fragment):
        _budget(cloud, **changes)


def test_tag_budget(cloud):
    budget = _budget(cloud, target_type="TAG", targets=["finance.costcenter.galley"])
    assert budget["target_type"] == "TAG"


def test_one_budget_per_target_compartment(cloud, raises_oci):
    first = _budget(cloud)
    with raises_oci(409, "Conflict", "already targets", "one budget per compartment"):
        _budget(cloud, target=first["targets"][0], display_name="again")


def test_budget_update_keeps_its_checks_and_counts_versions(cloud, raises_oci):
    budget = _budget(cloud)
    updated = cloud.update("oci_budget_budget", budget, amount=80)
    assert (updated["amount"], updated["version"]) == (80, 2)
    with raises_oci(400, "InvalidParameter", "amount -1 is invalid"):
        cloud.update("oci_budget_budget", updated, amount=-1)


def test_alert_rules_actual_and_forecast(cloud, schema_unknown):
    budget = _budget(cloud)
    actual = _rule(cloud, budget, recipients="ops@example.com,me@example.org")
    forecast = _rule(cloud, budget, type="FORECAST", threshold=100)
    assert actual["id"].startswith("ocid1.alertrule.oc1.iad.")
    assert (forecast["type"], forecast["threshold"]) == ("FORECAST", 100)
    assert schema_unknown("resource", "oci_budget_alert_rule", actual) == []
    absolute = _rule(cloud, budget, threshold_type="ABSOLUTE", threshold=123456.78)
    assert absolute["threshold"] == 123456.78


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"type": "BOTH"}, "type 'BOTH' is invalid"),
        ({"threshold_type": "RATIO"}, "threshold_type 'RATIO' is invalid"),
        ({"threshold": 0}, "threshold 0 is invalid"),
        ({"threshold": 80.125}, "at most two decimals"),
        ({"threshold": 10000.5}, "the maximum is 10000"),
        ({"threshold_type": "ABSOLUTE", "threshold": 10.0**12}, "at most 12 digits"),
        ({"recipients": "ops@example.com, not-an-address"}, "not one: 'not-an-address'"),
    ],
)
def test_alert_rule_inputs_oci_refuses(cloud, raises_oci, changes, fragment):
    budget = _budget(cloud)
    with raises_oci(400, "InvalidParameter", fragment):
        _rule(cloud, budget, **changes)


def test_alert_rule_needs_an_existing_budget(cloud, raises_oci):
    with raises_oci(404, "NotAuthorizedOrNotFound", "budget"):
        _rule(cloud, {"id": "ocid1.budget.oc1.iad.aaaaaaaamissing"})
    with raises_oci(400, "InvalidParameter", "expected ocid1.budget"):
        _rule(cloud, {"id": cloud.tenancy})


def test_alert_rule_percentage_bound_is_inclusive(cloud):
    assert _rule(cloud, _budget(cloud), threshold=10000)["threshold"] == 10000

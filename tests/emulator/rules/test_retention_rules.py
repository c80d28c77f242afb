"""OCI's rules on a bucket's retention rules (oci/retention.py through the bucket's create and
update): durations, locks, versioning."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from oci_emulator.oci import objects

NS = "axk3qhf2zm1p"


def _rule(name="keep", amount="30", unit="DAYS", locked=None):
    rule = {"display_name": name, "duration": [{"time_amount": amount, "time_unit": unit}]}
    if locked is not None:
        rule["time_rule_locked"] = locked
    return rule


def _at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _bucket(cloud, rules, versioning="Disabled"):
    return cloud.create(
        "oci_objectstorage_bucket",
        compartment_id=cloud.tenancy,
        name="galley-data",
        namespace=NS,
        versioning=versioning,
        retention_rules=rules,
    )


def test_rules_with_a_duration_a_lock_or_none_are_accepted(cloud):
    bucket = _bucket(cloud, [_rule(), _rule("legal-hold", locked=_at(15)), {"display_name": "h"}])
    assert {r["display_name"] for r in bucket["retention_rules"]} == {"keep", "legal-hold", "h"}
    assert all(r["retention_rule_id"] for r in bucket["retention_rules"])


@pytest.mark.parametrize(
    ("rule", "status", "code", "text"),
    [
        (_rule(unit="MONTHS"), 400, "InvalidRetentionRuleDetails", "expected DAYS or YEARS"),
        (_rule(unit="days"), 400, "InvalidRetentionRuleDetails", "time_unit 'days'"),
        (_rule(amount="0"), 400, "InvalidRetentionRuleDetails", "at least 1"),
        (
            {"display_name": "x", "time_rule_locked": _at(30)},
            400,
            "InvalidRetentionRuleDetails",
            "cannot have timeRuleLocked unless a duration is present",
        ),
        (
            _rule(locked=_at(13)),
            400,
            "InvalidRetentionRuleDetails",
            "timeRuleLocked must be atleast 14 days ahead of the current time.",
        ),
        (_rule(locked="next week"), 400, "InvalidRetentionRuleDetails", "RFC 3339"),
    ],
    ids=["unit", "unit-case", "amount", "lock-without-duration", "lock-too-soon", "lock-format"],
)
def test_bad_rules_are_refused_with_ocis_error(cloud, raises_oci, rule, status, code, text):
    with raises_oci(status, code, text):
        _bucket(cloud, [rule])


def test_no_rules_on_a_versioned_bucket_and_no_versioning_back_on_with_rules(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "versioning Enabled"):
        _bucket(cloud, [_rule()], versioning="Enabled")
    versioned = _bucket(cloud, [], versioning="Enabled")
    suspended = cloud.update(
        "oci_objectstorage_bucket", versioned, versioning="Suspended", retention_rules=[_rule()]
    )
    assert suspended["versioning"] == "Suspended"
    with raises_oci(400, "InvalidParameter", "versioning cannot be enabled"):
        cloud.update("oci_objectstorage_bucket", suspended, versioning="Enabled")


def test_a_locked_rule_only_grows_and_never_goes(cloud, raises_oci):
    bucket = _bucket(cloud, [_rule(locked=_at(15))])
    # Time passes: the lock date is behind us now.
    bucket["retention_rules"][0]["time_rule_locked"] = _at(-1)
    locked = bucket["retention_rules"][0]["time_rule_locked"]
    longer = cloud.update(
        "oci_objectstorage_bucket", bucket, retention_rules=[_rule(amount="60", locked=locked)]
    )
    assert longer["retention_rules"][0]["duration"][0]["time_amount"] == "60"
    with raises_oci(400, "InvalidRetentionRuleDetails", "only an increase of its duration"):
        cloud.update(
            "oci_objectstorage_bucket", longer, retention_rules=[_rule(amount="1", locked=locked)]
        )
    with raises_oci(409, "Conflict", "can only be deleted by deleting the bucket"):
        cloud.update("oci_objectstorage_bucket", longer, retention_rules=[])


def test_an_unlocked_rule_may_change_or_go(cloud):
    bucket = _bucket(cloud, [_rule(locked=_at(20))])
    shorter = cloud.update("oci_objectstorage_bucket", bucket, retention_rules=[_rule(amount="1")])
    assert (
        cloud.update("oci_objectstorage_bucket", shorter, retention_rules=[])["retention_rules"]
        == []
    )


def test_kept_objects_survive_emptying_and_terraform_deletes(cloud, raises_oci):
    bucket = _bucket(cloud, [_rule(amount="1")])
    objects.put(cloud.world, NS, "galley-data", "state.json", b"{}")
    with raises_oci(409, "Conflict", "retention rule 'keep'", "keeps it until"):
        objects.empty(cloud.world, NS, "galley-data")
    with raises_oci(409, "Conflict", "cannot delete object 'state.json'"):
        objects.object_delete(
            {
                "id": f"n/{NS}/b/galley-data/o/state.json",
                "namespace": NS,
                "bucket": "galley-data",
                "object": "state.json",
            },
            cloud.world,
        )
    with raises_oci(409, "BucketNotEmpty"):
        cloud.delete("oci_objectstorage_bucket", bucket)

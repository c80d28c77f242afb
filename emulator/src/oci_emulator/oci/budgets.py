"""Budgets rules: budgets and their alert rules.

Sources: the Budgets API reference as the SDKs print it (CreateBudgetDetails,
CreateAlertRuleDetails: enums, "Specifying both 'targetCompartmentId' and 'targets' causes a Bad
Request", the threshold bounds), the provider's ``internal/service/budget`` ("amount ... the
service will only accept integers"), and the Billing docs ("Creating a Budget": budgets are
managed in the tenancy's root compartment, one budget per target compartment or cost-tracking
tag, the name's characters). Where a rule has no such source, its comment says "unverified";
the status codes of the refusals are unverified too.
"""

from __future__ import annotations

import re
from typing import Any

from . import world as w
from .errors import conflict, invalid, not_found
from .ocids import ocid_type, require_compartment, require_ocid

Attrs = dict[str, Any]
BUDGET = "oci_budget_budget"
ALERT_RULE = "oci_budget_alert_rule"
RESET_PERIODS = ("MONTHLY",)
TARGET_TYPES = ("COMPARTMENT", "TAG")
PROCESSING_PERIOD_TYPES = ("INVOICE", "MONTH", "SINGLE_USE")
ALERT_TYPES = ("ACTUAL", "FORECAST")
THRESHOLD_TYPES = ("PERCENTAGE", "ABSOLUTE")
MAX_PERCENTAGE = 10000
# "Creating a Budget": alphanumerics, dashes and underscores, not starting with a digit.
_BUDGET_NAME = re.compile(r"^[A-Za-z_-][A-Za-z0-9_-]*$")
# A cost-tracking tag target: "<namespace>.<key>.<value>" (API reference, targets).
_TAG_TARGET = re.compile(r"^[^.\s]+\.[^.\s]+\.[^.\s].*$")
# unverified: OCI's own check of the recipients string (comma-separated email addresses).
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")


def _whole_amount(value: object) -> float:
    # Provider: "Float per spec, but the service will only accept integers"; > 0 is unverified.
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(f"amount {value!r} is invalid (expected a whole number)")
    if value <= 0 or value != int(value):
        raise invalid(
            f"amount {value!r} is invalid (expected a whole number above 0, in the currency of "
            "the rate card)"
        )
    return value


def _targets(attrs: Attrs, world: w.WorldView, updating: bool) -> tuple[str, list[str]]:
    target_type = attrs.get("target_type") or "COMPARTMENT"  # unverified default
    if target_type not in TARGET_TYPES:
        raise invalid(f"target_type {target_type!r} is invalid (expected COMPARTMENT or TAG)")
    targets = list(attrs.get("targets") or [])
    legacy = attrs.get("target_compartment_id")
    # An update sends neither (both force a new budget); the state holds both after a create.
    if targets and legacy and not updating:
        raise invalid("Specifying both targetCompartmentId and targets is not allowed")
    if legacy and not targets:
        targets = [legacy]
    if len(targets) != 1:  # unverified: ListBudgets speaks of "only one target" budgets
        raise invalid(f"targets {targets!r} is invalid (expected exactly one target)")
    for target in targets:
        if target_type == "COMPARTMENT":
            require_compartment("targets", target, world.tenancy_id)
        elif not isinstance(target, str) or not _TAG_TARGET.match(target):
            raise invalid(
                f"targets {target!r} is invalid for target_type TAG (expected a cost-tracking "
                "tag as <namespace>.<key>.<value>)"
            )
    return target_type, targets


def budget_create(attrs: Attrs, world: w.WorldView, updating: bool = False) -> Attrs:
    compartment = require_compartment(
        "compartment_id", attrs.get("compartment_id"), world.tenancy_id
    )
    if ocid_type(compartment) != "tenancy":
        raise invalid(
            f"compartment_id {compartment} is invalid: budgets are created in the tenancy's root "
            f"compartment ({world.tenancy_id}); the budget's targets say what it tracks"
        )
    _whole_amount(attrs.get("amount"))
    if attrs.get("reset_period") not in RESET_PERIODS:
        raise invalid(f"reset_period {attrs.get('reset_period')!r} is invalid (expected MONTHLY)")
    period_type = attrs.get("processing_period_type")
    if period_type is not None and period_type not in PROCESSING_PERIOD_TYPES:
        raise invalid(
            f"processing_period_type {period_type!r} is invalid (expected one of: "
            f"{', '.join(PROCESSING_PERIOD_TYPES)})"
        )
    name = attrs.get("display_name")
    if name is not None and not _BUDGET_NAME.match(str(name)):
        raise invalid(
            f"display_name {name!r} is invalid (expected letters, digits, '-' or '_', not "
            "starting with a digit)"
        )
    target_type, targets = _targets(attrs, world, updating)
    for other in w.other(world, BUDGET, attrs.get("id")):
        a = other["attrs"]
        if (a.get("target_type") or "COMPARTMENT") == target_type and a.get("targets") == targets:
            raise conflict(
                f"budget {other['id']} already targets {targets[0]}: one budget per "
                f"{'compartment' if target_type == 'COMPARTMENT' else 'cost-tracking tag'}"
            )
    attrs.update(target_type=target_type, targets=targets)
    if target_type == "COMPARTMENT":
        w.fill_defaults(attrs, target_compartment_id=targets[0])
    w.fill_defaults(
        attrs,
        display_name=f"budget-{w.digest(str(attrs.get('id')))}",  # unverified: OCI's default
        description="",
        processing_period_type="MONTH",  # unverified default
        budget_processing_period_start_offset=1,  # unverified default
        defined_tags={},
        freeform_tags={},
        system_tags={},
    )
    attrs.update(version=1, actual_spend=0, forecasted_spend=0)
    attrs["alert_rule_count"] = sum(
        1 for r in w.of_type(world, ALERT_RULE) if r["attrs"].get("budget_id") == attrs.get("id")
    )
    attrs["time_updated"] = attrs.get("time_created") or w.now()
    return attrs


def budget_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    merged = {k: (prior.get(k) if v is None else v) for k, v in attrs.items()}
    out = budget_create(merged, world, updating=True)
    out.update(
        time_created=prior.get("time_created"),
        time_updated=w.now(),
        version=int(prior.get("version") or 1) + 1,
    )
    return out


def _threshold(threshold_type: str, value: object) -> None:
    """API reference: PERCENTAGE at most 10000, ABSOLUTE at most 12 digits before the point;
    both at most two decimals. Above 0 is unverified."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise invalid(f"threshold {value!r} is invalid (expected a number)")
    if value <= 0 or round(value, 2) != value:
        raise invalid(
            f"threshold {value!r} is invalid (expected a number above 0 with at most two decimals)"
        )
    if threshold_type == "PERCENTAGE" and value > MAX_PERCENTAGE:
        raise invalid(
            f"threshold {value!r} is invalid for threshold_type PERCENTAGE (the maximum is "
            f"{MAX_PERCENTAGE})"
        )
    if threshold_type == "ABSOLUTE" and value >= 10**12:
        raise invalid(
            f"threshold {value!r} is invalid for threshold_type ABSOLUTE (at most 12 digits "
            "before the decimal point)"
        )


def alert_rule_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    budget_id = require_ocid("budget_id", attrs.get("budget_id"), "budget")
    budget = w.find(world, budget_id)
    if budget is None or budget["type"] != BUDGET:
        raise not_found("budget", budget_id)
    if attrs.get("type") not in ALERT_TYPES:
        raise invalid(f"type {attrs.get('type')!r} is invalid (expected ACTUAL or FORECAST)")
    threshold_type = attrs.get("threshold_type")
    if threshold_type not in THRESHOLD_TYPES:
        raise invalid(
            f"threshold_type {threshold_type!r} is invalid (expected PERCENTAGE or ABSOLUTE)"
        )
    _threshold(threshold_type, attrs.get("threshold"))
    recipients = attrs.get("recipients")
    if recipients:
        bad = [r for r in (p.strip() for p in recipients.split(",")) if not _EMAIL.match(r)]
        if bad:  # unverified: the service's own check
            raise invalid(
                f"recipients {recipients!r} is invalid (expected comma-separated email "
                f"addresses; not one: {', '.join(map(repr, bad))})"
            )
    w.fill_defaults(
        attrs,
        display_name=f"alert-rule-{w.digest(str(attrs.get('id')))}",  # unverified default
        description="",
        message="",
        defined_tags={},
        freeform_tags={},
    )
    attrs["version"] = 1
    attrs["time_updated"] = attrs.get("time_created") or w.now()
    return attrs


def alert_rule_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    merged = {k: (prior.get(k) if v is None else v) for k, v in attrs.items()}
    # recipients is optional, not computed: null in the configuration clears it.
    merged["recipients"] = attrs.get("recipients")
    out = alert_rule_create(merged, world)
    out.update(
        time_created=prior.get("time_created"),
        time_updated=w.now(),
        version=int(prior.get("version") or 1) + 1,
    )
    return out

"""Object Storage retention rules: the rules on the rules, and what they protect.

From OCI's "Object Storage Data Retention Rules" and the API (CreateRetentionRuleDetails,
Duration, RetentionRule in the provider's vendored SDK), unless marked unverified:
- a rule has a duration (``time_amount`` in ``DAYS`` or ``YEARS``) or none (indefinite: objects
  are kept until the rule is deleted);
- ``time_rule_locked`` needs a duration ("The retention rule cannot have timeRuleLocked unless a
  duration is present.") and, when set or changed, must be at least 14 days ahead ("timeRuleLocked
  must be atleast 14 days ahead of the current time."): both 400 InvalidRetentionRuleDetails,
  the texts OCI answered in oracle/oci-cli's recorded retention-rule test;
- once its lock time has passed a rule is locked: only its duration may grow, and it goes away
  only with the bucket (which must be empty first);
- a bucket with versioning Enabled cannot get retention rules, and versioning cannot be enabled
  on a bucket with rules (suspended versioning is allowed) ("Managing Object Versioning");
- each rule protects each object (and previous version) from deletion and overwrite for its
  duration from the object's Last-Modified time.
The status and code of a refused delete or overwrite are unverified (no recorded answer found):
409 ``Conflict``, naming the rule and until when the object is kept.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from .errors import OciError

Attrs = dict[str, Any]
UNITS = {"DAYS": 86400.0, "YEARS": 365 * 86400.0}  # a year as 365 days: unverified
LOCK_NOTICE_S = 14 * 86400.0
_CODE = "InvalidRetentionRuleDetails"


def _bad(message: str) -> OciError:
    return OciError(400, _CODE, message)


def _parse_time(field: str, value: str) -> float:
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _bad(
            f"{field} {value!r} is not an RFC 3339 time (e.g. 2027-01-31T00:00:00Z)"
        ) from None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=UTC)
    return stamp.timestamp()


def _duration(rule: Mapping[str, Any]) -> tuple[int, str] | None:
    block = rule.get("duration") or []
    if not block:
        return None
    raw = block[0] if isinstance(block, list) else block
    unit = raw.get("time_unit")
    if unit not in UNITS:
        raise _bad(
            f"retention rule {rule.get('display_name')!r}: time_unit {unit!r} is invalid "
            f"(expected DAYS or YEARS)"
        )
    try:
        amount = int(str(raw.get("time_amount")))
    except ValueError:
        amount = 0
    if amount < 1:  # a minimum of 1: unverified
        raise _bad(
            f"retention rule {rule.get('display_name')!r}: time_amount "
            f"{raw.get('time_amount')!r} must be a whole number of at least 1"
        )
    return amount, str(unit)


def seconds(rule: Mapping[str, Any]) -> float | None:
    """How long the rule keeps an object after its last change; None: indefinitely."""
    duration = _duration(rule)
    return None if duration is None else duration[0] * UNITS[duration[1]]


def locked(rule: Mapping[str, Any], now: float | None = None) -> bool:
    lock = rule.get("time_rule_locked")
    return bool(lock) and _parse_time("time_rule_locked", str(lock)) <= (now or time.time())


def check_rules(prior: list[Attrs], rules: list[Attrs], versioning: str | None) -> None:
    """The rules a bucket create or update asks for, against the rules it had."""
    now = time.time()
    if rules and versioning == "Enabled":
        raise OciError(
            400,
            "InvalidParameter",
            "retention rules cannot be added to a bucket with versioning Enabled, and "
            "versioning cannot be enabled on a bucket with retention rules (suspend it instead) "
            "(code unverified)",
        )
    before = {str(r.get("display_name")): r for r in prior}
    for rule in rules:
        name = str(rule.get("display_name") or "")
        if not name:
            raise _bad("a retention rule needs a display_name")
        duration = _duration(rule)
        lock = rule.get("time_rule_locked")
        old = before.get(name)
        if lock:
            if duration is None:
                raise _bad(
                    "The retention rule cannot have timeRuleLocked unless a duration is present."
                )
            changed = old is None or old.get("time_rule_locked") != lock
            if changed and _parse_time("time_rule_locked", str(lock)) < now + LOCK_NOTICE_S:
                raise _bad("timeRuleLocked must be atleast 14 days ahead of the current time.")
        if old is not None and locked(old, now):
            _check_locked_change(name, old, rule)
    for name, old in before.items():
        if locked(old, now) and name not in {str(r.get("display_name")) for r in rules}:
            raise OciError(
                409,
                "Conflict",
                f"retention rule {name!r} is locked since {old.get('time_rule_locked')}: it "
                "can only be deleted by deleting the bucket (code unverified)",
            )


def _check_locked_change(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
    was, now_s = seconds(old), seconds(new)
    shorter = now_s is None or (was is not None and now_s < was)
    if shorter or old.get("time_rule_locked") != new.get("time_rule_locked"):
        raise _bad(
            f"retention rule {name!r} is locked since {old.get('time_rule_locked')}: only an "
            "increase of its duration is allowed"
        )


def check_change(bucket: Mapping[str, Any], obj: Mapping[str, Any], what: str) -> None:
    """Refuse deleting or overwriting ``obj`` (an object or a previous version) while a rule of
    ``bucket`` keeps it."""
    modified = float(obj.get("modified_at") or 0.0)
    now = time.time()
    for rule in bucket["attrs"].get("retention_rules") or []:
        keep = seconds(rule)
        until = None if keep is None else modified + keep
        if until is None or until > now:
            kept = (
                "indefinitely"
                if until is None
                else f"until {datetime.fromtimestamp(until, UTC).isoformat(timespec='seconds')}"
            )
            raise OciError(
                409,
                "Conflict",
                f"cannot {what} object '{obj.get('object')}' (version {obj.get('version_id')}): "
                f"retention rule '{rule.get('display_name')}' of bucket "
                f"'{bucket['attrs'].get('name')}' keeps it {kept} (code and text unverified)",
            )

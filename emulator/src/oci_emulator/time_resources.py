"""hashicorp/time: time_sleep, time_rotating, time_static and time_offset as the real provider
(0.14.0, terraform-provider-time's internal/provider) has them.

time_sleep really sleeps: it is a local provider with nothing to emulate, so the OCI pace
(pace.py) never scales it. time_rotating's refresh drops a resource whose rotation time has
passed, so the next plan creates it again, as the provider's Read does.
"""

from __future__ import annotations

import calendar
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from oci_emulator.backend import Backend, Diag, PlanResult, ProviderFailure, State
from oci_emulator.plan import Path
from oci_emulator.values import UNKNOWN, Unknown, conform

# The provider's own pattern and message for create_duration / destroy_duration.
_DURATION = re.compile(r"^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$")
_DURATION_MESSAGE = (
    "must be a number immediately followed by ms (milliseconds), s (seconds), m (minutes), or h "
    '(hours). For example, "30s" for 30 seconds.'
)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}
_ROTATION_ARGS = (
    "rotation_minutes",
    "rotation_hours",
    "rotation_days",
    "rotation_months",
    "rotation_years",
    "rotation_rfc3339",
)
_OFFSET_ARGS = (
    "offset_seconds",
    "offset_minutes",
    "offset_hours",
    "offset_days",
    "offset_months",
    "offset_years",
)
_PARTS = ("year", "month", "day", "hour", "minute", "second", "unix")
# Arguments whose change replaces the resource (RequiresReplace in the provider).
_REPLACING = {
    "time_sleep": ("triggers",),
    "time_static": ("triggers", "rfc3339"),
    "time_rotating": ("triggers", "rfc3339"),
    "time_offset": ("triggers", "base_rfc3339"),
}


def _known(value: Any) -> bool:
    return value is not None and not isinstance(value, Unknown)


def duration_seconds(text: str) -> float:
    match = _DURATION.match(text)
    if not match:
        raise ValueError(text)
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def format_rfc3339(moment: datetime) -> str:
    """Go's time.RFC3339 layout in UTC: whole seconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(name: str, text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None or "T" not in text:
        raise ProviderFailure(
            Diag(
                "Invalid RFC3339 String Value",
                f"A string value was provided that is not valid RFC3339 string format.\n\n"
                f"Path: {name}\nGiven Value: {text}",
                [name],
            )
        )
    return moment


def add_months(moment: datetime, months: int) -> datetime:
    """Go's AddDate for months: the day overflows into the next month (Jan 31 + 1 month = Mar 3
    or 2), as the provider's rotation and offset do."""
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    overflow = max(0, moment.day - calendar.monthrange(year, month)[1])
    day = moment.day - overflow
    return moment.replace(year=year, month=month, day=day) + timedelta(days=overflow)


def _parts(moment: datetime) -> dict[str, int]:
    moment = moment.astimezone(UTC)
    return {
        "year": moment.year,
        "month": moment.month,
        "day": moment.day,
        "hour": moment.hour,
        "minute": moment.minute,
        "second": moment.second,
        "unix": calendar.timegm(moment.timetuple()),
    }


def rotation_values(attrs: State, base: datetime) -> State:
    """setRotationValues: later arguments win, in the provider's order."""
    rotation = base
    if attrs.get("rotation_days"):
        rotation = base + timedelta(days=int(attrs["rotation_days"]))
    if attrs.get("rotation_hours"):
        rotation = base + timedelta(hours=int(attrs["rotation_hours"]))
    if attrs.get("rotation_minutes"):
        rotation = base + timedelta(minutes=int(attrs["rotation_minutes"]))
    if attrs.get("rotation_months"):
        rotation = add_months(base, int(attrs["rotation_months"]))
    if _known(attrs.get("rotation_rfc3339")) and attrs.get("rotation_rfc3339"):
        rotation = parse_rfc3339("rotation_rfc3339", attrs["rotation_rfc3339"])
    if attrs.get("rotation_years"):
        rotation = add_months(base, 12 * int(attrs["rotation_years"]))
    out = dict(attrs, **_parts(rotation))
    out["rotation_rfc3339"] = format_rfc3339(rotation)
    out["rfc3339"] = out["id"] = format_rfc3339(base)
    return out


def offset_values(attrs: State, base: datetime) -> State:
    """setOffsetValues: every offset added, in the provider's order."""
    moment = base
    if attrs.get("offset_days"):
        moment += timedelta(days=int(attrs["offset_days"]))
    if attrs.get("offset_hours"):
        moment += timedelta(hours=int(attrs["offset_hours"]))
    if attrs.get("offset_minutes"):
        moment += timedelta(minutes=int(attrs["offset_minutes"]))
    if attrs.get("offset_months"):
        moment = add_months(moment, int(attrs["offset_months"]))
    if attrs.get("offset_seconds"):
        moment += timedelta(seconds=int(attrs["offset_seconds"]))
    if attrs.get("offset_years"):
        moment = add_months(moment, 12 * int(attrs["offset_years"]))
    out = dict(attrs, **_parts(moment))
    out["rfc3339"] = format_rfc3339(moment)
    out["base_rfc3339"] = out["id"] = format_rfc3339(base)
    return out


def _at_least_one(names: tuple[str, ...], config: State) -> list[Diag]:
    if any(config.get(name) is not None for name in names):
        return []
    listed = ",".join(names)
    return [
        Diag(
            "Invalid Attribute Combination",
            f"At least one attribute out of [{listed}] must be specified",
        )
    ]


class TimeBackend(Backend):
    def validate_resource(self, type_name: str, config: State) -> list[Diag]:
        diags: list[Diag] = []
        if type_name == "time_sleep":
            names = ("create_duration", "destroy_duration")
            diags += _at_least_one(names, config)
            for name in names:
                value = config.get(name)
                if _known(value) and not _DURATION.match(value):
                    detail = f"Attribute {name} {_DURATION_MESSAGE}, got: {value}"
                    diags.append(Diag("Invalid Attribute Value Match", detail, [name]))
        elif type_name == "time_rotating":
            diags += _at_least_one(_ROTATION_ARGS, config)
            for name in _ROTATION_ARGS[:-1]:
                value = config.get(name)
                if _known(value) and value < 1:
                    detail = f"Attribute {name} value must be at least 1, got: {value}"
                    diags.append(Diag("Invalid Attribute Value", detail, [name]))
        elif type_name == "time_offset":
            diags += _at_least_one(_OFFSET_ARGS, config)
        return diags

    def plan_change(
        self, type_name: str, prior: State | None, proposed: State, config: State | None = None
    ) -> PlanResult:
        planned = dict(proposed)
        if prior is None:
            for name in self._computed(type_name):
                if not _known(planned.get(name)):
                    planned[name] = UNKNOWN
            return PlanResult(planned)
        replace: list[Path] = [
            [name]
            for name in _REPLACING[type_name]
            if (config or {}).get(name) is not None and planned.get(name) != prior.get(name)
        ]
        if type_name == "time_rotating" and self._outdated(prior):
            replace.append(["rotation_rfc3339"])
        if replace:
            for name in self._computed(type_name):
                if (config or {}).get(name) is None:
                    planned[name] = UNKNOWN
            return PlanResult(planned, replace)
        # In-place: computed values come from the base timestamp already in state, recomputed
        # when a rotation or offset argument changed (the provider's ModifyPlan).
        for name in self._computed(type_name):
            if (config or {}).get(name) is None:
                planned[name] = prior.get(name)
        if type_name == "time_rotating":
            if (config or {}).get("rotation_rfc3339") is None:
                planned["rotation_rfc3339"] = None
            base = parse_rfc3339("rfc3339", prior["rfc3339"])
            planned = rotation_values(planned, base)
        elif type_name == "time_offset":
            planned = offset_values(planned, parse_rfc3339("base_rfc3339", prior["base_rfc3339"]))
        return PlanResult(planned)

    def _computed(self, type_name: str) -> tuple[str, ...]:
        block = self.schema.resources[type_name].block
        return tuple(name for name, attr in block.attributes.items() if attr.computed)

    @staticmethod
    def _outdated(prior: State) -> bool:
        rotation = prior.get("rotation_rfc3339")
        if not rotation:
            return False
        return datetime.now(UTC) > parse_rfc3339("rotation_rfc3339", rotation)

    def apply_change(self, type_name: str, prior: State | None, planned: State) -> State:
        state = dict(planned)
        if prior is None:
            now = datetime.now(UTC)
            if type_name == "time_sleep":
                if state.get("create_duration"):
                    time.sleep(duration_seconds(state["create_duration"]))
                state["id"] = format_rfc3339(datetime.now(UTC))
            elif type_name == "time_static":
                given = state.get("rfc3339")
                moment = parse_rfc3339("rfc3339", given) if _known(given) else now
                state.update(_parts(moment))
                state["rfc3339"] = state["id"] = format_rfc3339(moment)
            elif type_name == "time_rotating":
                given = state.get("rfc3339")
                base = parse_rfc3339("rfc3339", given) if _known(given) else now
                if not _known(state.get("rotation_rfc3339")):
                    state["rotation_rfc3339"] = None
                state = rotation_values(state, base)
            elif type_name == "time_offset":
                given = state.get("base_rfc3339")
                base = parse_rfc3339("base_rfc3339", given) if _known(given) else now
                state = offset_values(state, base)
        return conform(state, self.schema.resources[type_name].block.implied_type())

    def delete(self, type_name: str, prior: State) -> None:
        if type_name == "time_sleep" and prior.get("destroy_duration"):
            time.sleep(duration_seconds(prior["destroy_duration"]))

    def read(self, type_name: str, state: State) -> State | None:
        if type_name == "time_rotating" and self._outdated(state):
            return None  # the provider's Read: past its rotation time, removed from state
        return state

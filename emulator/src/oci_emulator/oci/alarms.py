"""Monitoring alarms and the Notifications topics and subscriptions they send to.

Sources: the Monitoring and Notifications API references as the provider's vendored oci-go-sdk
prints them (CreateAlarmDetails: the required fields, the severity and message-format enums,
"One destination per supported destination service", the bounds of pendingDuration,
repeatNotificationDuration and evaluationSlackDuration, resolution "1m", notificationVersion;
MetricDataDetails: a namespace starts with a letter, then letters, digits and underscores,
"Custom metrics can't use the following reserved prefixes: oci_ and oracle_", a metric name's
characters; CreateSubscriptionDetails: the protocols, HTTP endpoints beginning with "http:" or
"https:", at most 512 characters), the provider's ``internal/service/ons`` (a subscription is
created once PENDING or ACTIVE), and Oracle's docs: "Monitoring Query Language (MQL) Reference"
(intervals 1m-60m, 1h-24h, 1d), "Creating an Absence Alarm" (``absent()``, ``absent(20h)``),
"Customizing the Absence Detection Period" (1m to 3 days), "Creating a Topic" (a topic name is
unique across the tenancy, case-sensitively). Where a rule has no such source, its comment says
"unverified"; the status codes and texts of the refusals are unverified too.
"""

from __future__ import annotations

import re
import time
from typing import Any

from . import world as w
from .errors import conflict, invalid, not_found
from .ocids import ocid_type, require_compartment, require_ocid

Attrs = dict[str, Any]
ALARM = "oci_monitoring_alarm"
TOPIC = "oci_ons_notification_topic"
SUBSCRIPTION = "oci_ons_subscription"
SEVERITIES = ("CRITICAL", "ERROR", "WARNING", "INFO")
MESSAGE_FORMATS = ("RAW", "PRETTY_JSON", "ONS_OPTIMIZED")
PROTOCOLS = ("CUSTOM_HTTPS", "EMAIL", "HTTPS", "ORACLE_FUNCTIONS", "PAGERDUTY", "SLACK", "SMS")
_HTTP_PROTOCOLS = ("CUSTOM_HTTPS", "HTTPS", "PAGERDUTY", "SLACK")
MAX_URL = 512
# The oci_ namespaces the emulator knows, each from the service's metrics page. OCI has many
# more; an alarm on one the emulator does not know is refused here so that a misspelling fails
# (unverified: whether OCI itself refuses an alarm on a namespace that has no metrics).
KNOWN_NAMESPACES = {
    "oci_apigateway": "API Gateway Metrics",
    "oci_computecontainerinstance": "Container Instance Metrics",
    "oci_computeagent": "the CreateAlarmDetails example",
}
_NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_RESERVED_PREFIXES = ("oci_", "oracle_")
# unverified: the topic name's characters and length (1-256 letters, digits, '-', '_').
_TOPIC_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# unverified: OCI's own checks of email, SMS and function endpoints.
_EMAIL = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[^@\s,;]+$")
_SMS = re.compile(r"^\+[1-9][0-9]{6,14}$")


# --- durations -------------------------------------------------------------------------------

_ISO_DURATION = re.compile(
    r"^P(?:(?P<d>\d+)D)?(?:T(?:(?P<h>\d+)H)?(?:(?P<m>\d+)M)?(?:(?P<s>\d+)S)?)?$"
)


def _seconds(field: str, value: object) -> int:
    """An ISO 8601 duration (PT5M, PT1H, P1D) in seconds, else 400."""
    match = _ISO_DURATION.match(value) if isinstance(value, str) else None
    if match is None or value in ("P", "PT") or str(value).endswith("T"):
        raise invalid(
            f"{field} {value!r} is invalid (expected an ISO 8601 duration such as PT5M or PT1H)"
        )
    parts = {k: int(v or 0) for k, v in match.groupdict().items()}
    return parts["d"] * 86400 + parts["h"] * 3600 + parts["m"] * 60 + parts["s"]


def _duration(field: str, value: object, low: str, high: str) -> None:
    if value is None or value == "":
        return
    seconds = _seconds(field, value)
    if not _seconds(field, low) <= seconds <= _seconds(field, high):
        raise invalid(f"{field} {value!r} is invalid (minimum {low}, maximum {high})")


# --- MQL -------------------------------------------------------------------------------------

# A metric name: a letter, then letters, digits, '.', '_', '-', '$' (MetricDataDetails.name).
_METRIC = r"[A-Za-z][A-Za-z0-9._$-]*"
_INTERVAL = re.compile(r"^(?P<n>[1-9][0-9]*)(?P<unit>[mhd])$")
# MQL reference, "Interval": 1m-60m, 1h-24h, 1d.
_INTERVAL_MAX = {"m": 60, "h": 24, "d": 1}
_DIMENSION = re.compile(
    r"^\s*(?P<name>[A-Za-z][A-Za-z0-9._-]*)\s*(?P<op>=~|!~|!=|=|in\b|not\s+in\b)\s*"
    r'(?P<value>"(?:[^"\\]|\\.)*"|\((?:\s*"(?:[^"\\]|\\.)*"\s*,?)+\))\s*$'
)
# Statistics: mean, max, min, sum, count, rate, percentile and absent appear in Oracle's MQL
# examples (CreateAlarmDetails, "Creating an Absence Alarm"); first, last and increment are
# unverified.
_STATISTICS = {
    "absent",
    "count",
    "first",
    "increment",
    "last",
    "max",
    "mean",
    "min",
    "percentile",
    "rate",
    "sum",
}
_GROUPINGS = {"groupBy", "grouping"}
_CALL = re.compile(r"\.\s*(?P<fn>[A-Za-z]+)\s*\((?P<args>[^()]*)\)")
_NUMBER = r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"
_TRIGGER = re.compile(
    rf"^\s*(?:(?P<op>>=|<=|==|!=|>|<)\s*(?P<value>{_NUMBER})"
    rf"|(?P<in>not\s+in|in)\s*\(\s*(?P<low>{_NUMBER})\s*,\s*(?P<high>{_NUMBER})\s*\))\s*$"
)
_ABSENCE_PERIOD = re.compile(r"^(?P<n>[1-9][0-9]*)(?P<unit>[mhd])$")


def _refuse_query(query: str, why: str) -> Exception:
    return invalid(f"query {query!r} is invalid: {why}")


def _split_top(text: str, separators: tuple[str, ...]) -> list[str]:
    """Split ``text`` on separators outside quotes, braces, brackets and parentheses."""
    parts, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        ch = text[i]
        if ch == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and ch in "([{":
            depth += 1
        elif not quoted and ch in ")]}":
            depth -= 1
        elif not quoted and depth == 0:
            sep = next((s for s in separators if text.startswith(s, i)), None)
            if sep:
                parts.append(text[start:i])
                i += len(sep)
                start = i
                continue
        i += 1
    parts.append(text[start:])
    return parts


def _closing_brace(text: str) -> int:
    """Index of the '}' closing the '{' at text[0], outside quotes; -1 when there is none."""
    quoted = False
    for i, ch in enumerate(text):
        if ch == '"' and text[i - 1] != "\\":
            quoted = not quoted
        elif ch == "}" and not quoted:
            return i
    return -1


def _dimensions(query: str, body: str) -> None:
    if not body.strip():
        raise _refuse_query(query, "empty dimension filter {}")
    for clause in _split_top(body, (",", "&&", "||")):
        if not _DIMENSION.match(clause):
            raise _refuse_query(
                query,
                f'dimension filter {clause.strip()!r} (expected dimensionName = "value", or '
                '!=, =~, in ("a", "b"))',
            )


def _statistic(query: str, fn: str, args: str) -> bool:
    """Check a statistic's arguments; True for absent()."""
    args = args.strip()
    if fn == "percentile":
        try:
            p = float(args)
        except ValueError:
            p = -1.0
        if not 0 < p < 1:
            raise _refuse_query(query, f"percentile({args}) needs a fraction between 0 and 1")
    elif fn == "absent":
        if args:
            period = _ABSENCE_PERIOD.match(args)
            minutes = (
                int(period["n"]) * {"m": 1, "h": 60, "d": 1440}[period["unit"]] if period else 0
            )
            if not 1 <= minutes <= 72 * 60:
                raise _refuse_query(
                    query, f"absent({args}): the absence detection period is 1m to 3d"
                )
        return True
    elif args:
        raise _refuse_query(query, f"{fn}() takes no argument, got {args!r}")
    return False


def _condition(query: str, text: str) -> None:
    """One alarm condition: metric[interval]{filters}.grouping().statistic() <trigger>."""
    head = re.match(rf"^\s*(?P<metric>{_METRIC})\s*\[(?P<interval>[^\]]*)\]\s*", text)
    if head is None:
        raise _refuse_query(
            query, "expected MetricName[interval]{dimension filters}.statistic() <op> <value>"
        )
    interval = _INTERVAL.match(head["interval"].strip())
    if interval is None or int(interval["n"]) > _INTERVAL_MAX[interval["unit"]]:
        raise _refuse_query(query, f"interval [{head['interval']}] (expected 1m-60m, 1h-24h or 1d)")
    rest = text[head.end() :]
    if rest.startswith("{"):
        end = _closing_brace(rest)
        if end < 0:
            raise _refuse_query(query, "unclosed dimension filter {")
        _dimensions(query, rest[1:end])
        rest = rest[end + 1 :]
    statistic, absent, position = None, False, 0
    for call in _CALL.finditer(rest):
        if call.start() != position and rest[position : call.start()].strip():
            break
        fn = call["fn"]
        if fn in _GROUPINGS:
            if fn == "groupBy" and not call["args"].strip():
                raise _refuse_query(query, "groupBy() needs at least one dimension")
        elif fn in _STATISTICS:
            statistic = fn
            absent = _statistic(query, fn, call["args"]) or absent
        else:
            raise _refuse_query(query, f"unknown function {fn}()")
        position = call.end()
    if statistic is None:
        raise _refuse_query(query, "no statistic (such as .mean(), .sum(), .absent())")
    trigger = rest[position:]
    if absent:
        if trigger.strip():
            raise _refuse_query(query, f"absent() takes no threshold, got {trigger.strip()!r}")
        return
    match = _TRIGGER.match(trigger)
    if match is None:
        raise _refuse_query(
            query,
            "no trigger rule (expected a threshold such as > 80, or in (a, b), or .absent())"
            if not trigger.strip()
            else f"trigger {trigger.strip()!r} (expected >, >=, ==, !=, <, <= a number, or "
            "in / not in (low, high))",
        )


def check_query(query: object) -> None:
    """An alarm's MQL query: one condition, or conditions joined with && or ||."""
    if not isinstance(query, str) or not query.strip():
        raise invalid(f"query {query!r} is invalid (expected an MQL expression)")
    if query.count('"') % 2:
        raise _refuse_query(query, "unbalanced quotes")
    for condition in _split_top(query, ("&&", "||")):
        stripped = condition.strip()
        if stripped.startswith("(") and stripped.endswith(")"):
            stripped = stripped[1:-1]
        _condition(query, stripped)


def check_namespace(namespace: object) -> str:
    if not isinstance(namespace, str) or not _NAMESPACE.match(namespace):
        raise invalid(
            f"namespace {namespace!r} is invalid (expected a letter, then letters, digits or "
            "underscores)"
        )
    if namespace.startswith(_RESERVED_PREFIXES) and namespace not in KNOWN_NAMESPACES:
        raise invalid(
            f"namespace {namespace!r} is invalid: oci_ and oracle_ are reserved for OCI's own "
            f"service metrics, and this is not one the emulator knows "
            f"({', '.join(sorted(KNOWN_NAMESPACES))}); custom metric namespaces cannot start "
            "with oci_ or oracle_"
        )
    return namespace


# --- alarms ----------------------------------------------------------------------------------


def _destinations(attrs: Attrs, world: w.WorldView) -> None:
    destinations = list(attrs.get("destinations") or [])
    if not destinations:
        raise invalid("destinations is invalid (expected at least one topic or stream OCID)")
    kinds: dict[str, str] = {}
    for destination in destinations:
        kind = ocid_type(require_ocid("destinations", destination, "onstopic", "stream"))
        assert kind is not None
        if kind in kinds:  # CreateAlarmDetails: "One destination per supported destination service"
            raise invalid(
                f"destinations {destinations!r} is invalid: one destination per service, and "
                f"{kinds[kind]} and {destination} are both of type {kind!r}"
            )
        kinds[kind] = destination
        if kind == "onstopic":
            topic = w.find(world, destination)
            if topic is None or topic["type"] != TOPIC:  # status and code unverified
                raise not_found("topic", destination)


def _overrides(attrs: Attrs) -> None:
    for override in attrs.get("overrides") or []:
        if override.get("query"):
            check_query(override["query"])
        severity = override.get("severity")
        if severity and severity not in SEVERITIES:
            raise invalid(
                f"overrides.severity {severity!r} is invalid (expected one of: "
                f"{', '.join(SEVERITIES)})"
            )
        _duration("overrides.pending_duration", override.get("pending_duration"), "PT1M", "PT1H")


def alarm_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    metric_compartment = require_compartment(
        "metric_compartment_id", attrs.get("metric_compartment_id"), world.tenancy_id
    )
    if attrs.get("metric_compartment_id_in_subtree") and ocid_type(metric_compartment) != (
        "tenancy"
    ):
        raise invalid(
            "metric_compartment_id_in_subtree can only be true when metric_compartment_id is "
            f"the tenancy ({world.tenancy_id}), not {metric_compartment}"
        )
    name = attrs.get("display_name")
    if not isinstance(name, str) or not name.strip():
        raise invalid(f"display_name {name!r} is invalid (expected a non-empty name)")
    if not isinstance(attrs.get("is_enabled"), bool):
        raise invalid(f"is_enabled {attrs.get('is_enabled')!r} is invalid (expected true/false)")
    check_namespace(attrs.get("namespace"))
    check_query(attrs.get("query"))
    if attrs.get("severity") not in SEVERITIES:
        raise invalid(
            f"severity {attrs.get('severity')!r} is invalid (expected one of: "
            f"{', '.join(SEVERITIES)})"
        )
    _destinations(attrs, world)
    _duration("pending_duration", attrs.get("pending_duration"), "PT1M", "PT1H")
    _duration(
        "repeat_notification_duration", attrs.get("repeat_notification_duration"), "PT1M", "P30D"
    )
    _duration("evaluation_slack_duration", attrs.get("evaluation_slack_duration"), "PT3M", "PT2H")
    resolution = attrs.get("resolution")
    if resolution not in (None, "", "1m"):
        raise invalid(f"resolution {resolution!r} is invalid (the supported value is 1m)")
    message_format = attrs.get("message_format")
    if message_format not in (None, "", *MESSAGE_FORMATS):
        raise invalid(
            f"message_format {message_format!r} is invalid (expected one of: "
            f"{', '.join(MESSAGE_FORMATS)})"
        )
    version = attrs.get("notification_version")
    if version not in (None, "") and not re.match(r"^[0-9]{1,4}\.X$", str(version)):
        raise invalid(f"notification_version {version!r} is invalid (expected such as 1.X)")
    _overrides(attrs)
    w.fill_defaults(
        attrs,
        body="",
        alarm_summary="",  # unverified default
        notification_title="",  # unverified default
        message_format="RAW",
        pending_duration="PT1M",
        resolution="1m",
        evaluation_slack_duration="PT3M",
        repeat_notification_duration="",
        resource_group="",
        rule_name="BASE",
        notification_version="1.X",  # unverified default
        is_notifications_per_metric_dimension_enabled=False,
        metric_compartment_id_in_subtree=False,
        defined_tags={},
        freeform_tags={},
    )
    attrs["state"] = "ACTIVE"
    attrs["time_updated"] = w.now()
    return attrs


def alarm_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    merged = {k: (prior.get(k) if v is None else v) for k, v in attrs.items()}
    out = alarm_create(merged, world)
    out["time_created"] = prior.get("time_created")
    return out


# --- topics and subscriptions ----------------------------------------------------------------


def topic_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    name = attrs.get("name")
    if not isinstance(name, str) or not _TOPIC_NAME.match(name):
        raise invalid(f"name {name!r} is invalid (expected 1-256 letters, digits, '-' or '_')")
    for other in w.other(world, TOPIC, attrs.get("id")):
        if other["attrs"].get("name") == name:  # "unique across the tenancy"; code unverified
            raise conflict(f"a topic named {name!r} already exists in the tenancy ({other['id']})")
    ocid = str(attrs.get("id"))
    attrs.update(
        topic_id=ocid,
        # unverified: the endpoint's exact form
        api_endpoint=f"https://notification.{world.region}.oci.oraclecloud.com",
        short_topic_id=w.digest(ocid, length=10),  # unverified: its form
        etag=w.etag(),
        state="ACTIVE",  # "Creating a Topic": "immediately available and in the active state"
    )
    w.fill_defaults(attrs, description="", defined_tags={}, freeform_tags={})
    return attrs


def topic_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    merged = {k: (prior.get(k) if v is None else v) for k, v in attrs.items()}
    out = topic_create(merged, world)
    out["time_created"] = prior.get("time_created")
    return out


def topic_delete(attrs: Attrs, world: w.WorldView) -> None:
    # unverified: whether OCI refuses to delete a topic alarms still name; here it does not.
    return None


def _endpoint(protocol: str, endpoint: object) -> None:
    if not isinstance(endpoint, str) or not endpoint:
        raise invalid(f"endpoint {endpoint!r} is invalid (expected a value for {protocol})")
    if protocol in _HTTP_PROTOCOLS:
        if not endpoint.startswith(("http:", "https:")) or len(endpoint) > MAX_URL:
            raise invalid(
                f"endpoint {endpoint!r} is invalid for protocol {protocol} (expected a URL "
                f"beginning with http: or https:, at most {MAX_URL} characters)"
            )
    elif protocol == "EMAIL" and not _EMAIL.match(endpoint):
        raise invalid(
            f"endpoint {endpoint!r} is invalid for protocol EMAIL (expected an email address)"
        )
    elif protocol == "SMS" and not _SMS.match(endpoint):
        raise invalid(
            f"endpoint {endpoint!r} is invalid for protocol SMS (expected +<E.164 number>)"
        )
    elif protocol == "ORACLE_FUNCTIONS":
        require_ocid("endpoint", endpoint, "fnfunc")


def subscription_create(attrs: Attrs, world: w.WorldView) -> Attrs:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    topic_id = require_ocid("topic_id", attrs.get("topic_id"), "onstopic")
    topic = w.find(world, topic_id)
    if topic is None or topic["type"] != TOPIC:
        raise not_found("topic", topic_id)
    protocol = attrs.get("protocol")
    if protocol not in PROTOCOLS:
        raise invalid(f"protocol {protocol!r} is invalid (expected one of: {', '.join(PROTOCOLS)})")
    _endpoint(protocol, attrs.get("endpoint"))
    attrs.update(
        etag=w.etag(),
        # An email subscription waits for its confirmation link; other protocols: unverified.
        state="PENDING" if protocol == "EMAIL" else "ACTIVE",
        created_time=attrs.get("created_time") or str(int(time.time() * 1000)),  # epoch ms
    )
    w.fill_defaults(
        attrs,
        # unverified: the default retry policy's text
        delivery_policy='{"backoffRetryPolicy":{"maxRetryDuration":7200000,'
        '"policyType":"EXPONENTIAL"}}',
        defined_tags={},
        freeform_tags={},
    )
    return attrs


def subscription_update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    merged = {k: (prior.get(k) if v is None else v) for k, v in attrs.items()}
    out = subscription_create(merged, world)
    out["state"] = prior.get("state") or out["state"]
    out["created_time"] = prior.get("created_time") or out["created_time"]
    return out

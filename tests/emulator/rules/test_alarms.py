"""Monitoring alarms, Notifications topics and subscriptions: what OCI accepts and refuses."""

import pytest

GATEWAY = "ocid1.apigateway.oc1.iad.aaaaaaaagateway"
INSTANCE = "ocid1.computecontainerinstance.oc1.iad.aaaaaaaainstance"


def _topic(cloud, name="galley-alarms", **extra):
    return cloud.create(
        "oci_ons_notification_topic", compartment_id=cloud.tenancy, name=name, **extra
    )


def _alarm(cloud, topic=None, **extra):
    attrs = {
        "compartment_id": cloud.tenancy,
        "metric_compartment_id": cloud.tenancy,
        "display_name": "galley-gateway-5xx",
        "namespace": "oci_apigateway",
        "query": f'HttpResponses[5m]{{resourceId = "{GATEWAY}", httpStatusCategory = "5xx"}}'
        ".sum() > 5",
        "severity": "CRITICAL",
        "is_enabled": True,
        "destinations": [(topic or _topic(cloud))["id"]],
        **extra,
    }
    return cloud.create("oci_monitoring_alarm", **attrs)


def test_topic_subscription_and_alarm(cloud, schema_unknown):
    topic = _topic(cloud)
    assert topic["id"].startswith("ocid1.onstopic.oc1.iad.")
    assert (topic["topic_id"], topic["state"]) == (topic["id"], "ACTIVE")
    assert schema_unknown("resource", "oci_ons_notification_topic", topic) == []

    email = cloud.create(
        "oci_ons_subscription",
        compartment_id=cloud.tenancy,
        topic_id=topic["id"],
        protocol="EMAIL",
        endpoint="ops@example.com",
    )
    assert email["id"].startswith("ocid1.onssubscription.oc1.iad.")
    assert email["state"] == "PENDING"  # until the address confirms
    assert schema_unknown("resource", "oci_ons_subscription", email) == []

    alarm = _alarm(cloud, topic)
    assert alarm["id"].startswith("ocid1.alarm.oc1.iad.")
    assert (alarm["pending_duration"], alarm["message_format"]) == ("PT1M", "RAW")
    assert schema_unknown("resource", "oci_monitoring_alarm", alarm) == []


@pytest.mark.parametrize(
    ("namespace", "query"),
    [
        ("oci_apigateway", f'Latency[5m]{{resourceId = "{GATEWAY}"}}.percentile(0.95) > 10'),
        (
            "oci_apigateway",
            f'BackendHttpResponses[5m]{{resourceId = "{GATEWAY}", '
            'backendHttpStatusCategory = "5xx"}.sum() >= 1',
        ),
        (
            "oci_computecontainerinstance",
            f'CpuUtilization[1m]{{resourceId = "{INSTANCE}"}}.groupBy(resourceId).absent()',
        ),
        ("oci_computecontainerinstance", "CpuUtilization[1m].absent(20h)"),
        (
            "oci_computecontainerinstance",
            'MemoryUtilization[1h]{resourceDisplayName =~ "galley*"}.max() in (50, 90)',
        ),
        ("galley_custom", "requests_failed[1d].grouping().count() != 0"),
        (
            "oci_computecontainerinstance",
            "CpuUtilization[1m].mean() > 80 && MemoryUtilization[1m].mean() > 80",
        ),
    ],
)
def test_alarm_queries_oci_accepts(cloud, namespace, query):
    assert _alarm(cloud, namespace=namespace, query=query)["query"] == query


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ("HttpResponses.sum() > 5", "expected MetricName[interval]"),
        ("HttpResponses[5s].sum() > 5", "interval [5s]"),
        ("HttpResponses[61m].sum() > 5", "interval [61m]"),
        ("HttpResponses[2d].sum() > 5", "interval [2d]"),
        ("HttpResponses[5m]{resourceId}.sum() > 5", "dimension filter 'resourceId'"),
        ('HttpResponses[5m]{resourceId = "x".sum() > 5', "unclosed dimension filter"),
        ("HttpResponses[5m] > 5", "no statistic"),
        ("HttpResponses[5m].average() > 5", "unknown function average()"),
        ("HttpResponses[5m].sum()", "no trigger rule"),
        ("HttpResponses[5m].sum() >> 5", "trigger '>> 5'"),
        ("HttpResponses[5m].percentile(95) > 5", "between 0 and 1"),
        ("HttpResponses[5m].absent() > 0", "absent() takes no threshold"),
        ("HttpResponses[5m].absent(4d)", "1m to 3d"),
        ("HttpResponses[5m].groupBy().sum() > 1", "groupBy() needs at least one dimension"),
        ('HttpResponses[5m]{resourceId = "x}.sum() > 1', "unbalanced quotes"),
    ],
)
def test_bad_queries_are_refused(cloud, raises_oci, query, fragment):
    with raises_oci(400, "InvalidParameter", "query", fragment):
        _alarm(cloud, query=query)


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        ({"namespace": "oci_apigatway"}, "namespace 'oci_apigatway' is invalid"),
        ({"namespace": "oracle_things"}, "reserved for OCI's own service metrics"),
        ({"namespace": "1galley"}, "namespace '1galley' is invalid"),
        ({"severity": "FATAL"}, "severity 'FATAL' is invalid"),
        ({"pending_duration": "PT30S"}, "pending_duration 'PT30S' is invalid (minimum PT1M"),
        ({"pending_duration": "PT2H"}, "maximum PT1H"),
        ({"pending_duration": "5m"}, "expected an ISO 8601 duration"),
        ({"repeat_notification_duration": "P31D"}, "maximum P30D"),
        ({"evaluation_slack_duration": "PT1M"}, "minimum PT3M"),
        ({"resolution": "5m"}, "resolution '5m' is invalid"),
        ({"message_format": "HTML"}, "message_format 'HTML' is invalid"),
        ({"is_enabled": None}, "is_enabled None is invalid"),
        ({"destinations": []}, "expected at least one topic"),
        ({"destinations": ["ocid1.vcn.oc1.iad.aaaaaaaavcn"]}, "expected ocid1.onstopic"),
        ({"metric_compartment_id_in_subtree": True, "metric_compartment_id": None}, "compart"),
    ],
)
def test_alarm_inputs_oci_refuses(cloud, raises_oci, changes, fragment):
    if changes.get("metric_compartment_id", "") is None:
        comp = cloud.create("oci_identity_compartment", name="galley")
        changes = {**changes, "metric_compartment_id": comp["id"]}
        fragment = "metric_compartment_id_in_subtree can only be true"
    with raises_oci(400, "InvalidParameter", fragment):
        _alarm(cloud, **changes)


def test_alarm_needs_an_existing_topic(cloud, raises_oci):
    missing = "ocid1.onstopic.oc1.iad.aaaaaaaamissing"
    with raises_oci(404, "NotAuthorizedOrNotFound", "topic", missing):
        _alarm(cloud, destinations=[missing])


def test_one_destination_per_service(cloud, raises_oci):
    first, second = _topic(cloud, "first"), _topic(cloud, "second")
    with raises_oci(400, "InvalidParameter", "one destination per service"):
        _alarm(cloud, destinations=[first["id"], second["id"]])


def test_alarm_update_keeps_its_checks(cloud, raises_oci):
    alarm = _alarm(cloud)
    updated = cloud.update("oci_monitoring_alarm", alarm, severity="WARNING")
    assert updated["severity"] == "WARNING"
    with raises_oci(400, "InvalidParameter", "query"):
        cloud.update("oci_monitoring_alarm", updated, query="HttpResponses[5m].sum()")


@pytest.mark.parametrize(
    ("name", "fragment"),
    [("galley alarms", "name 'galley alarms' is invalid"), ("", "name '' is invalid")],
)
def test_topic_names(cloud, raises_oci, name, fragment):
    with raises_oci(400, "InvalidParameter", fragment):
        _topic(cloud, name=name)


def test_topic_name_is_unique_in_the_tenancy(cloud, raises_oci):
    _topic(cloud)
    with raises_oci(409, "Conflict", "already exists"):
        _topic(cloud)
    assert _topic(cloud, name="Galley-Alarms")["name"] == "Galley-Alarms"  # case-sensitive


@pytest.mark.parametrize(
    ("protocol", "endpoint", "fragment"),
    [
        ("WEBHOOK", "https://example.com", "protocol 'WEBHOOK' is invalid"),
        ("EMAIL", "ops", "expected an email address"),
        ("SLACK", "hooks.slack.com/x", "beginning with http: or https:"),
        ("CUSTOM_HTTPS", "https://example.com/" + "x" * 600, "at most 512"),
        ("SMS", "0123", "E.164"),
        ("ORACLE_FUNCTIONS", "ocid1.vcn.oc1.iad.aaaaaaaavcn", "expected ocid1.fnfunc"),
    ],
)
def test_subscription_inputs_oci_refuses(cloud, raises_oci, protocol, endpoint, fragment):
    topic = _topic(cloud)
    with raises_oci(400, "InvalidParameter", fragment):
        cloud.create(
            "oci_ons_subscription",
            compartment_id=cloud.tenancy,
            topic_id=topic["id"],
            protocol=protocol,
            endpoint=endpoint,
        )


def test_subscription_needs_an_existing_topic(cloud, raises_oci):
    missing = "ocid1.onstopic.oc1.iad.aaaaaaaamissing"
    with raises_oci(404, "NotAuthorizedOrNotFound", missing):
        cloud.create(
            "oci_ons_subscription",
            compartment_id=cloud.tenancy,
            topic_id=missing,
            protocol="EMAIL",
            endpoint="ops@example.com",
        )

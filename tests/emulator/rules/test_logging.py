"""Logging: log groups, custom and service logs (API Gateway deployments), retention."""

import pytest


@pytest.fixture
def deployment(cloud, net):
    gw = cloud.create(
        "oci_apigateway_gateway",
        compartment_id=cloud.tenancy,
        endpoint_type="PUBLIC",
        subnet_id=net["public"]["id"],
    )
    route = {
        "path": "/{path*}",
        "methods": ["ANY"],
        "backend": [{"type": "HTTP_BACKEND", "url": "http://10.0.2.10:8000/"}],
    }
    return cloud.create(
        "oci_apigateway_deployment",
        compartment_id=cloud.tenancy,
        gateway_id=gw["id"],
        path_prefix="/galley",
        specification=[{"routes": [route]}],
    )


def _group(cloud, name="galley", compartment=None):
    return cloud.create(
        "oci_logging_log_group", compartment_id=compartment or cloud.tenancy, display_name=name
    )


def _service_log(cloud, group, resource, category="access", name=None, **extra):
    source = {
        "source_type": "OCISERVICE",
        "service": "apigateway",
        "resource": resource,
        "category": category,
    }
    return cloud.create(
        "oci_logging_log",
        log_group_id=group["id"],
        display_name=name or f"{category}-log",
        log_type="SERVICE",
        configuration=[{"source": [source]}],
        **extra,
    )


def test_log_group_names_unique_per_compartment(cloud, raises_oci):
    _group(cloud)
    with raises_oci(409, "Conflict", "'galley' is already used", "unique per compartment"):
        _group(cloud)
    other = cloud.create("oci_identity_compartment", name="other")
    assert _group(cloud, compartment=other["id"])["display_name"] == "galley"


def test_service_log_for_a_deployment(cloud, deployment):
    group = _group(cloud)
    log = _service_log(cloud, group, deployment["id"], retention_duration=90)
    assert log["compartment_id"] == cloud.tenancy
    assert log["tenancy_id"] == cloud.tenancy
    assert log["configuration"][0]["compartment_id"] == cloud.tenancy
    assert (log["retention_duration"], log["is_enabled"]) == (90, True)
    execution = _service_log(cloud, group, deployment["id"], category="execution")
    assert execution["retention_duration"] == 30  # the service's default


def test_one_log_per_resource_and_category(cloud, deployment, raises_oci):
    group = _group(cloud)
    _service_log(cloud, group, deployment["id"], name="first")
    other_group = _group(cloud, name="second-group")
    with raises_oci(409, "Conflict", "category access already exists", "one log per source"):
        _service_log(cloud, other_group, deployment["id"], name="second")


def test_log_names_unique_per_log_group(cloud, raises_oci):
    group = _group(cloud)
    cloud.create("oci_logging_log", log_group_id=group["id"], display_name="app", log_type="CUSTOM")
    with raises_oci(409, "Conflict", "'app' is already used"):
        cloud.create(
            "oci_logging_log", log_group_id=group["id"], display_name="app", log_type="CUSTOM"
        )


@pytest.mark.parametrize(
    ("change", "status", "code", "fragment"),
    [
        ({"category": "debug"}, 400, "InvalidParameter", "expected one of: access, execution"),
        ({"resource": "gateway"}, 400, "InvalidParameter", "expected ocid1.apideployment.*"),
        ({"resource": "missing"}, 404, "NotAuthorizedOrNotFound", "not found"),
        ({"source_type": "AGENT"}, 400, "InvalidParameter", "expected OCISERVICE"),
    ],
)
def test_service_log_source_checked(
    cloud, net, deployment, raises_oci, change, status, code, fragment
):
    group = _group(cloud)
    source = {
        "source_type": "OCISERVICE",
        "service": "apigateway",
        "resource": deployment["id"],
        "category": "access",
        **change,
    }
    if source["resource"] == "gateway":
        source["resource"] = deployment["gateway_id"]
    if source["resource"] == "missing":
        source["resource"] = "ocid1.apideployment.oc1.iad.aaaaaaaamissing"
    with raises_oci(status, code, fragment):
        cloud.create(
            "oci_logging_log",
            log_group_id=group["id"],
            display_name="access",
            log_type="SERVICE",
            configuration=[{"source": [source]}],
        )


def test_service_log_needs_a_source(cloud, raises_oci):
    group = _group(cloud)
    with raises_oci(400, "InvalidParameter", "log_type SERVICE needs configuration"):
        cloud.create(
            "oci_logging_log", log_group_id=group["id"], display_name="a", log_type="SERVICE"
        )


@pytest.mark.parametrize("days", [0, 29, 45, 181, 210, 365])
def test_retention_outside_30_day_steps_refused(cloud, raises_oci, days):
    group = _group(cloud)
    with raises_oci(400, "InvalidParameter", f"retention_duration {days}", "30, 60, 90"):
        cloud.create(
            "oci_logging_log",
            log_group_id=group["id"],
            display_name="a",
            log_type="CUSTOM",
            retention_duration=days,
        )


@pytest.mark.parametrize("days", [30, 60, 90, 120, 150, 180])
def test_retention_in_30_day_steps_accepted(cloud, days):
    log = cloud.create(
        "oci_logging_log",
        log_group_id=_group(cloud)["id"],
        display_name="a",
        log_type="CUSTOM",
        retention_duration=days,
    )
    assert log["retention_duration"] == days


def test_log_needs_an_existing_log_group(cloud, raises_oci):
    with raises_oci(404, "NotAuthorizedOrNotFound", "loggroup"):
        cloud.create(
            "oci_logging_log",
            log_group_id="ocid1.loggroup.oc1.iad.aaaaaaaamissing",
            display_name="a",
            log_type="CUSTOM",
        )


def test_log_group_with_logs_cannot_be_deleted(cloud, raises_oci):
    group = _group(cloud)
    log = cloud.create(
        "oci_logging_log", log_group_id=group["id"], display_name="a", log_type="CUSTOM"
    )
    with raises_oci(409, "Conflict", "still contains log", log["id"]):
        cloud.delete("oci_logging_log_group", group)
    cloud.delete("oci_logging_log", log)
    cloud.delete("oci_logging_log_group", group)
    assert group["id"] not in cloud.world.resources

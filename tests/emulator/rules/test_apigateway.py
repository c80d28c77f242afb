"""API gateway and deployment rules."""

import pytest
from oci_emulator.oci.ocids import new_ocid

GW = "oci_apigateway_gateway"
DEP = "oci_apigateway_deployment"


def _gateway(cloud, subnet_id, endpoint_type="PUBLIC"):
    return cloud.create(
        GW, compartment_id=cloud.tenancy, endpoint_type=endpoint_type, subnet_id=subnet_id
    )


def _route(
    path="/{path*}", url="http://10.0.2.10:8000/${request.path[path]}", methods=None, **backend
):
    return {
        "path": path,
        "methods": methods or ["ANY"],
        "backend": [{"type": "HTTP_BACKEND", "url": url, **backend}],
    }


def _deployment(cloud, gateway, prefix="/galley", routes=None):
    return cloud.create(
        DEP,
        compartment_id=cloud.tenancy,
        gateway_id=gateway["id"],
        path_prefix=prefix,
        specification=[{"routes": routes if routes is not None else [_route()]}],
    )


def test_gateway_fills_hostname_and_ip(cloud, net):
    gw = _gateway(cloud, net["public"]["id"])
    host, _, domain = gw["hostname"].partition(".")
    assert len(host) == 26
    assert domain == "apigateway.us-ashburn-1.oci.customer-oci.com"
    assert gw["ip_addresses"][0]["ip_address"].count(".") == 3


def test_private_gateway_takes_a_subnet_ip(cloud, net):
    gw = _gateway(cloud, net["private"]["id"], "PRIVATE")
    assert gw["ip_addresses"] == [{"ip_address": "10.0.2.2"}]


@pytest.mark.parametrize(
    ("kind", "subnet_key", "status", "fragment"),
    [
        ("INTERNAL", "public", 400, "endpoint_type 'INTERNAL'"),
        ("PUBLIC", "private", 400, "a PUBLIC gateway needs a public subnet"),
        ("PUBLIC", "ad_subnet", 400, "need a regional subnet"),
        ("PUBLIC", "missing", 404, "not found"),
    ],
)
def test_gateway_rejected(cloud, net, raises_oci, kind, subnet_key, status, fragment):
    if subnet_key == "ad_subnet":
        ad = cloud.ad()
        subnet_id = cloud.create(
            "oci_core_subnet",
            compartment_id=cloud.tenancy,
            vcn_id=net["vcn"]["id"],
            cidr_block="10.0.5.0/24",
            availability_domain=ad,
        )["id"]
    elif subnet_key == "missing":
        subnet_id = new_ocid("subnet", "us-ashburn-1")
    else:
        subnet_id = net[subnet_key]["id"]
    code = "InvalidParameter" if status == 400 else "NotAuthorizedOrNotFound"
    with raises_oci(status, code, fragment):
        _gateway(cloud, subnet_id, kind)


def test_deployment_endpoint(cloud, net):
    gw = _gateway(cloud, net["public"]["id"])
    dep = _deployment(cloud, gw)
    assert dep["endpoint"] == f"https://{gw['hostname']}/galley"


@pytest.mark.parametrize(
    ("prefix", "fragment"),
    [
        ("galley", "must start with '/'"),
        ("/" + "x" * 255, "at most 255"),
        ("/a b", "without spaces"),
    ],
)
def test_path_prefix_rejected(cloud, net, raises_oci, prefix, fragment):
    gw = _gateway(cloud, net["public"]["id"])
    with raises_oci(400, "InvalidParameter", fragment):
        _deployment(cloud, gw, prefix=prefix)


@pytest.mark.parametrize(
    ("route", "fragment"),
    [
        (_route(path="mcp"), "routes.path 'mcp' must start with '/'"),
        (
            _route(path="/{rest}", url="http://10.0.2.10:8000/${request.path[path]}"),
            "has no parameter 'path'",
        ),
        (_route(path="/mcp"), "has no parameter 'path' (parameters: none)"),
        (
            _route(url="http://10.0.2.10:8000/${request.paths[path]}"),
            "invalid context table request.paths",
        ),
        (_route(path="/{a*}/b"), "must be the last segment"),
        (_route(methods=["FETCH"]), "routes.methods 'FETCH'"),
        (_route(url="10.0.2.10:8000/"), "must be an http:// or https:// URL"),
        (_route(read_timeout_in_seconds=301.0), "read_timeout_in_seconds 301 is out of range"),
    ],
)
def test_route_rejected(cloud, net, raises_oci, route, fragment):
    gw = _gateway(cloud, net["public"]["id"])
    with raises_oci(400, "InvalidParameter", fragment):
        _deployment(cloud, gw, routes=[route])


def test_route_accepted_with_named_parameter(cloud, net):
    gw = _gateway(cloud, net["public"]["id"])
    dep = _deployment(
        cloud,
        gw,
        routes=[
            _route(
                path="/items/{id}",
                url="http://10.0.2.10:8000/items/${request.path[id]}",
                methods=None,
            ),
            _route(
                path="/{path*}",
                read_timeout_in_seconds=300.0,
                url="http://10.0.2.10:8000/${request.path[path]}?${request.query[token]}",
            ),
        ],
    )
    assert len(dep["specification"][0]["routes"]) == 2


def test_default_method_is_get(cloud, net):
    gw = _gateway(cloud, net["public"]["id"])
    route = _route()
    route["methods"] = None
    dep = _deployment(cloud, gw, routes=[route])
    assert dep["specification"][0]["routes"][0]["methods"] == ["GET"]


def test_gateway_must_exist(cloud, raises_oci):
    missing = {"id": new_ocid("apigateway", "us-ashburn-1")}
    with raises_oci(404, "NotAuthorizedOrNotFound", missing["id"]):
        _deployment(cloud, missing)


def test_limits(cloud, net, raises_oci):
    gw = _gateway(cloud, net["public"]["id"])
    with raises_oci(400, "LimitExceeded", "51 routes", "limit 50"):
        _deployment(cloud, gw, routes=[_route(path=f"/r{n}/{{path*}}") for n in range(51)])
    for n in range(20):
        _deployment(cloud, gw, prefix=f"/d{n}")
    with raises_oci(400, "LimitExceeded", "already has 20 deployments"):
        _deployment(cloud, gw, prefix="/d20")


def test_duplicate_prefix_conflicts(cloud, net, raises_oci):
    gw = _gateway(cloud, net["public"]["id"])
    _deployment(cloud, gw)
    with raises_oci(409, "Conflict", "at path_prefix /galley"):
        _deployment(cloud, gw)


def test_gateway_delete_blocked_by_deployment(cloud, net, raises_oci):
    gw = _gateway(cloud, net["public"]["id"])
    dep = _deployment(cloud, gw)
    with raises_oci(409, "Conflict", dep["id"]):
        cloud.delete(GW, gw)
    cloud.delete(DEP, dep)
    cloud.delete(GW, gw)


def test_updates_keep_service_values(cloud, net, raises_oci):
    gw = _gateway(cloud, net["public"]["id"])
    renamed = cloud.update(GW, gw, display_name="galley-gw")
    assert (renamed["hostname"], renamed["ip_addresses"]) == (gw["hostname"], gw["ip_addresses"])
    dep = _deployment(cloud, gw)
    changed = cloud.update(
        DEP,
        dep,
        specification=[
            {
                "routes": [
                    _route(),
                    _route(path="/health", url="http://10.0.2.10:8000/health", methods=["GET"]),
                ]
            }
        ],
    )
    assert changed["endpoint"] == dep["endpoint"]
    with raises_oci(400, "InvalidParameter", "has no parameter 'path'"):
        cloud.update(DEP, dep, specification=[{"routes": [_route(path="/mcp")]}])


def test_oauth2_login_backend_accepted(cloud, net):
    gw = _gateway(cloud, net["public"]["id"])
    login = {"path": "/login", "methods": ["GET"], "backend": [{"type": "OAUTH2_LOGIN_BACKEND"}]}
    dep = _deployment(cloud, gw, routes=[_route(), login])
    assert dep["specification"][0]["routes"][1]["backend"][0]["type"] == "OAUTH2_LOGIN_BACKEND"


def test_bad_backend_type_names_the_providers_list(cloud, net, raises_oci):
    gw = _gateway(cloud, net["public"]["id"])
    route = {"path": "/x", "methods": ["GET"], "backend": [{"type": "FTP_BACKEND"}]}
    with raises_oci(400, "InvalidParameter", "'FTP_BACKEND' is invalid", "OAUTH2_LOGIN_BACKEND"):
        _deployment(cloud, gw, routes=[route])


def _rate_limited(cloud, gateway, rate, key):
    return cloud.create(
        DEP,
        compartment_id=cloud.tenancy,
        gateway_id=gateway["id"],
        path_prefix="/limited",
        specification=[
            {
                "routes": [_route()],
                "request_policies": [
                    {"rate_limiting": [{"rate_in_requests_per_second": rate, "rate_key": key}]}
                ],
            }
        ],
    )


@pytest.mark.parametrize(
    ("rate", "key", "fragment"),
    [
        (0, "CLIENT_IP", "rate_in_requests_per_second 0 is invalid"),
        (-5, "TOTAL", "rate_in_requests_per_second -5 is invalid"),
        (2.5, "TOTAL", "a whole number of requests per second"),
        (10, "USER", "rate_key 'USER' is invalid (expected one of: CLIENT_IP, TOTAL)"),
        (10, "client_ip", "rate_key 'client_ip'"),
    ],
)
def test_rate_limiting_checked(cloud, net, raises_oci, rate, key, fragment):
    gw = _gateway(cloud, net["public"]["id"])
    with raises_oci(400, "InvalidParameter", fragment):
        _rate_limited(cloud, gw, rate, key)


@pytest.mark.parametrize(("rate", "key"), [(1, "CLIENT_IP"), (100, "TOTAL"), (10000, "TOTAL")])
def test_rate_limiting_accepted(cloud, net, rate, key):
    gw = _gateway(cloud, net["public"]["id"])
    dep = _rate_limited(cloud, gw, rate, key)
    limit = dep["specification"][0]["request_policies"][0]["rate_limiting"][0]
    assert (limit["rate_in_requests_per_second"], limit["rate_key"]) == (rate, key)

"""Container instance rules: shapes, availability domains, VNIC private IPs."""

import pytest
from oci_emulator.oci.ocids import new_ocid

CI = "oci_container_instances_container_instance"


def test_instance_fills_computed(cloud, net):
    inst = cloud.container_instance(net["private"]["id"], private_ip="10.0.2.10")
    vnic = inst["vnics"][0]
    assert vnic["private_ip"] == "10.0.2.10"
    assert vnic["vnic_id"].startswith("ocid1.vnic.oc1.iad.")
    container = inst["containers"][0]
    assert container["container_id"].startswith("ocid1.computecontainer.oc1.iad.")
    assert container["container_instance_id"] == inst["id"]
    assert container["state"] == "ACTIVE"
    assert container["health_checks"][0]["failure_action"] == "KILL"
    assert inst["state"] == "ACTIVE"
    assert inst["container_count"] == 1
    assert inst["shape_config"][0]["processor_description"].startswith("2.55 GHz AMD")
    assert inst["tenant_id"] == cloud.tenancy


def test_private_ip_assigned_when_omitted_and_not_reused(cloud, net):
    first = cloud.container_instance(net["private"]["id"])
    second = cloud.container_instance(net["private"]["id"])
    assert first["vnics"][0]["private_ip"] == "10.0.2.2"  # .0 network, .1 gateway reserved
    assert second["vnics"][0]["private_ip"] == "10.0.2.3"


@pytest.mark.parametrize(
    ("ip", "fragment"),
    [
        ("10.0.1.10", "not within subnet"),
        ("10.0.2.0", "reserved"),
        ("10.0.2.1", "reserved"),
        ("10.0.2.255", "reserved"),
        ("10.0.2.300", "not an IPv4 address"),
    ],
)
def test_private_ip_rejected(cloud, net, raises_oci, ip, fragment):
    with raises_oci(400, "InvalidParameter", ip, fragment):
        cloud.container_instance(net["private"]["id"], private_ip=ip)


def test_private_ip_taken_then_freed(cloud, net, raises_oci):
    held = cloud.container_instance(net["private"]["id"], private_ip="10.0.2.10")
    with raises_oci(409, "Conflict", "10.0.2.10 is already in use"):
        cloud.container_instance(net["private"]["id"], private_ip="10.0.2.10")
    cloud.delete(CI, held)
    again = cloud.container_instance(net["private"]["id"], private_ip="10.0.2.10")
    assert again["vnics"][0]["private_ip"] == "10.0.2.10"


def test_subnet_must_exist(cloud, raises_oci):
    missing = new_ocid("subnet", "us-ashburn-1")
    with raises_oci(404, "NotAuthorizedOrNotFound", f"subnet {missing} not found"):
        cloud.container_instance(missing)


@pytest.mark.parametrize(
    ("shape", "ocpus", "memory", "fragment"),
    [
        ("CI.Standard.E9.Flex", 1, 2, "shape 'CI.Standard.E9.Flex'"),
        ("VM.Standard.E4.Flex", 1, 2, "not a container instance shape"),
        ("CI.Standard.E4.Flex", 0, 2, "ocpus 0 is out of range"),
        ("CI.Standard.E4.Flex", 65, 64, "ocpus 65 is out of range"),
        ("CI.Standard.E4.Flex", 1, 65, "memory_in_gbs 65 is out of range"),
        ("CI.Standard.E4.Flex", 2, 1, "(2-128 GB)"),
        ("CI.Standard.A1.Flex", 16, 1024, "(16-488 GB)"),
    ],
)
def test_shape_limits(cloud, net, raises_oci, shape, ocpus, memory, fragment):
    with raises_oci(400, "InvalidParameter", fragment):
        cloud.container_instance(net["private"]["id"], shape=shape, ocpus=ocpus, memory=memory)


@pytest.mark.parametrize(
    ("shape", "ocpus", "memory"),
    [
        ("CI.Standard.E4.Flex", 1, 1),
        ("CI.Standard.E3.Flex", 4, 256),
        ("CI.Standard.A1.Flex", 2, 12),
        ("CI.Standard.E4.Flex", 0.5 + 0.5, None),
    ],
)
def test_shape_accepted(cloud, net, shape, ocpus, memory):
    inst = cloud.container_instance(net["private"]["id"], shape=shape, ocpus=ocpus, memory=memory)
    config = inst["shape_config"][0]
    assert config["memory_in_gbs"] == (memory if memory is not None else 16 * ocpus)
    assert config["networking_bandwidth_in_gbps"] > 0


def test_availability_domain_must_exist(cloud, net, raises_oci):
    with raises_oci(400, "InvalidParameter", "'Uocm:PHX-AD-1'", "US-ASHBURN-AD-1"):
        cloud.container_instance(net["private"]["id"], availability_domain="Uocm:PHX-AD-1")


def test_container_and_health_check_rules(cloud, net, raises_oci):
    bad_check = [
        {
            "image_url": "repo/app:1",
            "health_checks": [{"health_check_type": "HTTP", "port": 8000, "path": "health"}],
        }
    ]
    with raises_oci(400, "InvalidParameter", "must start with '/'"):
        cloud.container_instance(net["private"]["id"], containers=bad_check)
    too_many_vcpus = [{"image_url": "repo/app:1", "resource_config": [{"vcpus_limit": 3}]}]
    with raises_oci(400, "InvalidParameter", "vcpus_limit 3 exceeds the instance's 2 vCPUs"):
        cloud.container_instance(net["private"]["id"], containers=too_many_vcpus)
    with raises_oci(400, "InvalidParameter", "container_restart_policy 'SOMETIMES'"):
        cloud.container_instance(net["private"]["id"], container_restart_policy="SOMETIMES")
    with raises_oci(400, "InvalidParameter", "graceful_shutdown_timeout_in_seconds 'soon'"):
        cloud.container_instance(net["private"]["id"], graceful_shutdown_timeout_in_seconds="soon")


def test_public_ip_refused_on_private_subnet(cloud, net, raises_oci):
    vnics = [{"subnet_id": net["private"]["id"], "is_public_ip_assigned": True}]
    with raises_oci(400, "InvalidParameter", "prohibits public IPs"):
        cloud.container_instance(net["private"]["id"], vnics=vnics)


def test_update_keeps_identity_and_ip(cloud, net):
    inst = cloud.container_instance(net["private"]["id"], private_ip="10.0.2.10")
    renamed = cloud.update(CI, inst, display_name="galley-2")
    assert renamed["display_name"] == "galley-2"
    assert renamed["vnics"] == inst["vnics"]
    assert renamed["containers"][0]["container_id"] == inst["containers"][0]["container_id"]

"""OCI's documented limits: one test per limit, at the limit (accepted) and one past it."""

import pytest
from oci_emulator.oci import network


def _security_rules(n, peer="source"):
    return [
        {"protocol": "6", peer: "0.0.0.0/0", "tcp_options": [{"min": p, "max": p}]}
        for p in range(1, n + 1)
    ]


def test_vcn_cidr_blocks(cloud, raises_oci):
    blocks = [f"10.{n}.0.0/16" for n in range(6)]
    with raises_oci(400, "LimitExceeded", "6 CIDR blocks (limit 5 per VCN)"):
        cloud.create("oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=blocks)
    assert cloud.create("oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=blocks[:5])


def test_display_names_at_most_255_characters(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "display_name is 256 characters, expected 1-255"):
        cloud.create(
            "oci_core_vcn",
            compartment_id=cloud.tenancy,
            cidr_blocks=["10.0.0.0/16"],
            display_name="x" * 256,
        )
    vcn = cloud.create(
        "oci_core_vcn",
        compartment_id=cloud.tenancy,
        cidr_blocks=["10.0.0.0/16"],
        display_name="x" * 255,
    )
    assert len(vcn["display_name"]) == 255


@pytest.mark.parametrize("direction", ["ingress_security_rules", "egress_security_rules"])
def test_rules_per_security_list(cloud, net, raises_oci, direction):
    peer = "source" if direction.startswith("ingress") else "destination"
    base = {"compartment_id": cloud.tenancy, "vcn_id": net["vcn"]["id"]}
    with raises_oci(400, "LimitExceeded", f"201 {direction} (limit 200 per direction)"):
        cloud.create("oci_core_security_list", **base, **{direction: _security_rules(201, peer)})
    made = cloud.create("oci_core_security_list", **base, **{direction: _security_rules(200, peer)})
    assert len(made[direction]) == 200


def test_route_rules_per_table(cloud, net, raises_oci):
    rules = [
        {"destination": f"192.168.{n}.0/24", "network_entity_id": net["nat"]["id"]}
        for n in range(201)
    ]
    base = {"compartment_id": cloud.tenancy, "vcn_id": net["vcn"]["id"]}
    with raises_oci(400, "LimitExceeded", "201 route_rules (limit 200 per table)"):
        cloud.create("oci_core_route_table", **base, route_rules=rules)
    assert len(cloud.create("oci_core_route_table", **base, route_rules=rules[:200])["route_rules"])


@pytest.mark.parametrize(
    ("constant", "tf_type", "what", "extra"),
    [
        ("MAX_SUBNETS_PER_VCN", "oci_core_subnet", "subnets", {}),
        ("MAX_ROUTE_TABLES_PER_VCN", "oci_core_route_table", "route tables", {}),
        ("MAX_SECURITY_LISTS_PER_VCN", "oci_core_security_list", "security lists", {}),
    ],
)
def test_per_vcn_counts(cloud, raises_oci, monkeypatch, constant, tf_type, what, extra):
    """The counting, with the limit lowered (creating 300 of each is slow and proves no more)."""
    monkeypatch.setattr(network, constant, 3)
    vcn = cloud.create("oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=["10.0.0.0/16"])
    base = {"compartment_id": cloud.tenancy, "vcn_id": vcn["id"]}
    made = []
    # The VCN's default route table and security list count against the limit.
    already = 1 if tf_type != "oci_core_subnet" else 0
    for n in range(3 - already):
        if tf_type == "oci_core_subnet":
            made.append(cloud.create(tf_type, **base, cidr_block=f"10.0.{n}.0/24"))
        else:
            made.append(cloud.create(tf_type, **base))
    last = {"cidr_block": "10.0.9.0/24"} if tf_type == "oci_core_subnet" else {}
    with raises_oci(400, "LimitExceeded", f"already has 3 {what} (limit 3 per VCN)"):
        cloud.create(tf_type, **base, **last)
    # An update of an existing one does not count as one more.
    assert cloud.update(tf_type, made[0], freeform_tags={"a": "b"})["freeform_tags"] == {"a": "b"}


def test_policy_statements_per_policy(cloud, raises_oci):
    statements = [f"Allow group G{n} to read buckets in tenancy" for n in range(51)]
    with raises_oci(400, "LimitExceeded", "51 statements (limit 50 per policy)"):
        cloud.create(
            "oci_identity_policy", compartment_id=cloud.tenancy, name="p", statements=statements
        )
    made = cloud.create(
        "oci_identity_policy", compartment_id=cloud.tenancy, name="p", statements=statements[:50]
    )
    assert len(made["statements"]) == 50


def test_policy_statements_per_compartment_path(cloud, raises_oci):
    child = cloud.create("oci_identity_compartment", name="child")
    cloud.world.compartment_parent[child["id"]] = cloud.tenancy
    for n in range(10):  # 500 statements at the root
        cloud.create(
            "oci_identity_policy",
            compartment_id=cloud.tenancy,
            name=f"root-{n}",
            statements=[f"Allow group G{n}x{i} to read buckets in tenancy" for i in range(50)],
        )
    with raises_oci(
        400,
        "LimitExceeded",
        "maximum number of policy statements allowed for this compartment hierarchy "
        "(Limit: 500, Current Usage: 501)",
    ):
        cloud.create(
            "oci_identity_policy",
            compartment_id=child["id"],
            name="one-more",
            statements=["Allow group A to read buckets in compartment child"],
        )


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        (
            "environment_variables",
            {"BIG": "x" * (64 * 1024)},
            "environment_variables total 65539 bytes",
        ),
        ("arguments", ["x" * 40000, "y" * 30000], "arguments total 70000 bytes"),
    ],
)
def test_container_size_limits(cloud, net, raises_oci, field, value, fragment):
    container = {
        "image_url": "ocir.us-ashburn-1.oci.oraclecloud.com/ns/galley:0.1.0",
        field: value,
    }
    with raises_oci(400, "InvalidParameter", fragment, "65536 bytes (64 KB)"):
        cloud.container_instance(net["private"]["id"], containers=[container])


def test_container_env_at_64kb_accepted(cloud, net):
    env = {"BIG": "x" * (64 * 1024 - 3)}
    container = {
        "image_url": "ocir.us-ashburn-1.oci.oraclecloud.com/ns/galley:0.1.0",
        "environment_variables": env,
    }
    inst = cloud.container_instance(net["private"]["id"], containers=[container])
    assert inst["containers"][0]["environment_variables"] == env


def test_volumes_per_container_instance(cloud, net, raises_oci):
    volumes = [{"name": f"v{n}", "volume_type": "EMPTYDIR"} for n in range(33)]
    with raises_oci(400, "InvalidParameter", "33 volumes (at most 32)"):
        cloud.container_instance(net["private"]["id"], volumes=volumes)
    inst = cloud.container_instance(net["private"]["id"], volumes=volumes[:32])
    assert inst["volume_count"] == 32

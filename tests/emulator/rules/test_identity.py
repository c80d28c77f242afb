"""Compartments, dynamic groups, tag namespaces and tags."""

import pytest


def test_compartment_defaults_to_the_tenancy_and_fills_computed(cloud):
    comp = cloud.create("oci_identity_compartment", name="work", description="Galley work")
    assert comp["compartment_id"] == cloud.tenancy
    assert comp["is_accessible"] is True
    assert (comp["defined_tags"], comp["freeform_tags"]) == ({}, {})


def test_compartment_name_collision_imports_unless_enable_delete(cloud, raises_oci):
    first = cloud.create("oci_identity_compartment", compartment_id=cloud.tenancy, name="work")
    # The provider answers OCI's 409 by adopting the existing compartment...
    again = cloud.create("oci_identity_compartment", compartment_id=cloud.tenancy, name="work")
    assert again["id"] == first["id"]
    # ... except with enable_delete, where the 409 stands.
    with raises_oci(409, "Conflict", "'work' already exists", "enable_delete"):
        cloud.create(
            "oci_identity_compartment",
            compartment_id=cloud.tenancy,
            name="work",
            enable_delete=True,
        )
    other_parent = cloud.create("oci_identity_compartment", name="apps")
    nested = cloud.create(
        "oci_identity_compartment", compartment_id=other_parent["id"], name="work"
    )
    assert nested["id"] != first["id"]  # names are unique among siblings only


def test_compartment_destroy_keeps_it_unless_enable_delete(cloud, raises_oci):
    kept = cloud.create("oci_identity_compartment", name="kept")
    cloud.delete("oci_identity_compartment", kept)
    assert kept["id"] in cloud.world.resources  # the provider only forgets it
    gone = cloud.create("oci_identity_compartment", name="gone", enable_delete=True)
    vcn = cloud.create("oci_core_vcn", compartment_id=gone["id"], cidr_blocks=["10.0.0.0/16"])
    with raises_oci(409, "Conflict", gone["id"], "still holds"):
        cloud.delete("oci_identity_compartment", gone)
    cloud.delete("oci_core_vcn", vcn)
    for default in [r for r in cloud.world.resources.values() if r["type"] != "oci_core_vcn"]:
        assert default["attrs"].get("compartment_id") != gone["id"], default
    cloud.delete("oci_identity_compartment", gone)
    assert gone["id"] not in cloud.world.resources


def test_names_and_descriptions_checked(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "compartment name 'has space'"):
        cloud.create("oci_identity_compartment", name="has space")
    with raises_oci(400, "InvalidParameter", "description is 401 characters, at most 400"):
        cloud.create("oci_identity_compartment", name="long", description="x" * 401)


def test_dynamic_group_lives_in_the_tenancy_with_a_unique_name(cloud, raises_oci):
    rule = "ALL {resource.type='computecontainerinstance'}"
    comp = cloud.create("oci_identity_compartment", name="work")
    with raises_oci(400, "InvalidParameter", "must be the tenancy"):
        cloud.create(
            "oci_identity_dynamic_group", compartment_id=comp["id"], name="dg", matching_rule=rule
        )
    cloud.create(
        "oci_identity_dynamic_group", compartment_id=cloud.tenancy, name="dg", matching_rule=rule
    )
    with raises_oci(409, "Conflict", "'DG' already exists"):
        cloud.create(
            "oci_identity_dynamic_group",
            compartment_id=cloud.tenancy,
            name="DG",
            matching_rule=rule,
        )


def test_tags_need_their_namespace_and_unique_names(cloud, raises_oci):
    with raises_oci(404, "NotAuthorizedOrNotFound"):
        cloud.create(
            "oci_identity_tag",
            tag_namespace_id="ocid1.tagnamespace.oc1..aaaaaaaamissing",
            name="env",
        )
    ns = cloud.create("oci_identity_tag_namespace", compartment_id=cloud.tenancy, name="galley")
    tag = cloud.create("oci_identity_tag", tag_namespace_id=ns["id"], name="env")
    assert (tag["is_retired"], tag["is_cost_tracking"]) == (False, False)
    with raises_oci(409, "Conflict", "tag 'Env' already exists"):
        cloud.create("oci_identity_tag", tag_namespace_id=ns["id"], name="Env")


@pytest.mark.parametrize("name", ["gal.ley", "gal ley", "x" * 101, ""])
def test_tag_namespace_and_key_names_hold_no_period_or_space(cloud, raises_oci, name):
    """A defined tag is written <namespace>.<key> (and tag.<namespace>.<key>.value in a
    matching rule): "Creating a Tag Namespace", "Creating a Tag Key Definition"."""
    with raises_oci(400, "InvalidParameter", "no period or space"):
        cloud.create("oci_identity_tag_namespace", compartment_id=cloud.tenancy, name=name)
    ns = cloud.create("oci_identity_tag_namespace", compartment_id=cloud.tenancy, name="galley")
    with raises_oci(400, "InvalidParameter", "no period or space"):
        cloud.create("oci_identity_tag", tag_namespace_id=ns["id"], name=name)

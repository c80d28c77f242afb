"""IAM writes only in the home region; the tenancy, region and subscription data sources."""

import pytest

NOT_HOME = "Please go to your home region IAD to execute CREATE, UPDATE and DELETE operations."


def _iam(cloud, type_):
    """A valid resource of each IAM type the emulator rules, created in the home region."""
    t = cloud.tenancy
    if type_ == "oci_identity_tag":
        ns = cloud.create("oci_identity_tag_namespace", compartment_id=t, name="ns", description="")
        return cloud.create("oci_identity_tag", tag_namespace_id=ns["id"], name="env")
    given = {
        "oci_identity_policy": {
            "compartment_id": t,
            "name": "p",
            "statements": ["Allow group A to read buckets in tenancy"],
        },
        "oci_identity_compartment": {"compartment_id": t, "name": "work"},
        "oci_identity_dynamic_group": {
            "compartment_id": t,
            "name": "dg",
            "matching_rule": "ALL {resource.type='computecontainerinstance'}",
        },
        "oci_identity_tag_namespace": {"compartment_id": t, "name": "galley"},
    }[type_]
    return cloud.create(type_, **given)


IAM_TYPES = [
    "oci_identity_policy",
    "oci_identity_compartment",
    "oci_identity_dynamic_group",
    "oci_identity_tag_namespace",
    "oci_identity_tag",
]


@pytest.mark.parametrize("type_", IAM_TYPES)
def test_iam_create_outside_home_region_refused(make_cloud, raises_oci, type_):
    cloud = make_cloud("eu-frankfurt-1", home_region="us-ashburn-1")
    if type_ == "oci_identity_tag":  # its namespace exists already (made at home)
        cloud.world.region = "us-ashburn-1"
        ns = cloud.create(
            "oci_identity_tag_namespace", compartment_id=cloud.tenancy, name="ns", description=""
        )
        cloud.world.region = "eu-frankfurt-1"
        with raises_oci(403, "NotAllowed", NOT_HOME):
            cloud.create("oci_identity_tag", tag_namespace_id=ns["id"], name="env")
        return
    with raises_oci(403, "NotAllowed", NOT_HOME):
        _iam(cloud, type_)
    assert [r for r in cloud.world.resources.values() if r["type"] == type_] == []


@pytest.mark.parametrize("type_", IAM_TYPES)
def test_iam_update_and_delete_outside_home_region_refused(make_cloud, raises_oci, type_):
    cloud = make_cloud("us-ashburn-1", home_region="us-ashburn-1")
    made = _iam(cloud, type_)
    cloud.world.region = "eu-frankfurt-1"  # the same tenancy, called through another region
    with raises_oci(403, "NotAllowed", NOT_HOME):
        cloud.update(type_, made, freeform_tags={"a": "b"})
    if type_ == "oci_identity_compartment":
        made = {**made, "enable_delete": True}  # only then does the provider call DELETE
    with raises_oci(403, "NotAllowed", NOT_HOME):
        cloud.delete(type_, made)
    cloud.world.region = "us-ashburn-1"
    assert cloud.update(type_, made, freeform_tags={"a": "b"})["freeform_tags"] == {"a": "b"}


def test_home_region_key_names_the_home_region(make_cloud, raises_oci):
    cloud = make_cloud("ap-tokyo-1", home_region="eu-zurich-1")
    with raises_oci(403, "NotAllowed", "Please go to your home region ZRH to execute"):
        _iam(cloud, "oci_identity_policy")


def test_other_services_work_in_any_region(make_cloud):
    cloud = make_cloud("eu-frankfurt-1", home_region="us-ashburn-1")
    vcn = cloud.create("oci_core_vcn", compartment_id=cloud.tenancy, cidr_blocks=["10.0.0.0/16"])
    assert vcn["id"].startswith("ocid1.vcn.oc1.fra.")


def test_a_cloud_without_a_home_region_is_at_home_in_its_region(make_cloud):
    cloud = make_cloud("eu-frankfurt-1")
    assert cloud.world.home_region == "eu-frankfurt-1"
    assert _iam(cloud, "oci_identity_policy")["name"] == "p"


def test_tenancy_regions_and_subscriptions_give_the_home_region(make_cloud):
    cloud = make_cloud("eu-frankfurt-1", home_region="us-ashburn-1")
    tenancy = cloud.read("oci_identity_tenancy", tenancy_id=cloud.tenancy)
    assert tenancy["home_region_key"] == "IAD"  # the home region's key, not the caller's
    assert tenancy["name"] and tenancy["description"]
    home = cloud.read(
        "oci_identity_regions", filter=[{"name": "key", "values": [tenancy["home_region_key"]]}]
    )["regions"]
    assert home == [{"key": "IAD", "name": "us-ashburn-1"}]
    everything = cloud.read("oci_identity_regions")["regions"]
    assert {"key": "FRA", "name": "eu-frankfurt-1"} in everything
    assert len(everything) > 30
    subscriptions = cloud.read("oci_identity_region_subscriptions", tenancy_id=cloud.tenancy)
    by_name = {s["region_name"]: s for s in subscriptions["region_subscriptions"]}
    assert by_name["us-ashburn-1"]["is_home_region"] is True
    assert by_name["eu-frankfurt-1"]["is_home_region"] is False
    assert by_name["us-ashburn-1"]["region_key"] == "IAD"
    only_home = cloud.read(
        "oci_identity_region_subscriptions",
        tenancy_id=cloud.tenancy,
        filter=[{"name": "is_home_region", "values": ["true"]}],
    )["region_subscriptions"]
    assert [s["region_name"] for s in only_home] == ["us-ashburn-1"]


def test_forgetting_a_compartment_calls_no_api_so_any_region_will_do(make_cloud):
    cloud = make_cloud("us-ashburn-1")
    made = _iam(cloud, "oci_identity_compartment")
    cloud.world.region = "eu-frankfurt-1"
    cloud.delete("oci_identity_compartment", made)  # enable_delete unset: only forgotten
    assert made["id"] in cloud.world.resources

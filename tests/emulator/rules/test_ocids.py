"""OCID syntax, region keys and the World helpers the core may reuse."""

import pytest
from oci_emulator import ocids
from oci_emulator.oci import api
from oci_emulator.oci.ocids import ocid_type, require_ocid
from oci_emulator.oci.regions import region_key
from oci_emulator.oci.world import World


def test_new_ocid_shapes():
    assert api.new_ocid("vcn", "us-ashburn-1").startswith("ocid1.vcn.oc1.iad.aaaaaaaa")
    assert api.new_ocid("policy", "eu-frankfurt-1").startswith("ocid1.policy.oc1..aaaaaaaa")
    assert ocid_type(api.new_ocid("subnet", "uk-london-1")) == "subnet"
    assert api.new_ocid("vcn", "us-ashburn-1") != api.new_ocid("vcn", "us-ashburn-1")


@pytest.mark.parametrize(
    "value",
    [
        "",
        "ocid1",
        "ocid2.vcn.oc1.iad.aaaa",
        "ocid1.vcn.oc1.iad.",
        "ocid1.VCN.oc1.iad.aaaa",
        "ocid1.vcn.xx1.iad.aaaa",
        " ocid1.vcn.oc1.iad.aaaa",
        None,
        42,
    ],
)
def test_malformed_ocids(value, raises_oci):
    assert ocid_type(value) is None
    with raises_oci(400, "InvalidParameter", "is not a valid OCID"):
        require_ocid("vcn_id", value, "vcn")


def test_region_keys(raises_oci):
    assert region_key("us-phoenix-1") == "PHX"
    with raises_oci(400, "InvalidParameter", "'us-east-1' is not a known OCI region"):
        region_key("us-east-1")


def test_error_text_shape():
    err = api.OciError(400, "InvalidParameter", "subnet cidr 10.1.0.0/24 is bad")
    assert str(err) == "400-InvalidParameter: subnet cidr 10.1.0.0/24 is bad"
    assert (err.status, err.code, err.message) == (
        400,
        "InvalidParameter",
        "subnet cidr 10.1.0.0/24 is bad",
    )


def test_world_and_namespace():
    tenancy = api.new_ocid("tenancy", "us-ashburn-1")
    ns = ocids.object_storage_namespace()
    assert len(ns) == 12 and ns.isalnum() and ns.islower()
    world = World(region="us-ashburn-1", tenancy_id=tenancy, namespace=ns)
    assert world.resources == {} and world.compartment_parent == {}
    assert api.World is World


def test_core_and_rules_share_one_region_table(raises_oci):
    # ap-chuncheon-1 is only in the fuller table: the core's generic OCIDs use it too.
    assert ocids.new_ocid("vcn", "ap-chuncheon-1").startswith("ocid1.vcn.oc1.yny.aaaaaaaa")
    assert region_key("ap-chuncheon-1") == "YNY"
    # The provider accepts any region name, so the core does; the rules answer as OCI's API.
    assert ocids.new_ocid("vcn", "xx-mars-1").startswith("ocid1.vcn.oc1.mar.aaaaaaaa")
    with raises_oci(400, "InvalidParameter", "'xx-mars-1' is not a known OCI region"):
        api.new_ocid("vcn", "xx-mars-1")
    assert api.new_ocid("policy", "xx-mars-1").startswith("ocid1.policy.oc1..aaaaaaaa")

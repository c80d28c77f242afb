"""IAM policy statements: grammar, quoting, and the policy compartment subtree."""

import pytest
from oci_emulator.oci.ocids import new_ocid

DG = "ocid1.dynamicgroup.oc1..aaaaaaaadg"


def _policy(cloud, statements, compartment=None, name="galley-policy"):
    return cloud.create(
        "oci_identity_policy",
        name=name,
        compartment_id=compartment or cloud.tenancy,
        statements=statements,
    )


def _comp(cloud):
    return new_ocid("compartment", cloud.world.region)


GOOD = [
    "Allow dynamic-group id {dg} to read buckets in compartment id {c} "
    "where target.bucket.name='galley-abc'",
    "Allow dynamic-group id {dg} to manage objects in compartment id {c} "
    "where all {{target.bucket.name='galley-abc', request.permission != 'OBJECT_DELETE'}}",
    "allow group Administrators to manage all-resources in tenancy",
    "Allow group 'Default'/'Galley-Admins' to use virtual-network-family in compartment Galley",
    "Allow any-user to read repos in tenancy where ALL {{request.principal.type = "
    "'computecontainerinstance', target.repo.name = /galley*/}}",
    "Allow dynamic-group galley-dg to read compute-container-family, repos in compartment id {c}",
    "Allow service objectstorage-us-ashburn-1 to use keys in compartment id {c}",
    "Allow group id ocid1.group.oc1..aaaaaaaagrp to {{BUCKET_READ, OBJECT_INSPECT}} in tenancy",
    "Allow dynamic-group id {dg} to manage orm-family in compartment id {c} where "
    "target.compartment.id = request.principal.compartment.id",
    "Define tenancy Acme as ocid1.tenancy.oc1..aaaaaaaaacme",
    "Allow group A to read buckets in tenancy where request.region in ('iad', 'fra')",
    "Allow group A to read buckets in tenancy where request.utc-timestamp between "
    "'2026-01-01T00:00:00Z' and '2026-12-31T00:00:00Z'",
    # Resource types outside any built-in list: any well-formed name is one.
    "Allow group A to use cloud-shell in tenancy",
    "Allow group A to manage generative-ai-family, cloud-shell in tenancy",
    # Identity domain / group without quotes, also next to a /pattern/ in the condition.
    "Allow group Default/Admins to manage all-resources in tenancy",
    "Allow group Default/Admins, dynamic-group Default/galley-dg to read repos in tenancy "
    "where target.repo.name = /galley*/",
    # A compartment path: Parent:Child.
    "Allow group A to read buckets in compartment Galley:Work",
]


@pytest.mark.parametrize("statement", GOOD)
def test_valid_statements_accepted(cloud, statement):
    comp = _comp(cloud)
    text = statement.format(dg=DG, c=comp)
    policy = _policy(cloud, [text])
    assert policy["statements"] == [text]
    assert policy["policyHash"] and policy["ETag"]


BAD = [
    ("Allow dynamic-group id {dg} to read buckets in compartment {c}", "without 'id'"),
    (
        "Allow dynamic-group id {dg} to read buckets in compartment id {c} "
        "where target.bucket.name=galley-abc",
        "must be quoted ('galley-abc')",
    ),
    ("Allow dynamic-group {dg} to read buckets in tenancy", "needs 'id' before an OCID"),
    ("Allow group id {dg} to read buckets in tenancy", "expected group"),
    ("Allow dynamic-group id {dg} to write buckets in tenancy", "verb 'write'"),
    ("Allow dynamic-group id {dg} to read object_family in tenancy", "'object_family'"),
    ("Allow group A to read -buckets in tenancy", "resource type '-buckets'"),
    ("Allow group A:B to read buckets in tenancy", "expected a group name, got 'A:B'"),
    ("Allow group A to read buckets in compartment Galley::Work", "got 'Galley::Work'"),
    ("Allow dynamic-group id {dg} read buckets in tenancy", "expected 'to'"),
    ("Allow dynamic-group id {dg} to read buckets", "ended early"),
    ("Allow dynamic-group id {dg} to read buckets in tenancy extra", "expected 'where'"),
    (
        "Allow dynamic-group id {dg} to read buckets in tenancy where any {{target.bucket.name='a'",
        "ended early",
    ),
    (
        "Allow dynamic-group id {dg} to read buckets in tenancy where bucket.name='a'",
        "condition variable 'bucket.name'",
    ),
    (
        "Allow dynamic-group id {dg} to read buckets in tenancy where target.bucket.name='a",
        "unterminated quote",
    ),
    ("Permit group A to read buckets in tenancy", "expected 'allow'"),
    (
        "Allow group A to read buckets in tenancy where request.region in ('iad', 'fra'",
        "ended early",
    ),
    (
        "Allow group A to read buckets in tenancy where request.region in ('iad' 'fra')",
        "expected ')'",
    ),
]


@pytest.mark.parametrize(("statement", "fragment"), BAD)
def test_invalid_statements_rejected(cloud, raises_oci, statement, fragment):
    text = statement.format(dg=DG, c=_comp(cloud))
    with raises_oci(400, "InvalidParameter", fragment, "policy statement"):
        _policy(cloud, [text])


def test_statements_required(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "no statements"):
        _policy(cloud, [])


def test_policy_name_unique_in_tenancy(cloud, raises_oci):
    _policy(cloud, ["Allow group A to read buckets in tenancy"])
    comp = _comp(cloud)
    with raises_oci(409, "Conflict", "'galley-policy' already exists"):
        _policy(
            cloud, [f"Allow group B to read buckets in compartment id {comp}"], compartment=comp
        )


def test_compartment_outside_policy_subtree_rejected(cloud, raises_oci):
    parent, sibling = _comp(cloud), _comp(cloud)  # both children of the tenancy by default
    text = f"Allow dynamic-group id {DG} to read buckets in compartment id {sibling}"
    with raises_oci(400, "InvalidParameter", sibling, "not part of the policy compartment subtree"):
        _policy(cloud, [text], compartment=parent)
    with raises_oci(400, "InvalidParameter", "not part of the policy compartment subtree"):
        _policy(
            cloud, [f"Allow dynamic-group id {DG} to read buckets in tenancy"], compartment=parent
        )


def test_compartment_in_subtree_accepted(cloud):
    parent, child, grandchild = _comp(cloud), _comp(cloud), _comp(cloud)
    cloud.world.compartment_parent.update({child: parent, grandchild: child, parent: cloud.tenancy})
    for target in (parent, child, grandchild):
        text = f"Allow dynamic-group id {DG} to read buckets in compartment id {target}"
        assert _policy(cloud, [text], compartment=parent, name=f"p-{target[-6:]}")
    # From the tenancy every compartment is in the subtree.
    assert _policy(
        cloud, [f"Allow group A to read buckets in compartment id {grandchild}"], name="root"
    )


def test_named_compartment_checked_against_known_tree(cloud, raises_oci):
    work = cloud.create("oci_identity_compartment", compartment_id=cloud.tenancy, name="work")
    app = cloud.create("oci_identity_compartment", compartment_id=cloud.tenancy, name="app")
    text = "Allow group A to read buckets in compartment work"
    with raises_oci(400, "InvalidParameter", "work", "not part of the policy compartment subtree"):
        _policy(cloud, [text], compartment=app["id"])
    assert _policy(cloud, [text], compartment=cloud.tenancy)
    assert work["name"] == "work"


def test_compartment_path_checked_against_known_tree(cloud, raises_oci):
    galley = cloud.create("oci_identity_compartment", compartment_id=cloud.tenancy, name="galley")
    work = cloud.create("oci_identity_compartment", compartment_id=galley["id"], name="work")
    other = cloud.create("oci_identity_compartment", compartment_id=cloud.tenancy, name="other")
    cloud.world.compartment_parent.update(
        {galley["id"]: cloud.tenancy, work["id"]: galley["id"], other["id"]: cloud.tenancy}
    )
    text = "Allow group A to read buckets in compartment galley:work"
    assert _policy(cloud, [text], compartment=galley["id"], name="in-parent")
    with raises_oci(400, "InvalidParameter", "galley:work", work["id"], "not part of the policy"):
        _policy(cloud, [text], compartment=other["id"], name="in-sibling")

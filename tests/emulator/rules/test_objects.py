"""Bucket contents (objects, previous versions), deleting buckets, object lifecycle policies."""

import pytest
from oci_emulator.oci import objects

NS = "axk3qhf2zm1p"
SERVICE = "objectstorage-us-ashburn-1"


def _bucket(cloud, name="galley-data", versioning="Enabled"):
    return cloud.create(
        "oci_objectstorage_bucket",
        compartment_id=cloud.tenancy,
        name=name,
        namespace=NS,
        versioning=versioning,
    )


def _held(cloud, bucket="galley-data"):
    return sorted(
        (r["type"], r["attrs"]["object"]) for r in objects.contents(cloud.world, NS, bucket)
    )


def test_terraform_object_fills_size_md5_and_version(cloud):
    _bucket(cloud)
    obj = cloud.create(
        "oci_objectstorage_object", namespace=NS, bucket="galley-data", object="a", content="hi"
    )
    assert obj["id"] == f"n/{NS}/b/galley-data/o/a"
    assert (obj["content_length"], obj["content_md5"]) == (
        "2",
        "SfaKXIST7CwL9ImCHCH8Ow==",
    )  # base64 MD5 of "hi"
    assert obj["version_id"] and obj["storage_tier"] == "Standard"


def test_object_needs_its_bucket(cloud, raises_oci):
    with raises_oci(404, "BucketNotFound", "bucket named 'nope' does not exist"):
        cloud.create("oci_objectstorage_object", namespace=NS, bucket="nope", object="a")


def test_wrong_content_md5_refused(cloud, raises_oci):
    _bucket(cloud)
    with raises_oci(400, "InvalidParameter", "content_md5 'bad' does not match"):
        cloud.create(
            "oci_objectstorage_object",
            namespace=NS,
            bucket="galley-data",
            object="a",
            content="hi",
            content_md5="bad",
        )


def test_versioned_bucket_keeps_previous_versions(cloud):
    _bucket(cloud)
    objects.put(cloud.world, NS, "galley-data", "state.json", b"1")
    objects.put(cloud.world, NS, "galley-data", "state.json", b"2")
    assert _held(cloud) == [
        ("objectstorage_object_version", "state.json"),
        ("oci_objectstorage_object", "state.json"),
    ]
    objects.remove(cloud.world, NS, "galley-data", "state.json")
    assert _held(cloud) == [("objectstorage_object_version", "state.json")] * 2


def test_unversioned_bucket_overwrites_and_deletes(cloud):
    _bucket(cloud, versioning="Disabled")
    objects.put(cloud.world, NS, "galley-data", "a", b"1")
    objects.put(cloud.world, NS, "galley-data", "a", b"2")
    assert _held(cloud) == [("oci_objectstorage_object", "a")]
    objects.remove(cloud.world, NS, "galley-data", "a")
    assert _held(cloud) == []


def test_missing_object_or_bucket(cloud, raises_oci):
    _bucket(cloud)
    with raises_oci(404, "ObjectNotFound", "'nope' was not found in the bucket 'galley-data'"):
        objects.remove(cloud.world, NS, "galley-data", "nope")
    with raises_oci(404, "BucketNotFound", "'other'"):
        objects.put(cloud.world, NS, "other", "a", b"")


def test_bucket_with_objects_or_versions_cannot_be_deleted(cloud, raises_oci):
    bucket = _bucket(cloud)
    objects.put(cloud.world, NS, "galley-data", "a", b"1")
    objects.remove(cloud.world, NS, "galley-data", "a")  # only a previous version remains
    message = "Bucket named 'galley-data' is not empty. Delete all object versions first."
    with raises_oci(409, "BucketNotEmpty", message):
        cloud.delete("oci_objectstorage_bucket", bucket)
    assert objects.empty(cloud.world, NS, "galley-data") == 1
    cloud.delete("oci_objectstorage_bucket", bucket)
    assert bucket["id"] not in cloud.world.resources


def test_terraform_object_destroy_leaves_a_version_unless_all_versions(cloud):
    _bucket(cloud)
    obj = cloud.create(
        "oci_objectstorage_object", namespace=NS, bucket="galley-data", object="a", content="1"
    )
    cloud.delete("oci_objectstorage_object", obj)
    assert _held(cloud) == [("objectstorage_object_version", "a")]
    obj = cloud.create(
        "oci_objectstorage_object",
        namespace=NS,
        bucket="galley-data",
        object="a",
        content="2",
        delete_all_object_versions=True,
    )
    cloud.delete("oci_objectstorage_object", obj)
    assert _held(cloud) == []


# --- lifecycle policies ------------------------------------------------------------------------

RULE = {
    "name": "expire-old",
    "action": "DELETE",
    "is_enabled": True,
    "time_amount": "30",
    "time_unit": "DAYS",
}


def _policy(cloud, *rules, bucket="galley-data"):
    return cloud.create(
        "oci_objectstorage_object_lifecycle_policy",
        namespace=NS,
        bucket=bucket,
        rules=list(rules) or [RULE],
    )


def _allow(cloud, statement=f"Allow service {SERVICE} to manage object-family in tenancy"):
    cloud.create(
        "oci_identity_policy", compartment_id=cloud.tenancy, name="os-svc", statements=[statement]
    )


def test_lifecycle_needs_the_service_permission(cloud, raises_oci):
    _bucket(cloud)
    with raises_oci(
        400,
        "InsufficientServicePermissions",
        f'Permissions granted to the object storage service principal "{SERVICE}" to this '
        "bucket are insufficient.",
    ):
        _policy(cloud)
    _allow(cloud)
    policy = _policy(cloud)
    assert policy["id"] == f"n/{NS}/b/galley-data/l"
    assert policy["rules"][0]["target"] == "objects"


@pytest.mark.parametrize(
    ("statement", "allowed"),
    [
        (f"Allow service {SERVICE} to manage objects in tenancy", True),
        (
            f"Allow service {SERVICE} to manage object-family in tenancy "
            "where target.bucket.name = 'galley-data'",
            True,
        ),
        (
            f"Allow service {SERVICE} to manage object-family in tenancy "
            "where target.bucket.name = 'other'",
            False,
        ),
        (f"Allow service {SERVICE} to use object-family in tenancy", False),
        ("Allow service objectstorage-us-phoenix-1 to manage object-family in tenancy", False),
    ],
)
def test_lifecycle_service_policy_variants(cloud, raises_oci, statement, allowed):
    _bucket(cloud)
    _allow(cloud, statement)
    if allowed:
        assert _policy(cloud)["bucket"] == "galley-data"
    else:
        with raises_oci(400, "InsufficientServicePermissions"):
            _policy(cloud)


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"action": "ABORT"}, "action 'ABORT' is invalid for target objects"),
        (
            {"target": "multipart-uploads"},
            "action 'DELETE' is invalid for target multipart-uploads",
        ),
        ({"target": "everything"}, "target 'everything' is invalid"),
        ({"time_unit": "MONTHS"}, "time_unit 'MONTHS' is invalid"),
        ({"time_amount": "0"}, "time_amount '0' must be a whole number of at least 1"),
        (
            {"object_name_filter": [{"inclusion_patterns": ["x" * 1025]}]},
            "must be 1-1024 characters",
        ),
    ],
)
def test_lifecycle_rules_checked(cloud, raises_oci, change, fragment):
    _bucket(cloud)
    _allow(cloud)
    with raises_oci(400, "InvalidParameter", fragment):
        _policy(cloud, {**RULE, **change})


@pytest.mark.parametrize(
    "rule",
    [
        {"action": "ARCHIVE", "target": "previous-object-versions"},
        {"action": "INFREQUENT_ACCESS", "time_unit": "YEARS", "time_amount": "1"},
        {"action": "ABORT", "target": "multipart-uploads"},
    ],
)
def test_lifecycle_rules_accepted(cloud, rule):
    _bucket(cloud)
    _allow(cloud)
    assert _policy(cloud, {**RULE, **rule})["rules"][0]["action"] == rule["action"]


def test_lifecycle_rule_names_unique_and_count_limited(cloud, raises_oci):
    _bucket(cloud)
    _allow(cloud)
    with raises_oci(400, "InvalidParameter", "'expire-old' is used by two rules"):
        _policy(cloud, RULE, {**RULE, "time_amount": "60"})
    many = [{**RULE, "name": f"r{n}"} for n in range(1001)]
    with raises_oci(400, "LimitExceeded", "1001 rules (limit 1000)"):
        _policy(cloud, *many)
    assert len(_policy(cloud, *many[:1000])["rules"]) == 1000


def test_lifecycle_needs_its_bucket(cloud, raises_oci):
    with raises_oci(404, "BucketNotFound"):
        _policy(cloud, bucket="nope")

"""Object Storage bucket rules."""

import pytest


def _bucket(cloud, **attrs):
    base = {
        "compartment_id": cloud.tenancy,
        "name": "galley-data",
        "namespace": cloud.world.namespace,
    }
    return cloud.create("oci_objectstorage_bucket", **{**base, **attrs})


def test_bucket_fills_computed(cloud):
    b = _bucket(cloud, versioning="Enabled")
    assert b["id"] == f"n/{cloud.world.namespace}/b/galley-data"
    assert b["bucket_id"].startswith("ocid1.bucket.oc1.iad.")
    assert b["etag"] and b["created_by"].startswith("ocid1.user.oc1..")
    assert (b["storage_tier"], b["access_type"], b["versioning"]) == (
        "Standard",
        "NoPublicAccess",
        "Enabled",
    )
    assert b["approximate_count"] == "0"


@pytest.mark.parametrize(
    "name",
    ["", "has space", "slash/name", "x" * 257, "ünicode"],
)
def test_bucket_name_rejected(cloud, raises_oci, name):
    with raises_oci(400, "InvalidParameter", "bucket name", "letters, digits"):
        _bucket(cloud, name=name)


@pytest.mark.parametrize("name", ["a", "Galley_data.v1-2", "x" * 256])
def test_bucket_name_accepted(cloud, name):
    assert _bucket(cloud, name=name)["name"] == name


def test_bucket_name_unique_per_namespace(cloud, raises_oci):
    _bucket(cloud)
    with raises_oci(409, "BucketAlreadyExists", "'galley-data'", cloud.world.namespace):
        _bucket(cloud)


def test_bucket_namespace_must_be_tenancy_namespace(cloud, raises_oci):
    with raises_oci(404, "NamespaceNotFound", "'someoneelse'", cloud.world.namespace):
        _bucket(cloud, namespace="someoneelse")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("versioning", "Suspended"),
        ("versioning", "enabled"),
        ("storage_tier", "InfrequentAccess"),
        ("access_type", "Public"),
        ("auto_tiering", "Always"),
    ],
)
def test_bucket_enum_values_rejected_at_create(cloud, raises_oci, field, value):
    with raises_oci(400, "InvalidParameter", f"{field} {value!r}"):
        _bucket(cloud, **{field: value})


def test_versioning_transitions(cloud, raises_oci):
    plain = _bucket(cloud)
    assert plain["versioning"] == "Disabled"
    with raises_oci(400, "InvalidParameter", "from Disabled to 'Suspended'"):
        cloud.update("oci_objectstorage_bucket", plain, versioning="Suspended")
    enabled = cloud.update("oci_objectstorage_bucket", plain, versioning="Enabled")
    with raises_oci(400, "InvalidParameter", "from Enabled to 'Disabled'"):
        cloud.update("oci_objectstorage_bucket", enabled, versioning="Disabled")
    suspended = cloud.update("oci_objectstorage_bucket", enabled, versioning="Suspended")
    assert suspended["versioning"] == "Suspended"
    assert suspended["bucket_id"] == plain["bucket_id"]
    assert suspended["etag"] != plain["etag"]


def test_retention_rules_refused_with_versioning(cloud, raises_oci):
    rule = {"display_name": "keep", "duration": [{"time_amount": "1", "time_unit": "DAYS"}]}
    with raises_oci(400, "InvalidParameter", "retention rules"):
        _bucket(cloud, versioning="Enabled", retention_rules=[rule])
    kept = _bucket(cloud, name="other", retention_rules=[rule])
    assert kept["retention_rules"][0]["retention_rule_id"]


def test_kms_key_must_be_a_key_ocid(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "kms_key_id", "ocid1.key.*"):
        _bucket(cloud, kms_key_id="ocid1.vault.oc1.iad.aaaaaaaaabc")


def test_bucket_delete_refused_while_objects_remain(cloud, raises_oci):
    b = _bucket(cloud)
    cloud.world.resources["obj"] = {
        "type": "oci_objectstorage_object",
        "id": "obj",
        "attrs": {"namespace": b["namespace"], "bucket": b["name"], "object": "state.json"},
    }
    with raises_oci(409, "BucketNotEmpty", "Bucket named 'galley-data' is not empty"):
        cloud.delete("oci_objectstorage_bucket", b)
    del cloud.world.resources["obj"]
    cloud.delete("oci_objectstorage_bucket", b)
    assert not list(cloud.world.resources)

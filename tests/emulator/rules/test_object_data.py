"""Object Storage's data plane (oci/object_data.py): put / get / list / delete by a container
instance's resource principal, each decided against the policies, and retention rules keeping
objects (oci/retention.py)."""

from __future__ import annotations

import json
import time

import pytest
from oci_emulator.oci import authz, object_data

NS = "axk3qhf2zm1p"
BUCKET = "galley-data"
PRINCIPAL_ID = "ocid1.computecontainerinstance.oc1.iad.aaaaaaaaexample"


@pytest.fixture
def blobs(tmp_path):
    return object_data.Blobs(tmp_path / "objects")


def _grant(cloud, *statements, versioning="Enabled", retention_rules=None):
    group = cloud.create(
        "oci_identity_dynamic_group",
        compartment_id=cloud.tenancy,
        name="galley-instances",
        description="d",
        matching_rule="resource.type='computecontainerinstance'",
    )
    cloud.create(
        "oci_identity_policy",
        compartment_id=cloud.tenancy,
        name="galley",
        description="d",
        statements=[s.replace("{group}", group["id"]) for s in statements],
    )
    for name in (BUCKET, "other"):
        cloud.create(
            "oci_objectstorage_bucket",
            compartment_id=cloud.tenancy,
            name=name,
            namespace=NS,
            versioning=versioning,
            retention_rules=retention_rules or [],
        )


def _call(cloud, blobs, method, path, body=b"", **query):
    principal = authz.Principal("computecontainerinstance", PRINCIPAL_ID, cloud.tenancy, "t")
    request = object_data.Request(method, path, query, {}, body)
    return object_data.handle(cloud.world, blobs, principal, request)


GALLEY = (
    "Allow dynamic-group id {group} to manage objects in tenancy "
    f"where target.bucket.name='{BUCKET}'"
)


def test_put_get_list_in_the_granted_bucket(cloud, blobs):
    _grant(cloud, GALLEY)
    put = _call(cloud, blobs, "PUT", f"/n/{NS}/b/{BUCKET}/o/notes%2Fa.txt", b"hello")
    assert put.status == 200
    assert put.headers["opc-content-md5"] == "XUFAKrxLKna5cZ2REBfFkg=="  # base64 MD5 of hello
    got = _call(cloud, blobs, "GET", f"/n/{NS}/b/{BUCKET}/o/notes%2Fa.txt")
    assert (got.status, got.body) == (200, b"hello")
    assert got.headers["version-id"] == put.headers["version-id"]
    listed = _call(cloud, blobs, "GET", f"/n/{NS}/b/{BUCKET}/o", prefix="notes/")
    (entry,) = json.loads(listed.body)["objects"]
    assert (entry["name"], entry["size"], entry["md5"]) == (
        "notes/a.txt",
        5,
        got.headers["content-md5"],
    )
    assert json.loads(_call(cloud, blobs, "GET", "/n/").body) == NS


def test_another_bucket_answers_bucket_not_found_like_a_missing_one(cloud, blobs):
    _grant(cloud, GALLEY)
    refused = _call(cloud, blobs, "PUT", f"/n/{NS}/b/other/o/x", b"x")
    missing = _call(cloud, blobs, "GET", f"/n/{NS}/b/nope/o")
    for answer in (refused, missing):
        assert answer.status == 404
        assert json.loads(answer.body)["code"] == "BucketNotFound"
    assert "OBJECT_CREATE is not granted" in json.loads(refused.body)["message"]
    assert "Either the bucket named 'other' does not exist" in json.loads(refused.body)["message"]


def test_overwrite_needs_overwrite_and_a_new_name_needs_create(cloud, blobs):
    _grant(cloud, "Allow dynamic-group id {group} to use objects in tenancy")  # read + overwrite
    new = _call(cloud, blobs, "PUT", f"/n/{NS}/b/{BUCKET}/o/a", b"1")
    assert new.status == 404
    assert "OBJECT_CREATE is not granted" in json.loads(new.body)["message"]


def test_delete_keeps_a_previous_version_and_deleting_versions_needs_its_own_permission(
    cloud, blobs
):
    _grant(
        cloud,
        "Allow dynamic-group id {group} to {OBJECT_CREATE, OBJECT_READ, OBJECT_DELETE, "
        "OBJECT_INSPECT} in tenancy",
    )
    first = _call(cloud, blobs, "PUT", f"/n/{NS}/b/{BUCKET}/o/a", b"1")
    assert _call(cloud, blobs, "DELETE", f"/n/{NS}/b/{BUCKET}/o/a").status == 204
    gone = _call(cloud, blobs, "GET", f"/n/{NS}/b/{BUCKET}/o/a")
    assert (gone.status, json.loads(gone.body)["code"]) == (404, "ObjectNotFound")
    version = first.headers["version-id"]
    refused = _call(cloud, blobs, "DELETE", f"/n/{NS}/b/{BUCKET}/o/a", versionId=version)
    assert refused.status == 404
    assert "OBJECT_VERSION_DELETE is not granted" in json.loads(refused.body)["message"]


def test_a_retention_rule_refuses_delete_and_overwrite_within_its_duration(cloud, blobs):
    rules = [{"display_name": "keep", "duration": [{"time_amount": "1", "time_unit": "DAYS"}]}]
    _grant(
        cloud,
        "Allow dynamic-group id {group} to manage objects in tenancy",
        versioning="Disabled",
        retention_rules=rules,
    )
    assert _call(cloud, blobs, "PUT", f"/n/{NS}/b/{BUCKET}/o/a", b"1").status == 200
    for method, body in (("DELETE", b""), ("PUT", b"2")):
        refused = _call(cloud, blobs, method, f"/n/{NS}/b/{BUCKET}/o/a", body)
        assert refused.status == 409, refused.body
        message = json.loads(refused.body)["message"]
        assert "retention rule 'keep'" in message and "keeps it until" in message
    # A day later (the object's Last-Modified moved back) the rule no longer keeps it.
    key = f"n/{NS}/b/{BUCKET}/o/a"
    cloud.world.resources[key]["attrs"]["modified_at"] = time.time() - 86400 - 1
    assert _call(cloud, blobs, "DELETE", f"/n/{NS}/b/{BUCKET}/o/a").status == 204


def test_an_indefinite_rule_keeps_objects_until_it_is_removed(cloud, blobs):
    _grant(
        cloud,
        "Allow dynamic-group id {group} to manage objects in tenancy",
        versioning="Disabled",
        retention_rules=[{"display_name": "hold"}],
    )
    _call(cloud, blobs, "PUT", f"/n/{NS}/b/{BUCKET}/o/a", b"1")
    key = f"n/{NS}/b/{BUCKET}/o/a"
    cloud.world.resources[key]["attrs"]["modified_at"] = 0.0
    refused = _call(cloud, blobs, "DELETE", f"/n/{NS}/b/{BUCKET}/o/a")
    assert refused.status == 409
    assert "indefinitely" in json.loads(refused.body)["message"]

"""Vaults, keys, and buckets encrypted with a customer-managed key."""

import pytest

NS = "axk3qhf2zm1p"  # the test cloud's namespace (conftest)
SERVICE = "objectstorage-us-ashburn-1"


def _vault(cloud, compartment=None):
    return cloud.create(
        "oci_kms_vault",
        compartment_id=compartment or cloud.tenancy,
        display_name="galley",
        vault_type="DEFAULT",
    )


def _key(cloud, vault=None, compartment=None, **shape):
    vault = vault or _vault(cloud)
    return cloud.create(
        "oci_kms_key",
        compartment_id=compartment or cloud.tenancy,
        display_name="galley-key",
        management_endpoint=vault["management_endpoint"],
        key_shape=[{"algorithm": "AES", "length": 32, **shape}],
    )


def _bucket(cloud, key_id, compartment=None, name="galley-data"):
    return cloud.create(
        "oci_objectstorage_bucket",
        compartment_id=compartment or cloud.tenancy,
        name=name,
        namespace=NS,
        kms_key_id=key_id,
    )


def _allow(cloud, *statements, compartment=None, name="object-storage-keys"):
    return cloud.create(
        "oci_identity_policy",
        compartment_id=compartment or cloud.tenancy,
        name=name,
        statements=list(statements),
    )


def test_vault_endpoints_and_key_defaults(cloud):
    vault = _vault(cloud)
    assert vault["management_endpoint"].endswith("-management.kms.us-ashburn-1.oraclecloud.com")
    assert vault["crypto_endpoint"].endswith("-crypto.kms.us-ashburn-1.oraclecloud.com")
    key = _key(cloud, vault)
    assert key["vault_id"] == vault["id"]
    assert (key["state"], key["protection_mode"]) == ("ENABLED", "HSM")
    assert key["current_key_version"].startswith("ocid1.keyversion.oc1.iad.")


def test_key_needs_a_vault_management_endpoint(cloud, raises_oci):
    with raises_oci(404, "NotAuthorizedOrNotFound", "is not the management endpoint"):
        cloud.create(
            "oci_kms_key",
            compartment_id=cloud.tenancy,
            display_name="k",
            management_endpoint="https://nowhere-management.kms.us-ashburn-1.oraclecloud.com",
            key_shape=[{"algorithm": "AES", "length": 32}],
        )


@pytest.mark.parametrize(
    ("shape", "fragment"),
    [
        ({"algorithm": "AES", "length": 64}, "length 64 is invalid for AES"),
        ({"algorithm": "RSA", "length": 32}, "length 32 is invalid for RSA"),
        ({"algorithm": "DES", "length": 8}, "algorithm 'DES'"),
        ({"algorithm": "ECDSA", "length": 48, "curve_id": "NIST_P256"}, "expected NIST_P384"),
        ({"algorithm": "AES", "length": 16, "curve_id": "NIST_P256"}, "ECDSA keys only"),
    ],
)
def test_key_shapes_checked(cloud, raises_oci, shape, fragment):
    with raises_oci(400, "InvalidParameter", fragment):
        _key(cloud, **shape)


def test_ecdsa_curve_follows_the_length(cloud):
    key = _key(cloud, algorithm="ECDSA", length=66)
    assert key["key_shape"][0]["curve_id"] == "NIST_P521"


def test_bucket_key_must_exist(cloud, raises_oci):
    missing = "ocid1.key.oc1.iad.aaaaaaaamissing"
    with raises_oci(404, "NotAuthorizedOrFoundKmsKey", missing, "does not exist"):
        _bucket(cloud, missing)


def test_bucket_key_needs_the_object_storage_service_policy(cloud, raises_oci):
    key = _key(cloud)
    with raises_oci(
        404,
        "NotAuthorizedOrFoundKmsKey",
        f"the service {SERVICE} is not authorized to use this key",
        f"Allow service {SERVICE} to use keys",
    ):
        _bucket(cloud, key["id"])
    assert not [r for r in cloud.world.resources.values() if r["type"].endswith("bucket")]
    _allow(
        cloud, f"Allow service {SERVICE} to use keys in tenancy where target.key.id = '{key['id']}'"
    )
    assert _bucket(cloud, key["id"])["kms_key_id"] == key["id"]


ALLOWING = [
    "Allow service {svc} to use keys in tenancy",
    "Allow service {svc} to manage keys in compartment id {kc}",
    "Allow service {svc} to use kms-family in compartment id {parent}",
    "Allow service blockstorage, {svc}, oke to use keys in compartment keys",
    "Allow service {svc} to use keys in compartment galley:keys",
    "Allow service {svc} to {{KEY_ENCRYPT, KEY_DECRYPT}} in tenancy",
    "Allow service {svc} to use keys in tenancy where any {{target.key.id = '{key}', "
    "target.key.id = 'other'}}",
]
REFUSING = [
    "Allow service objectstorage-eu-frankfurt-1 to use keys in tenancy",  # another region
    "Allow service {svc} to read keys in tenancy",  # a verb below use
    "Allow service {svc} to use buckets in tenancy",  # another resource type
    "Allow group Admins to use keys in tenancy",  # not the service
    "Allow service {svc} to use keys in compartment id {sibling}",  # not the key's tree
    "Allow service {svc} to use keys in tenancy where target.key.id = 'ocid1.key.oc1.iad.other'",
]


def _key_tree(cloud):
    """A key in compartment galley:keys, and a sibling compartment."""
    parent = cloud.create("oci_identity_compartment", name="galley")
    keys = cloud.create("oci_identity_compartment", compartment_id=parent["id"], name="keys")
    sibling = cloud.create("oci_identity_compartment", name="other")
    cloud.world.compartment_parent.update(
        {parent["id"]: cloud.tenancy, keys["id"]: parent["id"], sibling["id"]: cloud.tenancy}
    )
    key = _key(cloud, _vault(cloud, keys["id"]), compartment=keys["id"])
    return {
        "svc": SERVICE,
        "kc": keys["id"],
        "parent": parent["id"],
        "sibling": sibling["id"],
        "key": key["id"],
    }, parent


@pytest.mark.parametrize("statement", ALLOWING)
def test_policies_that_let_object_storage_use_the_key(cloud, statement):
    ids, parent = _key_tree(cloud)
    # "compartment keys" is resolved below the policy's compartment: attach it to galley.
    home = parent["id"] if " compartment keys" in statement else cloud.tenancy
    _allow(cloud, statement.format(**ids), compartment=home)
    assert _bucket(cloud, ids["key"])["kms_key_id"] == ids["key"]


@pytest.mark.parametrize("statement", REFUSING)
def test_policies_that_do_not(cloud, raises_oci, statement):
    ids, _ = _key_tree(cloud)
    _allow(cloud, statement.format(**ids))
    with raises_oci(404, "NotAuthorizedOrFoundKmsKey", "not authorized to use this key"):
        _bucket(cloud, ids["key"])


def test_unchanged_key_is_not_rechecked_on_update(cloud):
    key = _key(cloud)
    policy = _allow(cloud, f"Allow service {SERVICE} to use keys in tenancy")
    bucket = _bucket(cloud, key["id"])
    cloud.delete("oci_identity_policy", policy)
    updated = cloud.update("oci_objectstorage_bucket", bucket, freeform_tags={"a": "b"})
    assert updated["freeform_tags"] == {"a": "b"}

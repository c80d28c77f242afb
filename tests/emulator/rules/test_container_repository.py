"""Container Registry: a repository's name, its uniqueness in the tenancy's registry of a region,
immutability, updates and delete (emulator/src/oci_emulator/oci/registry.py, with sources)."""

import pytest

REPO = "oci_artifacts_container_repository"


def _repo(cloud, name="galley", compartment=None, **extra):
    return cloud.create(
        REPO,
        compartment_id=compartment or cloud.create("oci_identity_compartment", name="c")["id"],
        display_name=name,
        **extra,
    )


def test_repository_in_a_compartment_is_a_private_mutable_record(cloud, schema_unknown):
    repo = _repo(cloud, freeform_tags={"app": "galley"})
    assert repo["id"].startswith("ocid1.containerrepo.oc1.iad.")
    assert (repo["is_public"], repo["is_immutable"]) == (False, False)
    assert (repo["namespace"], repo["state"], repo["image_count"]) == (
        cloud.world.namespace,
        "AVAILABLE",
        0,
    )
    assert repo["freeform_tags"] == {"app": "galley"}
    assert schema_unknown("resource", REPO, repo) == []


@pytest.mark.parametrize("name", ["galley", "team/galley", "a.b_c__d---e/f1", "0"])
def test_names_oci_accepts(cloud, name):
    assert _repo(cloud, name)["display_name"] == name


@pytest.mark.parametrize(
    "name", ["Galley", "galley-", "-galley", "team//galley", "/galley", "a_.b", "", "x" * 256]
)
def test_names_oci_refuses(cloud, raises_oci, name):
    with raises_oci(400, "InvalidParameter", f"display_name {name!r} is invalid"):
        _repo(cloud, name)


def test_compartment_must_be_a_compartment(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "compartment_id"):
        _repo(cloud, compartment="ocid1.vcn.oc1.iad.aaaaaaaavcn")


def test_name_is_unique_across_the_tenancys_compartments(cloud, raises_oci):
    first = _repo(cloud)
    other = cloud.create("oci_identity_compartment", name="other")["id"]
    with raises_oci(409, "NamespaceConflict", "'galley' already exists", "all compartments"):
        _repo(cloud, compartment=other)
    assert _repo(cloud, "galley/next", compartment=first["compartment_id"])


def test_same_name_in_another_region(cloud, make_cloud):
    _repo(cloud)
    phoenix = make_cloud(region="us-phoenix-1")
    phoenix.world = cloud.world.__class__(
        region="us-phoenix-1",
        tenancy_id=cloud.world.tenancy_id,
        namespace=cloud.world.namespace,
        resources=cloud.world.resources,
    )
    assert _repo(phoenix, compartment=cloud.tenancy)["id"].startswith(
        "ocid1.containerrepo.oc1.phx."
    )


def test_immutability_and_compartment_change_in_place(cloud):
    repo = _repo(cloud)
    other = cloud.create("oci_identity_compartment", name="other")["id"]
    moved = cloud.update(REPO, repo, is_immutable=True, compartment_id=other)
    assert (moved["id"], moved["is_immutable"], moved["compartment_id"]) == (
        repo["id"],
        True,
        other,
    )
    assert moved["time_created"] == repo["time_created"]


def test_readme_format(cloud, raises_oci):
    with raises_oci(400, "InvalidParameter", "readme format 'HTML' is invalid"):
        _repo(cloud, readme=[{"content": "x", "format": "HTML"}])
    assert _repo(cloud, readme=[{"content": "# Galley", "format": "TEXT_MARKDOWN"}])


def test_a_repository_with_images_can_be_deleted(cloud):
    repo = _repo(cloud)
    repo["image_count"] = 3  # OCI deletes the images with the repository
    cloud.delete(REPO, repo)
    assert repo["id"] not in cloud.world.resources

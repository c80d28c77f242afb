"""deploy/'s optional OCIR repository and images by digest: no repository by default; with
create_image_repository, one private repository named as the pull right names it, in the
compartment the pull right names, nothing else changed; image_digest puts @sha256:<digest> in the
image URL instead of the tag. (The policy's statements are known only at apply: both the
repository and iam's pull right take the name and compartment from the same locals.)"""

from __future__ import annotations

import json

import tf_support as tfs

REPO = "oci_artifacts_container_repository"
DIGEST = "sha256:" + "0123456789abcdef" * 4
INSTANCE = (
    "module.service.module.container_instance.oci_container_instances_container_instance.this"
)


def _plan(cloud, tmp_path, **extra):
    root = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    tf = tfs.terraform(root, cloud.env)
    tf_vars = {**tfs.BASE_VARS["deploy"], "tenancy_id": cloud.tenancy_id, **extra}
    # A tfvars file keeps booleans booleans ("-var x=True" is no bool).
    var_file = tmp_path / "inputs.tfvars.json"
    var_file.write_text(json.dumps(tf_vars))
    return tfs.plan_summary(tf.plan(output=True, tf_var_file=str(var_file)))


def test_repository_absent_by_default_present_with_the_flag(oci_cloud, tmp_path):
    default = _plan(oci_cloud, tmp_path / "default")
    assert REPO not in default["counts"]
    assert default["outputs"]["image_repository_id"] is None
    image_url = default["values"][INSTANCE]["containers"][0]["image_url"]
    assert image_url.endswith("/galley:0.1.0"), image_url

    repo_compartment = tfs.random_ocid("compartment")
    with_repo = _plan(
        oci_cloud,
        tmp_path / "flag",
        create_image_repository=True,
        image_repository_immutable=True,
        image_repository_compartment_id=repo_compartment,
    )
    assert with_repo["counts"][REPO] == 1
    others = {t: n for t, n in with_repo["counts"].items() if t != REPO}
    assert others == default["counts"]
    repo = with_repo["values"][
        "module.container_repository[0].oci_artifacts_container_repository.this"
    ]
    assert (repo["display_name"], repo["compartment_id"]) == ("galley", repo_compartment)
    assert (repo["is_immutable"], repo["is_public"]) == (True, False)


def test_repository_follows_the_image_urls_repository(oci_cloud, tmp_path):
    summary = _plan(
        oci_cloud,
        tmp_path,
        create_image_repository=True,
        galley_image_url="ocir.us-ashburn-1.oci.oraclecloud.com/ns/team/galley:1.2.3",
    )
    repo = summary["values"][
        "module.container_repository[0].oci_artifacts_container_repository.this"
    ]
    assert repo["display_name"] == "team/galley"
    assert repo["compartment_id"] == tfs.BASE_VARS["deploy"]["compartment_id"]


def test_image_by_digest(oci_cloud, tmp_path):
    summary = _plan(oci_cloud, tmp_path, image_digest=DIGEST, image_tag="0.2.0")
    image_url = summary["values"][INSTANCE]["containers"][0]["image_url"]
    assert image_url.endswith(f"/galley@{DIGEST}"), image_url
    assert ":0.2.0" not in image_url

"""The whole stack on the emulated cloud, run as a user would: terraform.tfvars from the example,
apply, read the outputs, a second plan without changes, destroy."""

from __future__ import annotations

import re

import tf_support as tfs

URL = re.compile(r"https://(?P<host>[^/?]+)(?P<prefix>/[^?]*)/mcp\?token=(?P<token>[^&]+)")
EXPECTED_COUNTS = {
    "oci_core_vcn": 1,
    "oci_core_internet_gateway": 1,
    "oci_core_nat_gateway": 1,
    "oci_core_service_gateway": 1,
    "oci_core_route_table": 2,
    "oci_core_security_list": 2,
    "oci_core_subnet": 2,
    "oci_objectstorage_bucket": 1,
    "oci_identity_policy": 1,
    "oci_container_instances_container_instance": 1,
    "oci_apigateway_gateway": 1,
    "oci_apigateway_deployment": 1,
}


def _one(cloud, type_):
    (resource,) = cloud.resources(type_)
    return resource["attrs"]


def test_stack_apply_outputs_replan_destroy(oci_cloud, tmp_path):
    stack = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    example = (stack / "terraform.tfvars.example").read_text()
    (stack / "terraform.tfvars").write_text(example)
    tf = tfs.terraform(stack, oci_cloud.env)

    tf.apply()
    out = tfs.outputs(tf)
    assert tfs.cloud_counts(oci_cloud.resources()) == EXPECTED_COUNTS

    url = URL.fullmatch(out["mcp_endpoint_url"])
    assert url, out["mcp_endpoint_url"]
    assert url["host"] == out["api_gateway_hostname"]
    assert url["prefix"] == "/galley"
    assert re.fullmatch(r"[A-Za-z0-9]{32}", url["token"])
    assert url["token"] == out["url_token"]

    instance = _one(oci_cloud, "oci_container_instances_container_instance")
    assert instance["id"] == out["container_instance_id"]
    environment = instance["containers"][0]["environment_variables"]
    assert environment["GALLEY_URL_TOKEN"] == out["url_token"]
    assert environment["GALLEY_BUCKET_NAME"] == out["object_storage_bucket"]
    assert environment["GALLEY_BUCKET_NAMESPACE"] == oci_cloud.namespace
    private_ip = instance["vnics"][0]["private_ip"]
    assert private_ip == "10.0.2.10"
    assert out["backend_url"] == f"http://{private_ip}:8000"

    gateway = _one(oci_cloud, "oci_apigateway_gateway")
    assert gateway["hostname"] == out["api_gateway_hostname"]
    (subnet,) = [s["attrs"] for s in oci_cloud.resources("oci_core_subnet")
                 if s["id"] == gateway["subnet_id"]]  # fmt: skip
    assert subnet["cidr_block"] == "10.0.1.0/24"
    route = _one(oci_cloud, "oci_apigateway_deployment")["specification"][0]["routes"][0]
    assert route["backend"][0]["url"] == f"http://{private_ip}:8000/${{request.path[path]}}"

    bucket = _one(oci_cloud, "oci_objectstorage_bucket")
    assert bucket["name"] == out["object_storage_bucket"]
    policy = _one(oci_cloud, "oci_identity_policy")
    assert any(f"target.bucket.name='{bucket['name']}'" in s for s in policy["statements"])
    assert not any("all-resources" in s for s in policy["statements"])

    assert tfs.changed_addresses(tf.plan(output=True)) == []

    tf.destroy()
    assert oci_cloud.resources() == []


def test_new_image_replaces_the_instance_and_keeps_backend_and_token(oci_cloud, tmp_path):
    stack = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    (stack / "terraform.tfvars").write_text((stack / "terraform.tfvars.example").read_text())
    tf = tfs.terraform(stack, oci_cloud.env)
    tf.apply()
    before = _one(oci_cloud, "oci_container_instances_container_instance")

    plan = tf.plan(output=True, tf_vars={"image_tag": "0.2.0"})
    assert tfs.changed_addresses(plan) == [
        "module.container_instance.oci_container_instances_container_instance.this "
        "['delete', 'create']"
    ]
    tf.apply(tf_vars={"image_tag": "0.2.0"})
    after = _one(oci_cloud, "oci_container_instances_container_instance")

    assert after["id"] != before["id"]
    assert after["containers"][0]["image_url"].endswith("/galley:0.2.0")
    assert after["vnics"][0]["private_ip"] == before["vnics"][0]["private_ip"]
    token = after["containers"][0]["environment_variables"]["GALLEY_URL_TOKEN"]
    assert token == before["containers"][0]["environment_variables"]["GALLEY_URL_TOKEN"]
    tf.destroy(tf_vars={"image_tag": "0.2.0"})


def test_policy_change_updates_in_place_and_keeps_the_instance(oci_cloud, tmp_path):
    """A statement change (here: another dynamic group) must not defer the instance's reads to
    apply time, which would make its force-new availability domain unknown and replace it."""
    stack = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    (stack / "terraform.tfvars").write_text((stack / "terraform.tfvars.example").read_text())
    tf = tfs.terraform(stack, oci_cloud.env)
    tf.apply()

    other_group = {"dynamic_group_id": tfs.random_ocid("dynamicgroup")}
    plan = tf.plan(output=True, tf_vars=other_group)
    assert tfs.changed_addresses(plan) == ["module.iam.oci_identity_policy.this ['update']"]
    tf.destroy(tf_vars=other_group)


def test_instance_is_created_after_the_policy(oci_cloud, tmp_path):
    """The image is pulled with the resource principal: the policy must exist before the
    instance, so the instance depends on it in the graph."""
    stack = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    (stack / "terraform.tfvars").write_text((stack / "terraform.tfvars.example").read_text())
    tf = tfs.terraform(stack, oci_cloud.env)
    graph = tf.execute_command("graph").out
    # `terraform graph` draws a transitive reduction: follow the edges.
    edges: dict[str, set[str]] = {}
    for source, target in re.findall(r'"([^"]+)"\s*->\s*"([^"]+)"', graph):
        edges.setdefault(source, set()).add(target)
    reached, todo = (
        set(),
        ["module.container_instance.oci_container_instances_container_instance.this"],
    )
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    assert "module.iam.oci_identity_policy.this" in reached, graph


def test_image_repository_compartment_reaches_the_policy(oci_cloud, tmp_path):
    """A repository created by a first push lives in the root compartment: the stack passes
    image_repository_compartment_id to the policy's read repos statement."""
    stack = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    (stack / "terraform.tfvars").write_text((stack / "terraform.tfvars.example").read_text())
    tf = tfs.terraform(stack, oci_cloud.env)
    plan = tf.plan(output=True, tf_vars={"image_repository_compartment_id": oci_cloud.tenancy_id})
    policy = tfs.plan_summary(plan)["values"]["module.iam.oci_identity_policy.this"]
    assert policy["compartment_id"] == oci_cloud.tenancy_id
    # Statements naming the bucket are unknown (null) until the bucket exists.
    (repos,) = [s for s in policy["statements"] if s and " read repos " in s]
    assert repos.endswith(" read repos in tenancy where target.repo.name='galley'")

"""The whole stack on the emulated cloud, run as a user would: terraform.tfvars from the example,
apply, read the outputs, a second plan without changes, destroy."""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
import tf_support as tfs
import tftest

FIXTURES = Path(__file__).resolve().parent / "fixtures"

URL = re.compile(r"https://(?P<host>[^/?]+)(?P<prefix>/[^?]*)/mcp\?token=(?P<token>[^&]+)")
EXPECTED_COUNTS = {
    "oci_core_vcn": 1,
    "oci_core_internet_gateway": 1,
    "oci_core_nat_gateway": 1,
    "oci_core_service_gateway": 1,
    # public, private, and the VCN's default (unused; OCI makes it with the VCN)
    "oci_core_route_table": 3,
    "oci_core_security_list": 2,
    # the VCN's default security list, taken over and emptied; its default DHCP options
    "oci_core_default_security_list": 1,
    "oci_core_dhcp_options": 1,
    "oci_core_subnet": 2,
    "oci_objectstorage_bucket": 1,
    "oci_identity_policy": 2,
    "oci_objectstorage_object_lifecycle_policy": 1,
    "oci_container_instances_container_instance": 1,
    "oci_apigateway_gateway": 1,
    "oci_apigateway_deployment": 1,
    # the audit log (audit_log_enabled, the default) in a log group of its own
    "oci_logging_log_group": 1,
    "oci_logging_log": 1,
}


def _deploy_root(cloud, tmp_path):
    """A working copy of deploy/ with terraform.tfvars from the example, as a user makes it: their
    tenancy OCID (here the emulated one, which the home-region lookup reads) and the example's
    other values."""
    root = tfs.copy_sources(tmp_path, "modules", "deploy") / "deploy"
    example = (root / "terraform.tfvars.example").read_text()
    tfvars, replaced = re.subn(
        r"^tenancy_id\s*=.*$", f'tenancy_id = "{cloud.tenancy_id}"', example, flags=re.MULTILINE
    )
    assert replaced == 1, "the example sets tenancy_id once"
    # The emulator runs at the tests' pace (tests/conftest.py): IAM settles within 2.4 s even
    # outside the home region, and the health check passes at once, so the waits can be short.
    tfvars += "\niam_propagation_wait_seconds = 3\nreadiness_wait_seconds = 1\n"
    (root / "terraform.tfvars").write_text(tfvars)
    return root


def _one(cloud, type_):
    (resource,) = cloud.resources(type_)
    return resource["attrs"]


def test_stack_apply_outputs_replan_destroy(oci_cloud, tmp_path):
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)

    tf.apply()
    out = tfs.outputs(tf)
    assert tfs.cloud_counts(oci_cloud.resources()) == EXPECTED_COUNTS

    url = URL.fullmatch(out["mcp_endpoint_url"])
    assert url, out["mcp_endpoint_url"]
    assert url["host"] == out["api_gateway_hostname"]
    assert url["prefix"] == "/galley"
    assert re.fullmatch(r"[A-Za-z0-9]{32}", url["token"])
    assert url["token"] == out["url_token"]
    assert out["mcp_url"] == out["mcp_endpoint_url"].split("?")[0]
    assert out["authorization_header"] == f"Bearer {url['token']}"
    assert out["current_token_name"] == "1"
    assert out["mcp_endpoint_urls"] == {
        "1": {"url": out["mcp_endpoint_url"], "authorization_header": out["authorization_header"]}
    }
    assert out["token_transport"] == "query"

    instance = _one(oci_cloud, "oci_container_instances_container_instance")
    assert instance["id"] == out["container_instance_id"]
    environment = instance["containers"][0]["environment_variables"]
    # Only the digest: the instance's environment is readable by whoever may read the instance.
    assert (
        environment["GALLEY_URL_TOKEN_SHA256"] == hashlib.sha256(url["token"].encode()).hexdigest()
    )
    assert not [k for k, v in environment.items() if url["token"] in v]
    assert environment["GALLEY_BUCKET_NAME"] == out["object_storage_bucket"]
    assert environment["GALLEY_BUCKET_NAMESPACE"] == oci_cloud.namespace
    private_ip = instance["vnics"][0]["private_ip"]
    # Assigned by OCI in the private subnet (no fixed IP: a rollout's new instance gets another).
    assert re.fullmatch(r"10\.0\.2\.[0-9]+", private_ip)
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
    policies = {p["attrs"]["name"]: p["attrs"] for p in oci_cloud.resources("oci_identity_policy")}
    policy = policies["galley-policy"]
    assert policies["galley-objectstorage-policy"]["statements"] == [
        "Allow service objectstorage-us-ashburn-1 to manage object-family in compartment id "
        + instance["compartment_id"]
    ]
    assert out["home_region"] == "us-ashburn-1"
    assert any(f"target.bucket.name='{bucket['name']}'" in s for s in policy["statements"])
    assert not any("all-resources" in s for s in policy["statements"])

    assert tfs.changed_addresses(tf.plan(output=True)) == []

    default_list = _one(oci_cloud, "oci_core_default_security_list")
    assert default_list["ingress_security_rules"] == []
    assert default_list["egress_security_rules"] == []

    tf.destroy()
    assert oci_cloud.resources() == []


def test_new_image_starts_beside_the_old_and_the_gateway_follows(oci_cloud, tmp_path):
    """A rollout: the new instance is created before the old one is deleted, the gateway's
    backend moves to the new instance's IP, the token stays."""
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    tf.apply()
    before = _one(oci_cloud, "oci_container_instances_container_instance")

    plan = tf.plan(output=True, tf_vars={"image_tag": "0.2.0"})
    assert sorted(tfs.changed_addresses(plan)) == [
        "module.service.module.api_gateway.oci_apigateway_deployment.this ['update']",
        "module.service.module.container_instance.oci_container_instances_container_instance.this "
        "['create', 'delete']",
        "module.service.module.container_instance.time_sleep.ready ['delete', 'create']",
    ]
    tf.apply(tf_vars={"image_tag": "0.2.0"})
    after = _one(oci_cloud, "oci_container_instances_container_instance")

    assert after["id"] != before["id"]
    assert after["containers"][0]["image_url"].endswith("/galley:0.2.0")
    new_ip = after["vnics"][0]["private_ip"]
    route = _one(oci_cloud, "oci_apigateway_deployment")["specification"][0]["routes"][0]
    assert route["backend"][0]["url"] == f"http://{new_ip}:8000/${{request.path[path]}}"
    assert tfs.outputs(tf)["backend_url"] == f"http://{new_ip}:8000"
    digest = after["containers"][0]["environment_variables"]["GALLEY_URL_TOKEN_SHA256"]
    assert digest == before["containers"][0]["environment_variables"]["GALLEY_URL_TOKEN_SHA256"]
    tf.destroy(tf_vars={"image_tag": "0.2.0"})


def test_token_transport_header_moves_the_gateway_check_in_place(oci_cloud, tmp_path):
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    tf.apply()
    plan = tf.plan(output=True, tf_vars={"token_transport": "header"})
    assert tfs.changed_addresses(plan) == [
        "module.service.module.api_gateway.oci_apigateway_deployment.this ['update']"
    ]
    tf.apply(tf_vars={"token_transport": "header"})
    policies = _one(oci_cloud, "oci_apigateway_deployment")["specification"][0]["routes"][0][
        "request_policies"
    ][0]
    assert not policies.get("query_parameter_validations")
    assert policies["header_validations"][0]["headers"] == [
        {"name": "Authorization", "required": True}
    ]
    tf.destroy(tf_vars={"token_transport": "header"})


def test_policy_change_updates_in_place_and_keeps_the_instance(oci_cloud, tmp_path):
    """A statement change (here: another dynamic group) must not defer the instance's reads to
    apply time, which would make its force-new availability domain unknown and replace it."""
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    tf.apply()

    other_group = {"dynamic_group_id": tfs.random_ocid("dynamicgroup")}
    plan = tf.plan(output=True, tf_vars=other_group)
    # The edit waits for IAM again; the instance's readiness read comes after that wait, so the
    # gateway's backend is known only at apply (the same IP: an update that changes nothing).
    assert sorted(tfs.changed_addresses(plan)) == [
        "module.iam.oci_identity_policy.this ['update']",
        "module.iam.time_sleep.policy_propagation ['create', 'delete']",
        "module.service.module.api_gateway.oci_apigateway_deployment.this ['update']",
    ]
    before = _one(oci_cloud, "oci_container_instances_container_instance")
    tf.apply(tf_vars=other_group)
    after = _one(oci_cloud, "oci_container_instances_container_instance")
    assert after["id"] == before["id"]
    tf.destroy(tf_vars=other_group)


def test_instance_is_created_after_the_policy(oci_cloud, tmp_path):
    """The image is pulled with the resource principal: the policy must exist before the
    instance, so the instance depends on it in the graph."""
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    graph = tf.execute_command("graph").out
    # `terraform graph` draws a transitive reduction: follow the edges.
    edges: dict[str, set[str]] = {}
    # OpenTofu names nodes "[root] <address> (expand)"; Terraform just "<address>".
    node = r'"(?:\[root\] )?([^"]+?)(?: \(expand\))?"'
    for source, target in re.findall(rf"{node}\s*->\s*{node}", graph):
        edges.setdefault(source, set()).add(target)
    reached, todo = (
        set(),
        [
            "module.service.module.container_instance.oci_container_instances_container_instance.this"
        ],
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
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    plan = tf.plan(output=True, tf_vars={"image_repository_compartment_id": oci_cloud.tenancy_id})
    policy = tfs.plan_summary(plan)["values"]["module.iam.oci_identity_policy.this"]
    assert policy["compartment_id"] == oci_cloud.tenancy_id
    # Statements naming the bucket are unknown (null) until the bucket exists.
    (repos,) = [s for s in policy["statements"] if s and " read repos " in s]
    assert repos.endswith(" read repos in tenancy where target.repo.name='galley'")


def test_image_url_names_the_repository_the_policy_allows(oci_cloud, tmp_path):
    """The pull right follows the image: an OCIR URL in another repository moves the policy's
    read repos statement there, so the instance can pull what it is told to run."""
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    url = "iad.ocir.io/mytenancy/team/galley:1.2.3"
    plan = tfs.plan_summary(tf.plan(output=True, tf_vars={"galley_image_url": url}))
    policy = plan["values"]["module.iam.oci_identity_policy.this"]
    (repos,) = [s for s in policy["statements"] if s and " read repos " in s]
    assert repos.endswith(" where target.repo.name='team/galley'")
    instance = plan["values"][
        "module.service.module.container_instance.oci_container_instances_container_instance.this"
    ]
    assert instance["containers"][0]["image_url"] == url


def test_iam_goes_to_the_home_region_read_from_the_tenancy(oci_cloud_factory, engine, tmp_path):
    """Galley runs in us-ashburn-1 but the tenancy's home is eu-frankfurt-1: with home_region
    unset, the root reads it from the tenancy, and OCI accepts the IAM writes only there."""
    cloud = oci_cloud_factory("frankfurt-home", home_region="eu-frankfurt-1")
    cloud.env[tfs.ENGINE_ENV] = engine
    tf = tfs.terraform(_deploy_root(cloud, tmp_path), cloud.env)
    tf.apply()
    assert tfs.outputs(tf)["home_region"] == "eu-frankfurt-1"
    assert len(cloud.resources("oci_identity_policy")) == 2
    (instance,) = cloud.resources("oci_container_instances_container_instance")
    assert instance["id"].startswith("ocid1.computecontainerinstance.oc1.iad.")
    tf.destroy()


def test_customer_managed_key_bucket_gets_its_service_statement(oci_cloud, tmp_path):
    """OCI creates a bucket with a customer-managed key only once Object Storage may use that
    key: the root writes that statement, and the bucket waits for it."""
    shutil.copytree(FIXTURES / "kms", tmp_path / "kms")
    kms = tfs.terraform(tmp_path / "kms", oci_cloud.env)
    kms.apply(tf_vars={"compartment_id": oci_cloud.tenancy_id})
    key_id = tfs.outputs(kms)["key_id"]

    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    tf_vars = {"kms_key_id": key_id, "kms_key_compartment_id": oci_cloud.tenancy_id}
    tf.apply(tf_vars=tf_vars)
    bucket = _one(oci_cloud, "oci_objectstorage_bucket")
    assert bucket["kms_key_id"] == key_id
    (service,) = [
        p["attrs"]["statements"]
        for p in oci_cloud.resources("oci_identity_policy")
        if p["attrs"]["name"] == "galley-objectstorage-policy"
    ]
    assert service[1] == (
        "Allow service objectstorage-us-ashburn-1 to use keys in tenancy "
        f"where target.key.id = '{key_id}'"
    )
    tf.destroy(tf_vars=tf_vars)


def test_destroy_stops_at_a_bucket_with_data_until_it_is_emptied(oci_cloud, tmp_path):
    """OCI refuses to delete a bucket holding objects or previous versions: destroy fails with
    its error while Galley's data is there, and goes through once the bucket is emptied, as
    modules/object-storage/README.md says to (oci os object bulk-delete-versions)."""
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    tf.apply()
    bucket = tfs.outputs(tf)["object_storage_bucket"]
    oci_cloud.put_object(bucket, "state/run-1.json", b"{}")
    oci_cloud.delete_object(bucket, "state/run-1.json")  # leaves a previous version behind

    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.destroy()
    assert "409-BucketNotEmpty" in str(failure.value.args[0])
    assert _one(oci_cloud, "oci_objectstorage_bucket")["name"] == bucket

    assert oci_cloud.empty_bucket(bucket) == 1
    tf.destroy()
    assert oci_cloud.resources() == []


def test_allowed_ingress_cidrs_reach_the_public_security_list(oci_cloud, tmp_path):
    """allowed_ingress_cidrs passes through to modules/network: one HTTPS rule per distinct
    CIDR; left unset, the module's default lets anyone reach 443."""
    tf = tfs.terraform(_deploy_root(oci_cloud, tmp_path), oci_cloud.env)
    address = "module.network[0].oci_core_security_list.public"

    def https_sources(tf_vars):
        values = tfs.plan_summary(tf.plan(output=True, tf_vars=tf_vars))["values"][address]
        rules = values["ingress_security_rules"]
        return sorted(
            (r["source"], r["tcp_options"][0]["min"]) for r in rules if r["protocol"] == "6"
        )

    cidrs = ["203.0.113.0/24", "198.51.100.7/32", "203.0.113.0/24"]
    assert https_sources({"allowed_ingress_cidrs": cidrs}) == [
        ("198.51.100.7/32", 443),
        ("203.0.113.0/24", 443),
    ]
    assert https_sources({}) == [("0.0.0.0/0", 443)]


def _dependencies(tf: tftest.TerraformTest, address: str) -> set[str]:
    """Every node ``address`` depends on in `terraform graph` (a transitive reduction)."""
    edges: dict[str, set[str]] = {}
    node = r'"(?:\[root\] )?([^"]+?)(?: \(expand\))?"'
    for source, target in re.findall(rf"{node}\s*->\s*{node}", tf.execute_command("graph").out):
        edges.setdefault(source, set()).add(target)
    reached, todo = set(), [address]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    return reached


def test_the_instance_carries_the_tag_the_dynamic_group_rule_requires(oci_cloud, tmp_path):
    """README step 2: the group's rule (the output) requires the defined tag the instance
    carries; with create_tag_namespace the tag's namespace and key are made first."""
    root = _deploy_root(oci_cloud, tmp_path)
    with (root / "terraform.tfvars").open("a") as tfvars:
        tfvars.write("create_tag_namespace = true\n")
    tf = tfs.terraform(root, oci_cloud.env)
    instance = (
        "module.service.module.container_instance.oci_container_instances_container_instance.this"
    )
    assert "module.iam.oci_identity_tag.instance" in _dependencies(tf, instance)

    tf.apply()
    attrs = _one(oci_cloud, "oci_container_instances_container_instance")
    assert attrs["defined_tags"] == {"galley.role": "galley-instance"}
    namespace = _one(oci_cloud, "oci_identity_tag_namespace")
    assert (namespace["name"], namespace["compartment_id"]) == ("galley", oci_cloud.tenancy_id)
    assert _one(oci_cloud, "oci_identity_tag")["name"] == "role"
    rule = tfs.outputs(tf)["dynamic_group_matching_rule"]
    assert rule == (
        "ALL {resource.type='computecontainerinstance', "
        f"resource.compartment.id='{attrs['compartment_id']}', "
        "tag.galley.role.value='galley-instance'}"
    )
    tf.destroy()


def test_operations_options_apply_replan_destroy(oci_cloud, tmp_path):
    """The options a deployment lives with (issue 17): alarms with a topic and a subscription, a
    budget, and retention rules on an unversioned bucket, on top of the example, each engine."""
    root = _deploy_root(oci_cloud, tmp_path)
    with (root / "terraform.tfvars").open("a") as tfvars:
        tfvars.write(
            "alarms_enabled = true\n"
            'alarm_notification_emails = ["ops@example.com"]\n'
            "budget_monthly_amount = 25\n"
            'budget_alert_recipients = ["finance@example.com"]\n'
            'bucket_versioning = "Disabled"\n'
            'retention_rules = [{ display_name = "keep-1-day", time_amount = 1 }]\n'
        )
    tf = tfs.terraform(root, oci_cloud.env)

    tf.apply()
    out = tfs.outputs(tf)
    counts = tfs.cloud_counts(oci_cloud.resources())
    assert {t: n for t, n in counts.items() if t in EXPECTED_COUNTS} == EXPECTED_COUNTS
    assert {t: n for t, n in counts.items() if t not in EXPECTED_COUNTS} == {
        "oci_ons_notification_topic": 1,
        "oci_ons_subscription": 1,
        "oci_monitoring_alarm": 5,
        "oci_budget_budget": 1,
        "oci_budget_alert_rule": 2,
    }
    topic = _one(oci_cloud, "oci_ons_notification_topic")
    assert topic["id"] == out["alarm_topic_id"]
    assert _one(oci_cloud, "oci_ons_subscription")["topic_id"] == topic["id"]
    assert _one(oci_cloud, "oci_budget_budget")["id"] == out["budget_id"]
    (rule,) = _one(oci_cloud, "oci_objectstorage_bucket")["retention_rules"]
    assert (rule["display_name"], rule["duration"][0]["time_amount"]) == ("keep-1-day", "1")

    assert tfs.changed_addresses(tf.plan(output=True)) == []
    tf.destroy()
    assert oci_cloud.resources() == []


# The last commit whose deploy/ called modules/container-instance and modules/api-gateway itself
# (deploy/main.tf's `moved` blocks carry such a state to modules/service).
TWO_MODULE_COMMIT = "34f41be3604a444251aa508d5803ddc1945d339d"


def test_upgrade_from_the_two_module_layout_moves_state_and_replaces_nothing(oci_cloud, tmp_path):
    """A stack applied with deploy/ as it was before modules/service, then this checkout's
    deploy/ over the same state: the plan moves the instance and the gateway into
    module.service and changes nothing in the cloud."""
    root = _deploy_root(oci_cloud, tmp_path)
    old = tmp_path / "old"
    archive = subprocess.run(
        [
            "git",
            "archive",
            "--format=tar",
            TWO_MODULE_COMMIT,
            "deploy/main.tf",
            "deploy/outputs.tf",
        ],
        cwd=tfs.REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(old, filter="data")
    new = {name: (root / name).read_text() for name in ("main.tf", "outputs.tf")}
    for name in new:
        shutil.copy2(old / "deploy" / name, root / name)
    # The layout change alone: the audit log (new since) would roll the instance out.
    with (root / "terraform.tfvars").open("a") as tfvars:
        tfvars.write("audit_log_enabled = false\n")
    tf = tfs.terraform(root, oci_cloud.env)
    tf.apply()
    before = {r["id"]: r["attrs"] for r in oci_cloud.resources()}

    for name, text in new.items():
        (root / name).write_text(text)
    tf.setup(cleanup_on_exit=False)  # `terraform init` again: module.service is new
    plan = tf.plan(output=True)
    assert tfs.changed_addresses(plan) == []
    moved = {
        rc["address"]: rc.get("previous_address")
        for rc in plan.resource_changes.values()
        if rc.get("previous_address")
    }
    assert moved[
        "module.service.module.container_instance.oci_container_instances_container_instance.this"
    ] == ("module.container_instance.oci_container_instances_container_instance.this")
    assert moved["module.service.module.api_gateway.oci_apigateway_gateway.this"] == (
        "module.api_gateway.oci_apigateway_gateway.this"
    )
    # modules/network got a count with existing_network: its state moves too.
    assert moved["module.network[0].oci_core_vcn.this"] == "module.network.oci_core_vcn.this"
    tf.apply()
    assert {r["id"]: r["attrs"] for r in oci_cloud.resources()} == before
    tf.destroy()
    assert oci_cloud.resources() == []

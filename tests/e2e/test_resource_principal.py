"""Galley's own calls to OCI: from inside the container the data plane runs, the `oci` CLI of the
Galley image uses the instance's resource principal without flags, and the emulated Object
Storage decides each call against the policies deploy/ wrote.

One stack for the whole file (an apply costs ~15 s); the last test changes its policy.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any

import docker
import e2e_support as e2e
import pytest
from docker.models.images import Image
from oci_emulator.oci import api, authz

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("e2e-resource_principal")]
OTHER_BUCKET = "not-galleys"
OBJECT_STATEMENT = re.compile(r'^\s*"Allow \$\{local\.subject\} to manage objects .*",\n', re.M)


def add_bucket(cloud: Any, name: str, compartment_id: str) -> None:
    """A bucket that is not Galley's, made by someone else in the same compartment."""
    with cloud.store.transaction() as world:
        attrs = api.create(
            "oci_objectstorage_bucket",
            {"compartment_id": compartment_id, "namespace": world.namespace, "name": name},
            world,
        )
        world.resources[attrs["id"]] = {
            "type": "oci_objectstorage_bucket",
            "id": attrs["id"],
            "attrs": attrs,
        }


def tag_rule(compartment_id: str) -> str:
    """README step 2's matching rule: Galley's compartment and its instance's defined tag."""
    return (
        "ALL {resource.type='computecontainerinstance', "
        f"resource.compartment.id='{compartment_id}', tag.galley.role.value='galley-instance'}}"
    )


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, e2e_image: Image) -> Iterator[e2e.Stack]:
    stack = e2e.Stack(tmp_path_factory.mktemp("principal"), e2e_image)
    try:
        tfvars = (stack.root / "terraform.tfvars").read_text()
        compartment_id = re.search(r'^compartment_id\s*=\s*"([^"]+)"', tfvars, re.M)
        assert compartment_id is not None
        group = "ocid1.dynamicgroup.oc1..aaaaaaaagalleyprincipaltest"
        # README, step 2: the tag namespace and key, and the group whose rule requires the tag.
        stack.cloud.add_tag_key("galley", "role")
        stack.cloud.add_dynamic_group(
            group, compartment_id.group(1), matching_rule=tag_rule(compartment_id.group(1))
        )
        add_bucket(stack.cloud, OTHER_BUCKET, compartment_id.group(1))
        done = stack.apply(f"dynamic_group_id={group}")
        assert done.returncode == 0, done.stdout + done.stderr
        stack.wait_healthy(stack.local_url())
        yield stack
    finally:
        stack.close()


def oci(stack: e2e.Stack, client: docker.DockerClient, command: str) -> tuple[int, str]:
    """Run `oci <command>` inside Galley's container, as Galley would: no flags for auth."""
    (container,) = stack.containers(client)
    script = f'oci {command} --namespace "$GALLEY_BUCKET_NAMESPACE" 2>&1'
    code, output = container.exec_run(["sh", "-c", script])
    return code, output.decode(errors="replace")


def test_the_container_gets_a_resource_principal_and_the_cli_is_told_to_use_it(
    stack, docker_client
):
    (container,) = stack.containers(docker_client)
    env = dict(item.split("=", 1) for item in container.attrs["Config"]["Env"])
    assert env["OCI_CLI_AUTH"] == "resource_principal"  # set by modules/container-instance
    assert env["OCI_AUTH"] == "ResourcePrincipal"  # Terraform's OCI provider, in Galley's runs
    assert env["OCI_RESOURCE_PRINCIPAL_VERSION"] == "2.2"
    assert env["OCI_RESOURCE_PRINCIPAL_REGION"] == "us-ashburn-1"
    code, token = container.exec_run(["cat", env["OCI_RESOURCE_PRINCIPAL_RPST"]])
    assert code == 0
    (instance,) = stack.cloud.resources("oci_container_instances_container_instance")
    claims = json.loads(_jwt_payload(token.decode()))
    assert claims["res_id"] == instance["id"]
    assert claims["res_compartment"] == instance["attrs"]["compartment_id"]
    assert claims["res_tenant"] == stack.cloud.tenancy_id


def _jwt_payload(token: str) -> str:
    payload = token.split(".")[1]
    return base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode()


def test_galley_puts_and_gets_an_object_in_its_bucket(stack, docker_client):
    code, out = oci(
        stack,
        docker_client,
        'os object put --bucket-name "$GALLEY_BUCKET_NAME" --name notes/hello.txt '
        "--file /etc/hostname --force",
    )
    assert code == 0, out
    assert '"etag"' in out
    code, hostname = stack.containers(docker_client)[0].exec_run(["cat", "/etc/hostname"])
    code, out = oci(
        stack,
        docker_client,
        'os object get --bucket-name "$GALLEY_BUCKET_NAME" --name notes/hello.txt --file -',
    )
    assert code == 0, out
    assert out == hostname.decode()
    code, out = oci(stack, docker_client, 'os object list --bucket-name "$GALLEY_BUCKET_NAME"')
    assert code == 0, out
    assert [o["name"] for o in json.loads(out)["data"]] == ["notes/hello.txt"]
    bucket = stack.outputs()["object_storage_bucket"]
    assert [c["name"] for c in stack.cloud.bucket_contents(bucket)] == ["notes/hello.txt"]


def test_galley_deletes_and_the_versioned_bucket_keeps_the_previous_version(stack, docker_client):
    put = 'os object put --bucket-name "$GALLEY_BUCKET_NAME" --name tmp.txt --file /etc/hostname'
    assert oci(stack, docker_client, f"{put} --force")[0] == 0
    code, out = oci(
        stack,
        docker_client,
        'os object delete --bucket-name "$GALLEY_BUCKET_NAME" --name tmp.txt --force',
    )
    assert code == 0, out
    code, out = oci(stack, docker_client, 'os object list --bucket-name "$GALLEY_BUCKET_NAME"')
    # An empty listing has no "data" key at all (the CLI prints only "prefixes").
    assert "tmp.txt" not in [o["name"] for o in json.loads(out).get("data", [])]
    bucket = stack.outputs()["object_storage_bucket"]
    kept = [c for c in stack.cloud.bucket_contents(bucket) if c["name"] == "tmp.txt"]
    assert [c["is_latest"] for c in kept] == [False]  # versioning: Enabled in deploy/


def test_only_the_tagged_instance_holds_galleys_rights(stack, docker_client):
    """The dynamic group's rule is the stack's output and requires the defined tag the instance
    carries: another instance in the same compartment is not matched, and Galley's own instance
    loses its rights while the tag is gone (the rule is read at each call)."""
    (instance,) = stack.cloud.resources("oci_container_instances_container_instance")
    compartment_id = instance["attrs"]["compartment_id"]
    assert stack.outputs()["dynamic_group_matching_rule"] == tag_rule(compartment_id)
    assert instance["attrs"]["defined_tags"] == {"galley.role": "galley-instance"}

    world = stack.cloud.store.snapshot()
    bucket = stack.outputs()["object_storage_bucket"]
    target = authz.Target(compartment_id, {"target.bucket.name": bucket})
    tenancy = stack.cloud.tenancy_id
    galley = authz.Principal("computecontainerinstance", instance["id"], compartment_id, tenancy)
    # A second instance in Galley's compartment (any image), without the tag.
    other = authz.Principal(
        "computecontainerinstance",
        "ocid1.computecontainerinstance.oc1.iad.aaaaaaaanotgalleys",
        compartment_id,
        tenancy,
    )
    assert authz.decide(world, galley, ["OBJECT_READ"], target).allowed
    assert not authz.decide(world, other, ["OBJECT_READ"], target).allowed

    list_objects = 'os object list --bucket-name "$GALLEY_BUCKET_NAME"'
    _set_tags(stack, instance["id"], {})
    try:
        code, out = oci(stack, docker_client, list_objects)
        assert code != 0, out
        assert '"status": 404' in out  # as for a bucket it has no rights on
    finally:
        _set_tags(stack, instance["id"], instance["attrs"]["defined_tags"])
    code, out = oci(stack, docker_client, list_objects)
    assert code == 0, out


def _set_tags(stack: e2e.Stack, instance_id: str, tags: dict[str, str]) -> None:
    """Change the instance's defined tags in the cloud, as `oci container-instances
    container-instance update --defined-tags` would."""
    with stack.cloud.store.transaction() as world:
        world.resources[instance_id]["attrs"]["defined_tags"] = dict(tags)


def test_galley_cannot_touch_another_bucket(stack, docker_client):
    for command in (
        f"os object list --bucket-name {OTHER_BUCKET}",
        f"os object put --bucket-name {OTHER_BUCKET} --name x --file /etc/hostname --force",
    ):
        code, out = oci(stack, docker_client, command)
        assert code != 0, out
        assert '"status": 404' in out
        assert '"code": "BucketNotFound"' in out
        assert f"Either the bucket named '{OTHER_BUCKET}' does not exist" in out
    assert stack.cloud.bucket_contents(OTHER_BUCKET) == []


SDK_SCRIPT = """
import os, oci
signer = oci.auth.signers.get_resource_principals_signer()
client = oci.object_storage.ObjectStorageClient({}, signer=signer)
ns, bucket = os.environ["GALLEY_BUCKET_NAMESPACE"], os.environ["GALLEY_BUCKET_NAME"]
client.put_object(ns, bucket, "sdk.txt", b"from the SDK")
print(client.get_object(ns, bucket, "sdk.txt").data.content.decode())
"""


def test_the_python_sdk_signs_with_it_too(stack, docker_client):
    (container,) = stack.containers(docker_client)
    code, out = container.exec_run(["/opt/oci-cli/bin/python", "-c", SDK_SCRIPT])
    assert (code, out.decode().strip()) == (0, "from the SDK"), out.decode()


def test_a_restarted_container_reaches_the_service_again(stack, docker_client):
    (container,) = stack.containers(docker_client)
    started = container.attrs["State"]["StartedAt"]
    container.kill()  # container_restart_policy ALWAYS: the data plane starts it again

    def answers() -> bool:
        """the restarted container's `oci` reaches Object Storage again"""
        (again,) = stack.containers(docker_client)
        if again.attrs["State"]["StartedAt"] == started or again.status != "running":
            return False
        code, _ = oci(stack, docker_client, 'os object list --bucket-name "$GALLEY_BUCKET_NAME"')
        return code == 0

    e2e.poll(answers, 60, interval_s=1)
    # Galley itself starts after `oci` already answers: until its health check passes again, an
    # apply's readiness read (the next test's) rightly fails.
    stack.wait_checks_pass()


def test_removing_the_statement_by_an_apply_takes_the_right_away(stack, docker_client):
    stack.drop_policy_statement(OBJECT_STATEMENT, f"dynamic_group_id={_group(stack)}")
    (policy,) = [
        p
        for p in stack.cloud.resources("oci_identity_policy")
        if any("read buckets" in s for s in p["attrs"]["statements"])
    ]
    assert not any("manage objects" in s for s in policy["attrs"]["statements"])
    code, out = oci(
        stack,
        docker_client,
        'os object get --bucket-name "$GALLEY_BUCKET_NAME" --name notes/hello.txt --file -',
    )
    assert code != 0, out
    assert '"status": 404' in out  # the CLI's HEAD before a download: no body, no code
    code, out = oci(
        stack,
        docker_client,
        'os object put --bucket-name "$GALLEY_BUCKET_NAME" --name notes/new.txt '
        "--file /etc/hostname --force",
    )
    assert code != 0, out
    assert '"code": "BucketNotFound"' in out
    assert "OBJECT_CREATE is not granted" in out
    bucket = stack.outputs()["object_storage_bucket"]
    assert "notes/new.txt" not in [c["name"] for c in stack.cloud.bucket_contents(bucket)]


def _group(stack: e2e.Stack) -> str:
    (group,) = stack.cloud.resources("oci_identity_dynamic_group")
    return str(group["id"])

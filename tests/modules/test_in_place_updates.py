"""What a change does to a running container instance: tags change it in place; every other
instance change (OCI's API updates nothing else) starts a new instance beside the old one and
deletes the old one last (create_before_destroy); an upgrade from 0.1.0 keeps the token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import tf_support as tfs

INSTANCE = "oci_container_instances_container_instance.this"


def _network(oci_cloud, tmp_path: Path) -> tuple[str, dict]:
    network = tfs.terraform(tfs.module_copy(tmp_path / "network", "network"), oci_cloud.env)
    compartment_id = tfs.random_ocid("compartment")
    network.apply(tf_vars={"compartment_id": compartment_id})
    return compartment_id, tfs.outputs(network)


def _instance_vars(oci_cloud, compartment_id: str, subnets: dict) -> dict:
    return {
        "compartment_id": compartment_id,
        "region": "us-ashburn-1",
        "subnet_id": subnets["private_subnet_id"],
        "bucket_name": "galley-abc12345",
        "bucket_namespace": oci_cloud.namespace,
        "freeform_tags": {"env": "test"},
        "readiness_wait_seconds": 1,
    }


def test_tag_change_updates_the_container_instance_in_place(oci_cloud, tmp_path):
    """Tags only at the instance's top level: vnics and containers are force-new blocks."""
    compartment_id, subnets = _network(oci_cloud, tmp_path)
    tf = tfs.terraform(tfs.module_copy(tmp_path / "sut", "container-instance"), oci_cloud.env)
    tf_vars = _instance_vars(oci_cloud, compartment_id, subnets)
    tf.apply(tf_vars=tf_vars)
    (before,) = oci_cloud.resources("oci_container_instances_container_instance")

    retagged = {**tf_vars, "freeform_tags": {"env": "prod", "team": "platform"}}
    assert tfs.changed_addresses(tf.plan(output=True, tf_vars=retagged)) == [
        f"{INSTANCE} ['update']"
    ]
    tf.apply(tf_vars=retagged)
    (after,) = oci_cloud.resources("oci_container_instances_container_instance")
    assert after["id"] == before["id"]
    assert after["attrs"]["freeform_tags"] == {
        "app": "galley",
        "managed-by": "terraform",
        "env": "prod",
        "team": "platform",
    }
    tf.destroy(tf_vars=retagged)


def test_image_change_starts_the_new_instance_before_deleting_the_old(oci_cloud, tmp_path):
    """A new tag replaces the instance create-before-destroy, with a new readiness wait; the
    outputs (the gateway's backend) follow the new instance's IP; the tokens stay."""
    compartment_id, subnets = _network(oci_cloud, tmp_path)
    tf = tfs.terraform(tfs.module_copy(tmp_path / "sut", "container-instance"), oci_cloud.env)
    tf_vars = _instance_vars(oci_cloud, compartment_id, subnets)
    tf.apply(tf_vars=tf_vars)
    first = tfs.outputs(tf)

    upgraded = {**tf_vars, "image_tag": "0.1.1"}
    assert sorted(tfs.changed_addresses(tf.plan(output=True, tf_vars=upgraded))) == [
        f"{INSTANCE} ['create', 'delete']",
        "time_sleep.ready ['delete', 'create']",
    ]
    tf.apply(tf_vars=upgraded)
    second = tfs.outputs(tf)
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    assert instance["id"] == second["container_instance_id"] != first["container_instance_id"]
    assert second["private_ip"] == instance["attrs"]["vnics"][0]["private_ip"]
    assert second["backend_url"].startswith(f"http://{second['private_ip']}:")
    assert second["url_token"] == first["url_token"]
    # A plan right after the rollout reads the healthy instance and changes nothing.
    assert tfs.changed_addresses(tf.plan(output=True, tf_vars=upgraded)) == []
    tf.destroy(tf_vars=upgraded)


def test_adding_and_retiring_a_generation_touches_no_other_token(oci_cloud, tmp_path):
    compartment_id, subnets = _network(oci_cloud, tmp_path)
    tf = tfs.terraform(tfs.module_copy(tmp_path / "sut", "container-instance"), oci_cloud.env)
    tf_vars = _instance_vars(oci_cloud, compartment_id, subnets)
    tf.apply(tf_vars=tf_vars)
    old = tfs.outputs(tf)["url_tokens"]["1"]

    both = {**tf_vars, "url_token_generations": ["1", "2"]}
    assert sorted(tfs.changed_addresses(tf.plan(output=True, tf_vars=both))) == [
        f"{INSTANCE} ['create', 'delete']",
        "random_password.url_token[\"2\"] ['create']",
        "time_sleep.ready ['delete', 'create']",
    ]
    tf.apply(tf_vars=both)
    tokens = tfs.outputs(tf)["url_tokens"]
    assert tokens["1"] == old
    assert tfs.outputs(tf)["current_token_name"] == "2"

    retired = {**tf_vars, "url_token_generations": ["2"]}
    assert sorted(tfs.changed_addresses(tf.plan(output=True, tf_vars=retired))) == [
        f"{INSTANCE} ['create', 'delete']",
        "random_password.url_token[\"1\"] ['delete']",
        "time_sleep.ready ['delete', 'create']",
    ]
    tf.apply(tf_vars=retired)
    assert tfs.outputs(tf)["url_tokens"] == {"2": tokens["2"]}
    tf.destroy(tf_vars=retired)


def test_upgrade_from_0_1_0_keeps_the_token(oci_cloud, tmp_path):
    """0.1.0 had one `random_password.url_token`; it becomes generation "1" (a moved block), so
    clients keep their URL across the upgrade."""
    compartment_id, subnets = _network(oci_cloud, tmp_path)
    workdir = tfs.module_copy(tmp_path / "sut", "container-instance")
    module_files = {path: path.read_text() for path in workdir.glob("*.tf")}
    for path in module_files:
        path.unlink()
    # 0.1.0's token resource, alone (the rest of 0.1.0 does not matter to the move).
    (workdir / "main.tf").write_text(
        'resource "random_password" "url_token" {\n  length  = 32\n  special = false\n}\n'
        'output "url_token" {\n  value     = random_password.url_token.result\n'
        "  sensitive = true\n}\n"
    )
    tf = tfs.terraform(workdir, oci_cloud.env)
    tf.apply()
    token = tfs.outputs(tf)["url_token"]

    for path, text in module_files.items():
        path.write_text(text)
    tf = tfs.terraform(workdir, oci_cloud.env)
    tf_vars = _instance_vars(oci_cloud, compartment_id, subnets)
    changes = tfs.changed_addresses(tf.plan(output=True, tf_vars=tf_vars))
    assert not [c for c in changes if c.startswith("random_password")], changes
    tf.apply(tf_vars=tf_vars)
    assert tfs.outputs(tf)["url_tokens"] == {"1": token}
    tf.destroy(tf_vars=tf_vars)


def test_rotation_replaces_one_slot_per_period(oci_cloud, tmp_path):
    """url_token_rotation_days: two tokens valid at once, named by their period's start; one
    period later only the older is replaced, and the newer stays valid."""
    compartment_id, subnets = _network(oci_cloud, tmp_path)
    tf = tfs.terraform(tfs.module_copy(tmp_path / "sut", "container-instance"), oci_cloud.env)
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=15)  # period 1 of 10-day periods
    tf_vars = {
        **_instance_vars(oci_cloud, compartment_id, subnets),
        "url_token_generations": [],
        "url_token_rotation_days": 10,
        "url_token_rotation_start": start.isoformat().replace("+00:00", "Z"),
    }
    tf.apply(tf_vars=tf_vars)
    tokens = tfs.outputs(tf)["url_tokens"]
    newer = f"auto-{(start + timedelta(days=10)):%Y-%m-%d}"
    assert set(tokens) == {f"auto-{start:%Y-%m-%d}", newer}
    assert tfs.outputs(tf)["current_token_name"] == newer

    # The same deployment one period later (the start moved back by a period).
    later = {
        **tf_vars,
        "url_token_rotation_start": (start - timedelta(days=10)).isoformat().replace("+00:00", "Z"),
    }
    changes = tfs.changed_addresses(tf.plan(output=True, tf_vars=later))
    assert [c for c in changes if c.startswith("random_password")] == [
        # create-before-destroy, as the instance that depends on it
        "random_password.rotating[\"0\"] ['create', 'delete']"
    ], changes
    tf.apply(tf_vars=later)
    rotated = tfs.outputs(tf)["url_tokens"]
    assert tokens[newer] in rotated.values()  # the newer token outlives the rotation
    assert len(set(rotated.values())) == 2
    assert tokens[f"auto-{start:%Y-%m-%d}"] not in rotated.values()
    tf.destroy(tf_vars=later)

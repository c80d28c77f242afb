"""Changes that OCI makes in place must not plan a replacement: a replaced container instance
means downtime, and a replaced policy a moment without rights."""

from __future__ import annotations

import tf_support as tfs

INSTANCE = "oci_container_instances_container_instance.this"


def test_tag_change_updates_the_container_instance_in_place(oci_cloud, tmp_path):
    """Tags only at the instance's top level: vnics and containers are force-new blocks."""
    network = tfs.terraform(tfs.module_copy(tmp_path / "network", "network"), oci_cloud.env)
    compartment_id = tfs.random_ocid("compartment")
    network.apply(tf_vars={"compartment_id": compartment_id})
    subnets = tfs.outputs(network)

    tf = tfs.terraform(tfs.module_copy(tmp_path / "sut", "container-instance"), oci_cloud.env)
    tf_vars = {
        "compartment_id": compartment_id,
        "region": "us-ashburn-1",
        "subnet_id": subnets["private_subnet_id"],
        "subnet_cidr": subnets["private_subnet_cidr"],
        "bucket_name": "galley-abc12345",
        "bucket_namespace": oci_cloud.namespace,
        "freeform_tags": {"env": "test"},
    }
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
    network.destroy(tf_vars={"compartment_id": compartment_id})

"""modules/existing-network against a network made beforehand: the right subnets plan, and each
wrong one is refused at plan with the reason, before anything is created."""

from __future__ import annotations

import re

import pytest
import tf_support as tfs

FIXTURE = tfs.REPO_ROOT / "tests" / "modules" / "fixtures" / "shared-network"

# (gateway subnet, instance subnet, what the plan says)
REFUSED = [
    ("ad_public", "private", r'public_subnet_id = "{ad_public}" is specific to availability '
     r"domain .*: API Gateway requires a regional subnet"),
    ("private", "private", r'public_subnet_id = "{private}" is a private subnet'),
    ("public", "open_private", r'private_subnet_id = "{open_private}" allows public IPs '
     r"\(prohibit_public_ip_on_vnic = false\): expected a private subnet"),
    ("public", "elsewhere", r'private_subnet_id = "{elsewhere}" is in VCN ocid1\.vcn\.[^,]+, not '
     r'in vcn_id = "{vcn}"'),
    ("public", "public", r'private_subnet_id = public_subnet_id = "{public}": expected the '
     r"instance in a private subnet of its own"),
]  # fmt: skip


@pytest.fixture
def shared_network(oci_cloud, tmp_path):
    root = tmp_path / "shared-network"
    root.mkdir()
    (root / "main.tf").write_text((FIXTURE / "main.tf").read_text())
    tf = tfs.terraform(root, oci_cloud.env)
    tf.apply(tf_vars={"compartment_id": tfs.random_ocid("compartment")})
    out = tfs.outputs(tf)
    return {"vcn": out["vcn_id"], **out["subnet_ids"]}


def test_wrong_subnets_are_refused_at_plan(shared_network, oci_cloud, tmp_path):
    tf = tfs.terraform(tfs.module_copy(tmp_path, "existing-network"), oci_cloud.env)
    base = {"compartment_id": tfs.random_ocid("compartment"), "vcn_id": shared_network["vcn"]}
    right = {**base, "public_subnet_id": shared_network["public"]}
    plan = tf.plan(output=True, tf_vars={**right, "private_subnet_id": shared_network["private"]})
    assert tfs.plan_summary(plan)["counts"]["oci_core_network_security_group"] == 2

    for gateway, instance, message in REFUSED:
        tf_vars = {
            **base,
            "public_subnet_id": shared_network[gateway],
            "private_subnet_id": shared_network[instance],
        }
        output = tfs.plan_error(tf, tmp_path / "inputs.tfvars.json", tf_vars)
        pattern = message.format(**shared_network)
        assert re.search(pattern, output), (gateway, instance, output[-1500:])
    # Refused at plan: nothing of Galley's was created.
    assert oci_cloud.resources("oci_core_network_security_group") == []

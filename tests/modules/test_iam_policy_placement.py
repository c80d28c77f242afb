"""modules/iam places its policy in a compartment that contains every compartment it names, and an
explicit policy_compartment_id that does not is refused at plan time (checked against the
compartment tree of the emulated tenancy)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import tf_support as tfs
import tftest

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "compartments"


@pytest.fixture
def tree(oci_cloud, tmp_path):
    """Compartment OCIDs by name, created in the emulated tenancy."""
    shutil.copytree(FIXTURE, tmp_path / "tree")
    tf = tfs.terraform(tmp_path / "tree", oci_cloud.env)
    tf.apply(tf_vars={"tenancy_id": oci_cloud.tenancy_id})
    return tfs.outputs(tf)["ids"]


def _iam_vars(oci_cloud, tree, policy_compartment):
    return {
        "compartment_id": tree["galley"],
        "galley_work_compartment_id": tree["work"],
        "policy_compartment_id": tree[policy_compartment],
        "tenancy_id": oci_cloud.tenancy_id,
        "dynamic_group_id": tfs.random_ocid("dynamicgroup"),
        "bucket_name": "galley-abc12345",
        "region": "us-ashburn-1",
        # Placement is the point here, not the wait: the module's 60 s default sleeps for real.
        "propagation_wait_seconds": tfs.BASE_VARS["iam"]["propagation_wait_seconds"],
    }


def test_common_parent_holds_the_policy(oci_cloud, tree, tmp_path):
    tf = tfs.terraform(tfs.module_copy(tmp_path, "iam"), oci_cloud.env)
    tf.apply(tf_vars=_iam_vars(oci_cloud, tree, "parent"))
    policies = oci_cloud.resources("oci_identity_policy")
    assert len(policies) == 2  # Galley's, and the Object Storage service's
    assert {p["attrs"]["compartment_id"] for p in policies} == {tree["parent"]}


@pytest.mark.parametrize(
    ("policy_compartment", "outside"), [("other", "galley"), ("galley", "work")]
)
def test_policy_compartment_that_misses_a_named_one_fails_at_plan(
    policy_compartment, outside, oci_cloud, tree, tmp_path
):
    tf = tfs.terraform(tfs.module_copy(tmp_path, "iam"), oci_cloud.env)
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.plan(tf_vars=_iam_vars(oci_cloud, tree, policy_compartment))
    output = tfs.folded(str(failure.value.args[0]))
    expected = (
        f'policy_compartment_id = "{tree[policy_compartment]}" does not contain '
        f".*{tree[outside]}.*, which the galley policy names"
    )
    assert re.search(expected, output), output[-1500:]
    assert oci_cloud.resources("oci_identity_policy") == []


def test_shared_work_compartment_warns_with_consequence_and_remedy(plan_cloud, tmp_path):
    """The default (work compartment = Galley compartment) plans, with a warning that says what
    Galley could then do to itself and how to avoid it."""
    tf = tfs.terraform(tfs.module_copy(tmp_path, "iam"), plan_cloud.env)
    galley = tfs.random_ocid("compartment")
    base = {
        "compartment_id": galley,
        "dynamic_group_id": tfs.random_ocid("dynamicgroup"),
        "bucket_name": "galley-abc12345",
        "region": "us-ashburn-1",
    }
    output = tfs.folded(tf.plan(tf_vars=base))
    assert "Warning: Check block assertion failed" in output, output[-1500:]
    assert (
        f"galley_work_compartment_id is the Galley compartment ({galley}), so Galley could "
        "change or delete its own VCN, subnets, security lists and gateways"
    ) in output, output[-1500:]
    assert "set galley_work_compartment_id to a separate compartment" in output

    separate = {
        **base,
        "galley_work_compartment_id": tfs.random_ocid("compartment"),
        "tenancy_id": plan_cloud.tenancy_id,
    }
    assert "Check block assertion failed" not in tfs.folded(tf.plan(tf_vars=separate))


@pytest.mark.parametrize("work", ["parent", "tenancy"])
def test_work_compartment_above_galley_fails_at_plan(work, oci_cloud, tree, tmp_path):
    """Policies inherit downward: managing networks in the Galley compartment's parent (or the
    tenancy) is managing Galley's own VCN. The equal case only warns (test above)."""
    work_id = oci_cloud.tenancy_id if work == "tenancy" else tree[work]
    tf_vars = {
        "compartment_id": tree["galley"],
        "galley_work_compartment_id": work_id,
        "tenancy_id": oci_cloud.tenancy_id,
        "dynamic_group_id": tfs.random_ocid("dynamicgroup"),
        "bucket_name": "galley-abc12345",
        "region": "us-ashburn-1",
        "propagation_wait_seconds": tfs.BASE_VARS["iam"]["propagation_wait_seconds"],
    }
    tf = tfs.terraform(tfs.module_copy(tmp_path, "iam"), oci_cloud.env)
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.plan(tf_vars=tf_vars)
    output = tfs.folded(str(failure.value.args[0]))
    assert (
        f'galley_work_compartment_id = "{work_id}" is an ancestor of the Galley compartment '
        f"({tree['galley']}): policies inherit downward"
    ) in output, output[-1500:]

    # A sibling below the same parent is fine: the policy goes to the parent.
    sibling = {
        **tf_vars,
        "galley_work_compartment_id": tree["work"],
        "policy_compartment_id": tree["parent"],
    }
    tf.apply(tf_vars=sibling)
    assert {p["attrs"]["compartment_id"] for p in oci_cloud.resources("oci_identity_policy")} == {
        tree["parent"]
    }

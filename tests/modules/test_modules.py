"""Each module, each inventory case: plan matches the inventory, apply, outputs, what the emulated
cloud holds, a second plan without changes, destroy."""

from __future__ import annotations

from typing import Any

import pytest
import tf_support as tfs


def _cases() -> list[Any]:
    return [
        pytest.param(module, name, case, id=f"{module}-{name}")
        for module in tfs.MODULE_NAMES
        for name, case in tfs.load_inventory(module).items()
    ]


def _module_types(module: str) -> set[str]:
    return {
        t
        for case in tfs.load_inventory(module).values()
        for t in case["counts"]
        if t.startswith("oci_")
    }


@pytest.mark.parametrize(("module", "case_name", "case"), _cases())
def test_module_lifecycle(module, case_name, case, oci_cloud, tmp_path):
    context: dict[str, Any] = {
        "compartment_id": tfs.random_ocid("compartment"),
        "work_compartment_id": tfs.random_ocid("compartment"),
        "dynamic_group_id": tfs.random_ocid("dynamicgroup"),
        "tenancy_id": oci_cloud.tenancy_id,
        "namespace": oci_cloud.namespace,
    }
    # "requires" names modules applied first in the same cloud, with their base inputs (and the
    # case's compartment); their outputs are then {{ <module>.<output> }}.
    for required in case.get("requires", []):
        dependency = tfs.terraform(tfs.module_copy(tmp_path / required, required), oci_cloud.env)
        dependency.apply(
            tf_vars={**tfs.BASE_VARS[required], "compartment_id": context["compartment_id"]}
        )
        context[required] = tfs.outputs(dependency)

    tf = tfs.terraform(tfs.module_copy(tmp_path / "sut", module), oci_cloud.env)
    tf_vars = tfs.substitute(case["variables"], context)

    summary = tfs.plan_summary(tf.plan(output=True, tf_vars=tf_vars))
    assert summary["counts"] == case["counts"]
    expected_values = tfs.substitute(case.get("values", {}), context)
    assert tfs.mismatches(expected_values, summary["values"]) == []
    expected_outputs = tfs.substitute(case.get("outputs", {}), context)
    assert tfs.mismatches(expected_outputs, summary["outputs"]) == []

    tf.apply(tf_vars=tf_vars)
    outputs = tfs.outputs(tf)
    expected_applied = tfs.substitute(case.get("applied_outputs", {}), context)
    assert tfs.mismatches(expected_applied, outputs) == []

    own_types = _module_types(module)
    # A VCN's default route table, security list and DHCP options are the cloud's, not the
    # module's, until an oci_core_default_* resource takes one over.
    vcn_defaults = oci_cloud.vcn_default_ids()
    held = [
        r
        for r in oci_cloud.resources()
        if r["type"] in own_types
        and (r["id"] not in vcn_defaults or r["type"].startswith("oci_core_default_"))
    ]
    oci_counts = {t: n for t, n in case["counts"].items() if t.startswith("oci_")}
    assert tfs.cloud_counts(held) == oci_counts
    for type_, expected in tfs.substitute(case.get("cloud", {}), context).items():
        attrs = [r["attrs"] for r in held if r["type"] == type_]
        assert tfs.mismatches(expected, attrs, type_) == []

    assert tfs.changed_addresses(tf.plan(output=True, tf_vars=tf_vars)) == []

    tf.destroy(tf_vars=tf_vars)
    assert [r["id"] for r in oci_cloud.resources() if r["type"] in own_types] == []

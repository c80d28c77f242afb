"""Generic planning on real schemas: unknowns, force-new paths, what apply keeps."""

from __future__ import annotations

import os

import pytest
from oci_emulator.plan import (
    fill_unknowns,
    keep_planned,
    mark_computed_unknown,
    plan_generic,
    requires_replace,
)
from oci_emulator.schema import load_provider_schema
from oci_emulator.values import UNKNOWN, Unknown, conform


@pytest.fixture(scope="module")
def oci():
    return load_provider_schema("oracle/oci", os.environ["OCI_EMULATOR_SCHEMA_DIR"])


def _bucket(oci, **attrs):
    block = oci.resources["oci_objectstorage_bucket"].block
    return block, conform(attrs, block.implied_type())


def test_create_marks_computed_nulls_unknown_at_every_depth(oci):
    block, proposed = _bucket(
        oci,
        name="b",
        namespace="ns",
        compartment_id="c",
        retention_rules=[{"display_name": "keep", "duration": []}],
    )
    planned = plan_generic(block, None, proposed)
    assert isinstance(planned["id"], Unknown)
    assert isinstance(planned["bucket_id"], Unknown)
    assert isinstance(planned["kms_key_id"], Unknown)  # optional + computed, unset
    assert planned["metadata"] is None  # optional only: stays null
    assert planned["name"] == "b"
    (rule,) = planned["retention_rules"]
    assert isinstance(rule["retention_rule_id"], Unknown)
    assert rule["display_name"] == "keep"
    assert rule["duration"] == []  # an absent nested block is not invented


def test_update_keeps_prior_values_and_only_new_nested_elements_get_unknowns(oci):
    block, prior = _bucket(
        oci,
        id="n/ns/b/b",
        name="b",
        namespace="ns",
        compartment_id="c",
        kms_key_id=None,
        retention_rules=[{"display_name": "keep", "retention_rule_id": "r1"}],
    )
    proposed = {
        **prior,
        "freeform_tags": {"a": "b"},
        "retention_rules": [
            *prior["retention_rules"],
            {**prior["retention_rules"][0], "display_name": "new", "retention_rule_id": None},
        ],
    }
    planned = plan_generic(block, prior, proposed)
    assert planned["id"] == "n/ns/b/b"
    assert planned["kms_key_id"] is None  # null before, stays null: no spurious diff
    old_rule, new_rule = planned["retention_rules"]
    assert old_rule["retention_rule_id"] == "r1"
    assert isinstance(new_rule["retention_rule_id"], Unknown)


def test_unchanged_object_plans_exactly_the_prior_state(oci):
    block, prior = _bucket(oci, id="x", name="b", namespace="ns", compartment_id="c")
    assert plan_generic(block, prior, dict(prior)) == prior


def test_requires_replace_on_changed_or_unknown_force_new_paths(oci):
    force_new = oci.force_new("oci_container_instances_container_instance")
    prior = {"shape": "CI.Standard.E4.Flex", "containers": [{"image_url": "a:1"}]}
    same = {"shape": "CI.Standard.E4.Flex", "containers": [{"image_url": "a:1"}]}
    assert requires_replace(force_new, prior, same) == []
    nested_change = {"shape": "CI.Standard.E4.Flex", "containers": [{"image_url": "a:2"}]}
    assert requires_replace(force_new, prior, nested_change) == [["containers"]]
    unknown_shape = {"shape": UNKNOWN, "containers": [{"image_url": "a:1"}]}
    assert requires_replace(force_new, prior, unknown_shape) == [["shape"]]
    assert requires_replace(force_new, None, nested_change) == []


def test_requires_replace_ignores_attributes_that_are_not_force_new(oci):
    force_new = oci.force_new("oci_core_vcn")
    prior = {"cidr_block": "10.0.0.0/16", "display_name": "a"}
    assert requires_replace(force_new, prior, {**prior, "display_name": "b"}) == []
    assert requires_replace(force_new, prior, {**prior, "cidr_block": "10.1.0.0/16"}) == [
        ["cidr_block"]
    ]


def test_fill_unknowns_reaches_nested_values(oci):
    block, proposed = _bucket(
        oci, name="b", namespace="ns", compartment_id="c", retention_rules=[{"display_name": "k"}]
    )
    planned = plan_generic(block, None, proposed)
    seen = []

    def filler(path, attr, type_):
        seen.append(tuple(path))
        return f"filled-{path[-1]}" if type_ == "string" else None

    filled = fill_unknowns(block, planned, filler)
    assert filled["retention_rules"][0]["retention_rule_id"] == "filled-retention_rule_id"
    assert ("retention_rules", 0, "retention_rule_id") in seen
    assert filled["name"] == "b"


def test_keep_planned_prefers_known_plan_values_over_a_backend_result():
    planned = {"a": "set", "b": UNKNOWN, "c": [{"x": 1, "y": UNKNOWN}]}
    result = {"a": "changed", "b": "computed", "c": [{"x": 2, "y": "z"}]}
    assert keep_planned(planned, result) == {"a": "set", "b": "computed", "c": [{"x": 1, "y": "z"}]}


def test_mark_computed_unknown_leaves_a_whole_unknown_block_alone(oci):
    block, proposed = _bucket(oci, name="b", namespace="ns", compartment_id="c")
    proposed["retention_rules"] = UNKNOWN  # a dynamic block over an unknown list
    assert isinstance(mark_computed_unknown(block, proposed)["retention_rules"], Unknown)

"""oracle/oci backend wiring: generic fills, the rules API contract, OciError as a diagnostic."""

from __future__ import annotations

import os
import re
from types import SimpleNamespace

import pytest
from oci_emulator.backend import ProviderFailure
from oci_emulator.oci_backend import OciBackend
from oci_emulator.schema import load_provider_schema
from oci_emulator.store import Store
from oci_emulator.values import conform


class FakeOciError(Exception):
    def __init__(self, status, code, message):
        super().__init__(f"{status}-{code}: {message}")


def _fake_api(calls):
    def create(type_, attrs, world):
        calls.append(("create", type_, dict(attrs), world.region))
        if attrs["display_name"] == "bad":
            raise FakeOciError(400, "InvalidParameter", "display_name bad is not allowed")
        # Rules may try to change a value the plan already fixed; the plan must win.
        return {**attrs, "vcn_domain_name": "galley.oraclevcn.com", "compartment_id": "other"}

    def delete(type_, attrs, world):
        calls.append(("delete", type_, attrs["id"], len(world.resources)))

    return SimpleNamespace(
        OciError=FakeOciError,
        RESOURCE_TYPES={"oci_core_vcn"},
        DATA_SOURCE_TYPES=set(),
        create=create,
        update=lambda type_, prior, attrs, world: attrs,
        delete=delete,
        read_data_source=None,
    )


@pytest.fixture
def backend(tmp_path):
    schema = load_provider_schema("oracle/oci", os.environ["OCI_EMULATOR_SCHEMA_DIR"])
    return OciBackend(schema, Store(tmp_path, default_region="eu-frankfurt-1"))


def _planned(backend, type_, **attrs):
    block = backend.schema.resources[type_].block
    proposed = conform(attrs, block.implied_type())
    return backend.plan(type_, None, proposed, proposed).planned


def test_rules_see_filled_values_and_cannot_change_planned_ones(backend):
    calls = []
    backend.api = _fake_api(calls)
    planned = _planned(backend, "oci_core_vcn", compartment_id="c1", display_name="ok")
    state = backend.apply("oci_core_vcn", None, planned, None)

    ((_, type_, attrs, region),) = calls
    assert type_ == "oci_core_vcn"
    assert region == "eu-frankfurt-1"
    assert re.match(r"ocid1\.vcn\.oc1\.fra\.", attrs["id"])
    assert attrs["state"] == "AVAILABLE"
    assert re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+0000 UTC$", attrs["time_created"])
    assert attrs["dns_label"] is None  # optional + computed: left for the rules to decide
    assert state["vcn_domain_name"] == "galley.oraclevcn.com"  # computed: the rules' value
    assert state["compartment_id"] == "c1"  # known in the plan: kept
    (record,) = backend.store.resources("oci_core_vcn")
    assert record["attrs"] == state


def test_oci_error_becomes_an_error_diagnostic_and_nothing_is_stored(backend):
    backend.api = _fake_api([])
    planned = _planned(backend, "oci_core_vcn", compartment_id="c1", display_name="bad")
    with pytest.raises(ProviderFailure) as failure:
        backend.apply("oci_core_vcn", None, planned, None)
    (diag,) = failure.value.diags
    assert diag.summary == "400-InvalidParameter: display_name bad is not allowed"
    assert backend.store.resources() == []


def test_delete_calls_the_rules_with_the_world_still_holding_the_resource(backend):
    calls = []
    backend.api = _fake_api(calls)
    planned = _planned(backend, "oci_core_vcn", compartment_id="c1", display_name="ok")
    state = backend.apply("oci_core_vcn", None, planned, None)
    assert backend.apply("oci_core_vcn", state, None, None) is None
    assert calls[-1] == ("delete", "oci_core_vcn", state["id"], 1)
    assert backend.store.resources() == []


def test_types_without_rules_get_generic_non_null_values(backend):
    backend.api = _fake_api([])
    planned = _planned(backend, "oci_logging_log_group", compartment_id="c1", display_name="g")
    state = backend.apply("oci_logging_log_group", None, planned, None)
    assert state["id"].startswith("ocid1.loggroup.oc1.fra.")
    assert state["state"] == "ACTIVE"
    assert state["time_last_modified"].endswith(" +0000 UTC")
    assert state["freeform_tags"] == {}  # optional + computed, unset: empty, never null
    assert state["defined_tags"] == {}


def test_compartments_are_recorded_with_their_parent(backend):
    backend.api = None
    planned = _planned(
        backend,
        "oci_identity_compartment",
        compartment_id="ocid1.tenancy.oc1..parent",
        name="child",
        description="d",
    )
    state = backend.apply("oci_identity_compartment", None, planned, None)
    assert state["id"].startswith("ocid1.compartment.oc1..")
    world = backend.store.snapshot()
    assert world.compartment_parent == {state["id"]: "ocid1.tenancy.oc1..parent"}


def test_import_of_a_missing_id_reports_not_found(backend):
    with pytest.raises(ProviderFailure) as failure:
        backend.import_state("oci_core_vcn", "ocid1.vcn.oc1.fra.nothere")
    assert failure.value.diags[0].summary.startswith("404-NotAuthorizedOrNotFound: ")


def test_each_provider_configuration_keeps_its_own_region(backend):
    """Reattach mode: two aliases share the backend, each on its own connection."""
    from oci_emulator.backend import CALLER

    def as_caller(peer, fn, *args):
        token = CALLER.set(peer)
        try:
            return fn(*args)
        finally:
            CALLER.reset(token)

    as_caller("ipv4:127.0.0.1:1001", backend.configure, {"region": "us-ashburn-1"})
    as_caller("ipv4:127.0.0.1:1002", backend.configure, {"region": "eu-frankfurt-1"})
    assert as_caller("ipv4:127.0.0.1:1001", lambda: backend.region) == "us-ashburn-1"
    assert as_caller("ipv4:127.0.0.1:1002", lambda: backend.region) == "eu-frankfurt-1"
    # A connection that never configured (or cannot be told apart) gets the last one.
    assert as_caller("unix:", lambda: backend.region) == "eu-frankfurt-1"
    # A region still unknown at plan time counts as unset.
    from oci_emulator.values import UNKNOWN

    as_caller("ipv4:127.0.0.1:1003", backend.configure, {"region": UNKNOWN})
    assert as_caller("ipv4:127.0.0.1:1003", lambda: backend.region) is None


def test_a_delete_rule_may_leave_a_record_behind(backend):
    calls = []
    api = _fake_api(calls)
    api.delete = lambda type_, attrs, world: {
        "type": "oci_core_security_list",
        "id": attrs["id"],
        "attrs": {"reset": True},
    }
    backend.api = api
    planned = _planned(backend, "oci_core_vcn", compartment_id="c1", display_name="ok")
    state = backend.apply("oci_core_vcn", None, planned, None)
    backend.apply("oci_core_vcn", state, None, None)
    (left,) = backend.store.resources()
    assert left == {"type": "oci_core_security_list", "id": state["id"], "attrs": {"reset": True}}

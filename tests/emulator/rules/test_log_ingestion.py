"""Logging ingestion's data plane (oci/log_ingestion.py): PutLogs by a container instance's
resource principal, decided against `use log-content ... where target.loggroup.id`, into enabled
custom logs only, with the body checked; entries read back in order."""

from __future__ import annotations

import json

import pytest
from oci_emulator.oci import authz, log_ingestion, object_data

PRINCIPAL_ID = "ocid1.computecontainerinstance.oc1.iad.aaaaaaaaexample"


def _setup(cloud, statement: str | None):
    group = cloud.create(
        "oci_identity_dynamic_group",
        compartment_id=cloud.tenancy,
        name="galley-instances",
        description="d",
        matching_rule="resource.type='computecontainerinstance'",
    )
    logs = {}
    for name in ("audit", "other"):
        log_group = cloud.create(
            "oci_logging_log_group", compartment_id=cloud.tenancy, display_name=name
        )
        logs[name] = cloud.create(
            "oci_logging_log", log_group_id=log_group["id"], display_name=name, log_type="CUSTOM"
        )
    if statement is not None:
        cloud.create(
            "oci_identity_policy",
            compartment_id=cloud.tenancy,
            name="galley",
            description="d",
            statements=[
                statement.replace("{group}", group["id"]).replace(
                    "{log_group}", logs["audit"]["log_group_id"]
                )
            ],
        )
    return logs


def _push(cloud, tmp_path, log_id: str, body: object):
    principal = authz.Principal("computecontainerinstance", PRINCIPAL_ID, cloud.tenancy, "t")
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = object_data.Request("POST", f"/20200831/logs/{log_id}/actions/push", {}, {}, raw)
    return log_ingestion.handle(cloud.world, tmp_path, principal, request)


def _details(*data: str) -> dict:
    entries = [
        {"data": d, "id": f"id-{n}", "time": "2026-12-05T00:00:00Z"} for n, d in enumerate(data)
    ]
    return {
        "specversion": "1.0",
        "logEntryBatches": [{"entries": entries, "source": "galley", "type": "t"}],
    }


USE = "Allow dynamic-group id {group} to use log-content in tenancy"
SCOPED = USE + " where target.loggroup.id='{log_group}'"


def test_granted_log_takes_entries_in_order(cloud, tmp_path):
    logs = _setup(cloud, SCOPED)
    assert _push(cloud, tmp_path, logs["audit"]["id"], _details("a", "b")).status == 200
    assert _push(cloud, tmp_path, logs["audit"]["id"], _details("c")).status == 200
    got = log_ingestion.entries(tmp_path, logs["audit"]["id"])
    assert [e["data"] for e in got] == ["a", "b", "c"]
    assert {e["source"] for e in got} == {"galley"}


@pytest.mark.parametrize(
    "statement",
    [
        None,
        "Allow dynamic-group id {group} to read log-content in tenancy",
        USE + " where target.loggroup.id='ocid1.loggroup.oc1.iad.aaaaaaaanotit'",
    ],
)
def test_not_granted_is_404_not_authorized_or_not_found(cloud, tmp_path, statement):
    logs = _setup(cloud, statement)
    answer = _push(cloud, tmp_path, logs["audit"]["id"], _details("a"))
    assert answer.status == 404
    assert json.loads(answer.body)["code"] == "NotAuthorizedOrNotFound"
    assert log_ingestion.entries(tmp_path, logs["audit"]["id"]) == []


def test_the_scope_is_the_log_group(cloud, tmp_path):
    logs = _setup(cloud, SCOPED)
    answer = _push(cloud, tmp_path, logs["other"]["id"], _details("a"))
    assert answer.status == 404
    unknown = _push(cloud, tmp_path, "ocid1.log.oc1.iad.aaaaaaaanosuchlog", _details("a"))
    assert unknown.status == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"not json", "not valid JSON"),
        ({"specversion": "2.0", "logEntryBatches": [{"entries": []}]}, "specversion must be '1.0'"),
        ({"specversion": "1.0", "logEntryBatches": []}, "non-empty list"),
        ({"specversion": "1.0", "logEntryBatches": [{"entries": [{"id": "x"}]}]}, "string data"),
        ({"specversion": "1.0", "logEntryBatches": [{"entries": [{"data": "x"}]}]}, "needs an id"),
    ],
)
def test_bad_bodies_are_400(cloud, tmp_path, body, message):
    logs = _setup(cloud, SCOPED)
    answer = _push(cloud, tmp_path, logs["audit"]["id"], body)
    assert answer.status == 400
    assert message in json.loads(answer.body)["message"]

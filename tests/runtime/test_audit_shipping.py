"""Audit records shipped to OCI Logging (galley.audit_shipping), against a stand-in `oci` that
records what it was asked: batches in order, the oldest dropped (and counted) when the queue is
full, a failed call keeps its batch for the next round, a request never waits."""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from pathlib import Path

import pytest

from galley.audit_shipping import (
    DROPPED_KIND,
    QueueHandler,
    RecordQueue,
    Shipper,
    cli_error,
    log_entry_batches,
)
from galley.settings import SettingsError, load_settings

LOG_ID = "ocid1.log.oc1.iad.amaaaaaaexamplelog0000000000000000000000000000000000000000"
FAKE_OCI = """
import json, os, sys
calls = os.environ["FAKE_OCI_CALLS"]
with open(calls, "a") as f:
    f.write(json.dumps(sys.argv[1:]) + "\\n")
sys.exit(int(os.environ.get("FAKE_OCI_EXIT", "0")))
"""


@pytest.fixture
def fake_oci(tmp_path, monkeypatch):
    script = tmp_path / "oci.py"
    script.write_text(FAKE_OCI)
    calls = tmp_path / "calls.jsonl"
    monkeypatch.setenv("FAKE_OCI_CALLS", str(calls))

    def made() -> list[list[str]]:
        return (
            [json.loads(line) for line in calls.read_text().splitlines()] if calls.exists() else []
        )

    return (sys.executable, str(script)), made


def _records(argv: list[str]) -> list[str]:
    (batch,) = json.loads(argv[argv.index("--log-entry-batches") + 1])
    return [entry["data"] for entry in batch["entries"]]


def test_queue_keeps_the_newest_and_counts_the_dropped():
    queue = RecordQueue(limit=3)
    for n in range(5):
        queue.put(f"r{n}")
    assert queue.take(10) == ["r2", "r3", "r4"]
    assert queue.dropped == 2


def test_a_batch_that_failed_goes_back_in_front_within_the_limit():
    queue = RecordQueue(limit=4)
    for n in range(3):
        queue.put(f"new{n}")
    queue.give_back(["old0", "old1", "old2"])  # room for one: the newest of them
    assert queue.take(10) == ["old2", "new0", "new1", "new2"]
    assert queue.dropped == 2


def test_batches_are_putlogs_calls_in_order(fake_oci):
    command, made = fake_oci
    queue = RecordQueue()
    for n in range(5):
        queue.put(json.dumps({"kind": "galley.audit.request", "n": n}))
    shipper = Shipper(LOG_ID, queue, command, batch_records=3, subject="test")
    assert asyncio.run(shipper.ship_once()) is True
    assert asyncio.run(shipper.ship_once()) is True
    first, second = made()
    assert first[:4] == ["logging-ingestion", "put-logs", "--log-id", LOG_ID]
    assert first[first.index("--specversion") + 1] == "1.0"
    assert [json.loads(r)["n"] for r in _records(first) + _records(second)] == [0, 1, 2, 3, 4]
    (batch,) = json.loads(first[first.index("--log-entry-batches") + 1])
    assert (batch["source"], batch["type"], batch["subject"]) == ("galley", "galley.audit", "test")
    assert shipper.shipped == 5 and len(queue) == 0


def test_a_refused_call_keeps_the_records_and_the_next_round_ships_them(fake_oci, monkeypatch):
    command, made = fake_oci
    queue = RecordQueue(limit=3)
    for n in range(4):  # one dropped already
        queue.put(f'{{"n": {n}}}')
    shipper = Shipper(LOG_ID, queue, command)
    monkeypatch.setenv("FAKE_OCI_EXIT", "1")
    assert asyncio.run(shipper.ship_once()) is False
    assert len(queue) == 3 and queue.dropped == 1 and shipper.failures == 1
    monkeypatch.setenv("FAKE_OCI_EXIT", "0")
    assert asyncio.run(shipper.ship_once()) is True
    records = _records(made()[-1])
    assert json.loads(records[0]) == {
        "kind": DROPPED_KIND,
        "time": json.loads(records[0])["time"],
        "dropped": 1,
    }
    assert [json.loads(r)["n"] for r in records[1:]] == [1, 2, 3]
    assert queue.dropped == 0


def test_a_missing_cli_is_a_failed_round_not_a_crash(tmp_path):
    queue = RecordQueue()
    queue.put("{}")
    shipper = Shipper(LOG_ID, queue, (str(tmp_path / "no-such-oci"),))
    assert asyncio.run(shipper.ship_once()) is False
    assert len(queue) == 1


def test_the_handler_only_queues(fake_oci):
    queue = RecordQueue()
    logger = logging.getLogger("galley.audit.test_shipping")
    logger.propagate = False
    logger.setLevel(logging.INFO)
    handler = QueueHandler(queue)
    logger.addHandler(handler)
    try:
        logger.info('{"kind":"galley.audit.request"}')
    finally:
        logger.removeHandler(handler)
    assert queue.take(5) == ['{"kind":"galley.audit.request"}']
    assert fake_oci[1]() == []  # nothing was sent from the request's side


def test_entries_carry_each_record_whole():
    (batch,) = log_entry_batches(['{"a":1}', '{"b":2}'], 0, "host")
    assert [e["data"] for e in batch["entries"]] == ['{"a":1}', '{"b":2}']
    assert len({e["id"] for e in batch["entries"]}) == 2


@pytest.mark.parametrize(
    "value", ["ocid1.bucket.oc1.iad.aaaa", "log-123", "ocid1.log.oc1.iad.aa aa"]
)
def test_a_bad_log_id_is_refused_naming_it(tmp_path, value):
    env = {
        "GALLEY_URL_TOKEN": "a" * 32,
        "GALLEY_DATA_DIR": str(tmp_path),
        "GALLEY_AUDIT_LOG_ID": value,
    }
    with pytest.raises(SettingsError, match=r"GALLEY_AUDIT_LOG_ID=.*expected ocid1\.log"):
        load_settings(env)


def test_the_log_id_reaches_the_settings(tmp_path: Path):
    env = {
        "GALLEY_URL_TOKEN": "a" * 32,
        "GALLEY_DATA_DIR": str(tmp_path),
        "GALLEY_AUDIT_LOG_ID": LOG_ID,
    }
    assert load_settings(env).audit_log_id == LOG_ID
    del env["GALLEY_AUDIT_LOG_ID"]
    assert load_settings(env).audit_log_id is None


def test_a_service_error_is_told_in_one_line():
    error = {"code": "NotAuthorizedOrNotFound", "message": "no", "status": 404}
    stderr = "ServiceError:\n" + json.dumps(error, indent=2) + "\n"
    assert cli_error(stderr) == "404 NotAuthorizedOrNotFound: no"
    assert cli_error("Traceback ...\nOSError: boom\n") == "Traceback ... OSError: boom"

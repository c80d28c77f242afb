"""Logging ingestion as the containers reach it (``ingestion.logging.<region>.oci.oraclecloud
.com``): PutLogs, ``POST /20200831/logs/{logId}/actions/push`` with a PutLogsDetails body (Logging
Ingestion API reference; the OCI CLI's `logging-ingestion put-logs` sends it).

A call is decided against the cloud's policies: `use log-content` in the log's compartment,
with ``target.loggroup.id`` set to the log's group ("Logging Policy Reference"). What is not
granted, and a log that does not exist, get OCI's 404 NotAuthorizedOrNotFound (its answer for
both, so a caller learns nothing of logs it may not write). The log must be a CUSTOM log that is
enabled (400 otherwise; status and code unverified). Accepted entries are kept per log, one JSON
line each, in the cloud's directory: ``entries(state_dir, log_id)`` reads them back.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from . import authz
from . import world as w
from .errors import OciError
from .object_data import Request, Response, error

PUSH_PERMISSION = "LOG_CONTENT_PUSH"
SPEC_VERSION = "1.0"
# PutLogs' documented body limit (Logging Ingestion API, "Limits": 10 MB per call).
MAX_BODY_BYTES = 10 * 1024 * 1024
_NOT_FOUND = (
    "Authorization failed or requested resource not found."  # OCI's usual text for this code
)


def entries_dir(state_dir: Path) -> Path:
    return state_dir / "log-entries"


def entries(state_dir: Path, log_id: str) -> list[dict[str, Any]]:
    """Every entry ingested into ``log_id``, oldest first (with its batch's source, type and
    subject, as Logging Search shows them)."""
    path = entries_dir(state_dir) / f"{log_id}.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line]


def is_write(_: Request) -> bool:
    return False  # the cloud's resources do not change; entries go to their own files


def handle(world: w.WorldView, state_dir: Path, caller: authz.Principal, call: Request) -> Response:
    try:
        return _push(world, state_dir, caller, call)
    except OciError as err:
        return error(err)


def _push(world: w.WorldView, state_dir: Path, caller: authz.Principal, call: Request) -> Response:
    parts = call.path.split("?", 1)[0].strip("/").split("/")
    if call.method != "POST" or len(parts) != 5 or parts[:2] != ["20200831", "logs"]:
        raise OciError(404, "NotAuthorizedOrNotFound", _NOT_FOUND)
    if parts[3:] != ["actions", "push"]:
        raise OciError(404, "NotAuthorizedOrNotFound", _NOT_FOUND)
    log_id = parts[2]
    log = world.resources.get(log_id)
    if log is None or log.get("type") != "oci_logging_log":
        raise OciError(404, "NotAuthorizedOrNotFound", _NOT_FOUND)
    attrs = log["attrs"]
    target = authz.Target(
        str(attrs.get("compartment_id")), {"target.loggroup.id": str(attrs.get("log_group_id"))}
    )
    if not authz.decide(world, caller, [PUSH_PERMISSION], target).allowed:
        raise OciError(404, "NotAuthorizedOrNotFound", _NOT_FOUND)
    if attrs.get("log_type") != "CUSTOM" or attrs.get("is_enabled") is False:
        raise OciError(400, "InvalidParameter", f"Log {log_id} is not an enabled custom log")
    if len(call.body) > MAX_BODY_BYTES:
        raise OciError(413, "PayloadTooLarge", f"The request body exceeds {MAX_BODY_BYTES} bytes")
    try:
        details = json.loads(call.body)
    except ValueError:
        raise OciError(400, "InvalidParameter", "The request body is not valid JSON") from None
    if not isinstance(details, dict) or details.get("specversion") != SPEC_VERSION:
        raise OciError(400, "InvalidParameter", f"specversion must be {SPEC_VERSION!r}")
    batches = details.get("logEntryBatches")
    if not isinstance(batches, list) or not batches:
        raise OciError(400, "InvalidParameter", "logEntryBatches must be a non-empty list")
    lines: list[str] = []
    received = time.time()
    for batch in batches:
        if not isinstance(batch, dict) or not isinstance(batch.get("entries"), list):
            raise OciError(400, "InvalidParameter", "each log entry batch needs its entries")
        for entry in batch["entries"]:
            if not isinstance(entry, dict) or not isinstance(entry.get("data"), str):
                raise OciError(400, "InvalidParameter", "each log entry needs a string data")
            if not isinstance(entry.get("id"), str) or not entry["id"]:
                raise OciError(400, "InvalidParameter", "each log entry needs an id")
            record = {
                "id": entry["id"],
                "data": entry["data"],
                "time": entry.get("time") or batch.get("defaultlogentrytime"),
                "source": batch.get("source"),
                "type": batch.get("type"),
                "subject": batch.get("subject"),
                "received": received,
            }
            lines.append(json.dumps(record))
    directory = entries_dir(state_dir)
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / f"{log_id}.jsonl").open("a") as handle_:
        handle_.write("".join(f"{line}\n" for line in lines))
    return Response(200, {"content-type": "application/json"}, b"")


def hosts(region: str, _namespace: str) -> list[str]:
    """Logging ingestion's endpoint in ``region`` (the SDKs' service endpoint template)."""
    return [f"ingestion.logging.{region}.oci.oraclecloud.com"]

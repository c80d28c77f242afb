"""Audit records out of the container: to the OCI Logging custom log GALLEY_AUDIT_LOG_ID, with
the instance's resource principal, by the bundled `oci` CLI (`logging-ingestion put-logs`;
OCI_CLI_AUTH=resource_principal comes with the instance). Galley's own environment keeps no OCI
SDK (250 MB): the image's CLI is the well-kept client it already ships.

A request never waits for this: the audit logger's handler only appends the record to a bounded
queue in memory, and a background task sends batches (every FLUSH_SECONDS, or sooner once
BATCH_RECORDS wait) and a last one at shutdown. While OCI refuses or cannot be reached, a batch
is retried on the next round and the queue keeps the newest MAX_QUEUED records: when it is full
the oldest is dropped and counted, and the next batch says how many were lost (one record of
kind `galley.audit.dropped`). Records still go to stdout too.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import uuid
from collections import deque
from collections.abc import Sequence
from datetime import UTC, datetime

from galley.audit import AUDIT_LOGGER

LOG_ID_VAR = "GALLEY_AUDIT_LOG_ID"
MAX_QUEUED = 10_000  # ~4 MB of records: hours of a busy server's calls while OCI is away
BATCH_RECORDS = 500  # per PutLogs call, far below its 10 MB body limit (records are < 1 kB)
FLUSH_SECONDS = 5.0
CALL_TIMEOUT_SECONDS = 60.0
SOURCE = "galley"
TYPE = "galley.audit"
DROPPED_KIND = "galley.audit.dropped"

log = logging.getLogger("galley.audit_shipping")


class RecordQueue:
    """The records waiting to be shipped, newest MAX_QUEUED kept."""

    def __init__(self, limit: int = MAX_QUEUED) -> None:
        self._records: deque[str] = deque()
        self._limit = limit
        self.dropped = 0  # since the last batch that reported it

    def __len__(self) -> int:
        return len(self._records)

    def put(self, line: str) -> None:
        if len(self._records) >= self._limit:
            self._records.popleft()
            self.dropped += 1
        self._records.append(line)

    def take(self, limit: int) -> list[str]:
        return [self._records.popleft() for _ in range(min(limit, len(self._records)))]

    def give_back(self, lines: Sequence[str]) -> None:
        """A batch that was not delivered goes back in front, as far as the limit allows."""
        room = self._limit - len(self._records)
        kept = list(lines)[-room:] if room > 0 else []
        self.dropped += len(lines) - len(kept)
        self._records.extendleft(reversed(kept))


class QueueHandler(logging.Handler):
    """Puts each audit record (already one JSON line) on the queue; never blocks or raises."""

    def __init__(self, queue: RecordQueue) -> None:
        super().__init__(logging.INFO)
        self.queue = queue

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.queue.put(record.getMessage())
        except Exception:
            self.handleError(record)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def log_entry_batches(lines: Sequence[str], dropped: int, subject: str) -> list[dict[str, object]]:
    """PutLogs' logEntryBatches for these records (OCI API reference, PutLogsDetails)."""
    now = _now()
    entries = [{"data": line, "id": str(uuid.uuid4()), "time": now} for line in lines]
    if dropped:
        note = json.dumps({"kind": DROPPED_KIND, "time": now, "dropped": dropped})
        entries.insert(0, {"data": note, "id": str(uuid.uuid4()), "time": now})
    return [
        {
            "entries": entries,
            "source": SOURCE,
            "type": TYPE,
            "subject": subject,
            "defaultlogentrytime": now,
        }
    ]


def cli_error(stderr: str) -> str:
    """The CLI's error in one line: a service's status, code and message (`ServiceError:`
    then a JSON object), else the end of what it printed."""
    start = stderr.find("{")
    if start >= 0:
        with contextlib.suppress(ValueError):
            error = json.loads(stderr[start:])
            if isinstance(error, dict) and "status" in error:
                return f"{error.get('status')} {error.get('code')}: {error.get('message')}"
    return " ".join(stderr.split())[-300:]


class Shipper:
    """Sends the queue's records to one log, one batch at a time, from a background task."""

    def __init__(
        self,
        log_id: str,
        queue: RecordQueue,
        command: Sequence[str] = ("oci",),
        *,
        flush_seconds: float = FLUSH_SECONDS,
        batch_records: int = BATCH_RECORDS,
        subject: str | None = None,
    ) -> None:
        self.log_id = log_id
        self.queue = queue
        self.command = tuple(command)
        self.flush_seconds = flush_seconds
        self.batch_records = batch_records
        self.subject = subject or os.environ.get("HOSTNAME", "galley")
        self.shipped = 0
        self.failures = 0

    async def ship_once(self) -> bool:
        """Send one batch (if any); False when it failed and went back on the queue."""
        lines = self.queue.take(self.batch_records)
        dropped, self.queue.dropped = self.queue.dropped, 0
        if not lines and not dropped:
            return True
        batches = json.dumps(log_entry_batches(lines, dropped, self.subject))
        argv = [*self.command, "logging-ingestion", "put-logs", "--log-id", self.log_id]
        argv += ["--specversion", "1.0", "--log-entry-batches", batches]
        process: asyncio.subprocess.Process | None = None
        try:
            process = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
            )
            _, stderr = await asyncio.wait_for(process.communicate(), CALL_TIMEOUT_SECONDS)
            failed = process.returncode != 0
            why = cli_error(stderr.decode(errors="replace"))
        except (OSError, TimeoutError) as exc:
            failed, why = True, f"{type(exc).__name__}: {exc}"
            _kill(process)  # timed out (None: it failed to start)
        except asyncio.CancelledError:  # the shutdown's time ran out: the batch stays queued
            _kill(process)
            self._keep(lines, dropped)
            raise
        if failed:
            self.failures += 1
            self._keep(lines, dropped)
            log.warning("audit records not shipped to %s (kept for retry): %s", self.log_id, why)
            return False
        self.shipped += len(lines)
        return True

    def _keep(self, lines: list[str], dropped: int) -> None:
        """A batch that did not go out: back in front of the queue, its drop count too."""
        self.queue.give_back(lines)
        self.queue.dropped += dropped

    async def run(self) -> None:
        """Ship until cancelled: a batch every flush_seconds, or sooner once one is full."""
        while True:
            await asyncio.sleep(self.flush_seconds)
            while await self.ship_once() and len(self.queue) >= self.batch_records:
                pass

    async def drain(self, rounds: int = 3) -> None:
        """At shutdown: what is queued, in at most `rounds` batches' worth of tries."""
        for _ in range(rounds):
            if not len(self.queue) and not self.queue.dropped:
                return
            await self.ship_once()


def _kill(process: asyncio.subprocess.Process | None) -> None:
    if process is not None:
        with contextlib.suppress(ProcessLookupError):
            process.kill()


def start_shipping(log_id: str | None) -> Shipper | None:
    """Attach the queue to the audit logger when a log is configured; the caller runs it."""
    if not log_id:
        return None
    queue = RecordQueue()
    logging.getLogger(AUDIT_LOGGER).addHandler(QueueHandler(queue))
    return Shipper(log_id, queue)

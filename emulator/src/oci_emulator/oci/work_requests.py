"""Work requests: what OCI does slowly after it accepts a request, and the provider's wait for it.

The real provider waits for the work request of every container-instance create and delete and
of every API Gateway deployment create, update and delete (`containerInstanceWaitForWorkRequest`,
`deploymentWaitForWorkRequest`, 20-minute default timeouts). Here the provider process records
the work in the resource's record (`record["work_request"]`, absolute unix times computed from
`pace.py`), waits for it, then records the end. The data plane reads the same record, so it
needs no pace of its own:

- container instance create: stored CREATING; the containers may start at
  `containers_start_at` (provisioning, then the image pull); with a data plane the data plane
  starts them and marks the instance ACTIVE (or writes `error`), and the apply waits for that;
  without one the apply waits until `containers_start_at` and marks it ACTIVE itself;
- container instance delete: stored DELETING (its containers get SIGTERM, its private IP stays
  taken) until `ends_at` and, with a data plane, until its containers are gone;
- deployment create / update: stored CREATING / UPDATING until `ends_at`; meanwhile the data
  plane serves nothing (create) or the `previous` specification (update).
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from oci_emulator import pace
from oci_emulator.dataplane.daemon import read_status, running_pid
from oci_emulator.ocids import new_ocid

INSTANCE = "oci_container_instances_container_instance"
DEPLOYMENT = "oci_apigateway_deployment"
KEY = "work_request"
# The provider's default create/update/delete timeout (tfresource.DefaultTimeout: 20 minutes).
TIMEOUT_S = 20 * 60.0
# How long an apply waits for a running data plane to serve what the work request finished.
_DATA_PLANE_CATCH_UP_S = 30.0
_POLL_S = 0.05

Record = dict[str, Any]


class WorkRequestFailed(Exception):
    """The work request ended in failure; ``str(e)`` reads like the provider's error."""


def _failed(work_id: str, entity: str, action: str, message: str) -> WorkRequestFailed:
    return WorkRequestFailed(
        f"work request did not succeed, workId: {work_id}, entity: {entity}, "
        f"action: {action}. Message: {message}"
    )


def begin(type_name: str, prior: Record | None, record: Record, region: str) -> None:
    """Inside the apply's transaction: store the resource as OCI holds it while the work runs."""
    now = time.time()
    if type_name == INSTANCE and prior is None:
        attrs = record["attrs"] = copy.deepcopy(record["attrs"])
        attrs["state"] = "CREATING"
        for container in attrs.get("containers") or []:
            container["state"] = "CREATING"
        provisioned = now + pace.seconds("container_instance_provision")
        record[KEY] = {
            "id": new_ocid("computecontainerinstanceworkrequest", region),
            "action": "CREATED",
            "pull_starts_at": provisioned,
            "containers_start_at": provisioned + pace.seconds("container_image_pull"),
        }
    elif type_name == DEPLOYMENT:
        creating = prior is None
        attrs = record["attrs"] = copy.deepcopy(record["attrs"])
        attrs["lifecycle_state"] = "CREATING" if creating else "UPDATING"
        delay = "apigateway_deployment_create" if creating else "apigateway_deployment_update"
        record[KEY] = {
            "id": new_ocid("apigatewayworkrequest", region),
            "action": "CREATED" if creating else "UPDATED",
            "ends_at": now + pace.seconds(delay),
            "previous": None if creating else copy.deepcopy(prior),
        }


def deleting(type_name: str, prior: Record, region: str) -> Record | None:
    """Inside the delete's transaction: the record that stays while the delete runs, or None."""
    if type_name != INSTANCE:
        return None
    attrs = copy.deepcopy(prior)
    attrs["state"] = "DELETING"
    for container in attrs.get("containers") or []:
        container["state"] = "DELETING"
    return {
        "type": type_name,
        "id": str(prior.get("id")),
        "attrs": attrs,
        KEY: {
            "id": new_ocid("computecontainerinstanceworkrequest", region),
            "action": "DELETED",
            "ends_at": time.time() + pace.seconds("container_instance_delete"),
        },
    }


# --- the waits (outside any transaction) -----------------------------------------------------


def _record(store: Any, ocid: str) -> Record | None:
    found: Record | None = store.snapshot().resources.get(ocid)
    return found


def _wait(done: Callable[[], bool], until: float) -> bool:
    while not done():
        if time.time() > until:
            return False
        time.sleep(_POLL_S)
    return True


def _sleep_until(when: float) -> None:
    while (left := when - time.time()) > 0:
        time.sleep(min(left, 1.0))


def finish(
    store: Any, type_name: str, prior: Record | None, state: Record, data_plane: bool
) -> Record:
    """After the apply's transaction: wait for the work request; return the final attrs."""
    ocid = str(state.get("id"))
    record = _record(store, ocid)
    work = (record or {}).get(KEY)
    if record is None or work is None:
        return state
    if type_name == INSTANCE:
        return _instance_created(store, record, work, data_plane)
    if type_name == DEPLOYMENT:
        _sleep_until(work["ends_at"])
        with store.transaction() as world:
            current = world.resources.get(ocid)
            if current is not None and current.get(KEY, {}).get("id") == work["id"]:
                current.pop(KEY)
                current["attrs"]["lifecycle_state"] = "ACTIVE"
                state = current["attrs"]
        if data_plane:
            _wait(lambda: _serves(store, ocid, state), time.time() + _DATA_PLANE_CATCH_UP_S)
        return state
    return state


def _serves(store: Any, deployment_id: str, attrs: Record) -> bool:
    served = read_status(store.state_dir).get("deployments_served", {})
    return bool(served.get(deployment_id) == attrs.get("time_updated"))


def _instance_created(store: Any, record: Record, work: Record, data_plane: bool) -> Record:
    ocid = record["id"]
    if not data_plane:
        _sleep_until(work["containers_start_at"])
        with store.transaction() as world:
            current = world.resources.get(ocid)
            if current is None:
                raise _failed(work["id"], "containerinstance", "CREATED", "the instance is gone")
            current.pop(KEY, None)
            current["attrs"]["state"] = "ACTIVE"
            for container in current["attrs"].get("containers") or []:
                container["state"] = "ACTIVE"
            return dict(current["attrs"])

    def settled() -> bool:
        if running_pid(store.state_dir) is None:
            return True  # the data plane stopped meanwhile: end as without one
        now = _record(store, ocid)
        return (
            now is None
            or now["attrs"].get("state") != "CREATING"
            or bool(now.get(KEY, {}).get("error"))
        )

    ended = _wait(settled, work["containers_start_at"] + TIMEOUT_S)
    if ended and running_pid(store.state_dir) is None:
        return _instance_created(store, record, work, data_plane=False)
    with store.transaction() as world:
        current = world.resources.get(ocid)
        error = (current or {}).get(KEY, {}).get("error")
        if not ended:
            error = (
                f"timeout while waiting for state to become 'SUCCEEDED' (timeout: {TIMEOUT_S:g}s)"
            )
        if current is None or error:
            # A failed create leaves nothing behind here: its private IP is free again.
            world.resources.pop(ocid, None)
            raise _failed(work["id"], "containerinstance", "CREATED", error or "instance gone")
        current.pop(KEY, None)
        return dict(current["attrs"])


def finish_delete(store: Any, type_name: str, prior: Record, data_plane: bool) -> None:
    """After the delete's transaction: wait for the delete work request, then forget the record."""
    ocid = str(prior.get("id"))
    record = _record(store, ocid)
    work = (record or {}).get(KEY)
    if record is None or work is None or work.get("action") != "DELETED":
        return
    _sleep_until(work["ends_at"])
    if data_plane:
        grace = float(str(prior.get("graceful_shutdown_timeout_in_seconds") or 0) or 0)

        def gone() -> bool:
            now = _record(store, ocid)
            return now is None or bool(now.get(KEY, {}).get("containers_gone"))

        _wait(gone, time.time() + grace + _DATA_PLANE_CATCH_UP_S)
    with store.transaction() as world:
        current = world.resources.get(ocid)
        if current is not None and current.get(KEY, {}).get("id") == work["id"]:
            world.resources.pop(ocid)

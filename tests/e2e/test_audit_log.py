"""The audit trail leaves the container: deploy/ (audit_log_enabled, the default) creates the
custom log, the policy lets Galley's dynamic group write to its log group only, the instance
gets GALLEY_AUDIT_LOG_ID, and the runtime ships its records there with the resource principal
through the image's `oci` CLI. Read back from the emulated Logging service: one record per MCP
request and per tool call, the refused one included, and the token nowhere in them. Without the
statement (an apply), ingestion is refused and Galley keeps answering."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import anyio
import e2e_support as e2e
import mcp_check
import pytest
from docker.models.images import Image
from oci_emulator.oci import log_ingestion
from test_resource_principal import tag_rule

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("e2e-audit_log")]
LOG_CONTENT_STATEMENT = re.compile(
    r'^\s*"Allow \$\{local\.subject\} to use log-content .*",\n', re.M
)
GROUP = "ocid1.dynamicgroup.oc1..aaaaaaaagalleyaudittest000000000"
SHIPPED_WITHIN_S = 30  # the runtime ships every 5 s; the CLI call takes under a second


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, e2e_image: Image) -> Iterator[e2e.Stack]:
    stack = e2e.Stack(tmp_path_factory.mktemp("audit"), e2e_image)
    try:
        tfvars = (stack.root / "terraform.tfvars").read_text()
        compartment = re.search(r'^compartment_id\s*=\s*"([^"]+)"', tfvars, re.M)
        assert compartment is not None
        stack.cloud.add_tag_key("galley", "role")
        stack.cloud.add_dynamic_group(
            GROUP, compartment.group(1), matching_rule=tag_rule(compartment.group(1))
        )
        done = stack.apply(f"dynamic_group_id={GROUP}")
        assert done.returncode == 0, done.stdout + done.stderr
        stack.wait_healthy(stack.local_url())
        yield stack
    finally:
        stack.close()


def records(stack: e2e.Stack, log_id: str) -> list[dict[str, Any]]:
    return [json.loads(e["data"]) for e in log_ingestion.entries(stack.cloud.state_dir, log_id)]


def test_records_reach_the_log_one_per_call_without_the_token(stack):
    out = stack.outputs()
    log_id, token = out["audit_log_id"], out["url_token"]
    (log,) = stack.cloud.resources("oci_logging_log")
    assert (log["id"], log["attrs"]["log_type"]) == (log_id, "CUSTOM")
    (instance,) = stack.cloud.resources("oci_container_instances_container_instance")
    assert instance["attrs"]["containers"][0]["environment_variables"]["GALLEY_AUDIT_LOG_ID"] == (
        log_id
    )

    url = stack.local_url()
    trip = anyio.run(mcp_check.round_trip, url, stack.ca)  # initialize, tools/list, tools/call
    assert trip.is_error is False
    with stack.http() as http:
        refused = http.post(url.replace(token, "not-the-token"), json={})
    assert refused.status_code == 403

    def shipped() -> list[dict[str, Any]]:
        """the tool call's record and the refused request's are in the log"""
        got = records(stack, log_id)
        kinds = {(r["kind"], r.get("outcome")) for r in got}
        done = {("galley.audit.tool_call", "ok"), ("galley.audit.request", "refused")} <= kinds
        return got if done else []

    got = e2e.poll(shipped, SHIPPED_WITHIN_S, interval_s=0.5)
    mcp = [r for r in got if r["kind"] == "galley.audit.request" and r["mcp_method"]]
    # One record per MCP request of the round trip (initialize, its notification, tools/list,
    # tools/call) and one per tool call.
    assert sorted(r["mcp_method"] for r in mcp) == sorted(
        ["initialize", "notifications/initialized", "tools/list", "tools/call"]
    )
    (call,) = [r for r in got if r["kind"] == "galley.audit.tool_call"]
    assert call["tool"] == mcp_check.TOOL
    (call_request,) = [r for r in mcp if r["mcp_method"] == "tools/call"]
    assert call["request_id"] == call_request["request_id"]
    assert call_request["tool"] == mcp_check.TOOL and call_request["outcome"] == "ok"
    (refusal,) = [r for r in got if r.get("outcome") == "refused"]
    assert refusal["status"] == 403
    for record in got:
        assert {"kind", "time", "request_id"} <= set(record)
    stored = (log_ingestion.entries_dir(stack.cloud.state_dir) / f"{log_id}.jsonl").read_text()
    assert token not in stored
    assert all(
        e["source"] == "galley" for e in log_ingestion.entries(stack.cloud.state_dir, log_id)
    )


def test_without_the_statement_ingestion_is_refused_and_galley_keeps_serving(stack, docker_client):
    log_id = stack.outputs()["audit_log_id"]
    stack.drop_policy_statement(LOG_CONTENT_STATEMENT, f"dynamic_group_id={GROUP}")
    (policy,) = [
        p
        for p in stack.cloud.resources("oci_identity_policy")
        if p["attrs"]["name"] == "galley-policy"
    ]
    assert not [s for s in policy["attrs"]["statements"] if "log-content" in s]

    before = len(records(stack, log_id))
    url = stack.local_url()
    trip = anyio.run(mcp_check.round_trip, url, stack.ca)
    assert trip.is_error is False  # requests never wait on the audit trail

    def refused() -> bool:
        """the runtime logged a refused shipment"""
        (container,) = stack.containers(docker_client)
        logs = container.logs().decode(errors="replace")
        return "audit records not shipped" in logs and "404 NotAuthorizedOrNotFound" in logs

    try:
        e2e.poll(refused, SHIPPED_WITHIN_S, interval_s=1)
    except AssertionError:
        (container,) = stack.containers(docker_client)
        raise AssertionError(container.logs().decode(errors="replace")[-3000:]) from None
    assert len(records(stack, log_id)) == before
    with stack.http() as http:
        assert http.get(re.sub(r"/mcp(\?|$)", r"/health\1", url)).status_code == 200

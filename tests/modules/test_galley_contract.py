"""What the modules hand Galley is what the runtime reads (galley.settings, .middleware)."""

from __future__ import annotations

import hashlib

import pytest
import tf_support as tfs
import tftest

from galley.middleware import TOKEN_PARAM
from galley.settings import load_settings

GATEWAY_VARS = tfs.BASE_VARS["api-gateway"]
# A token known at plan time (a generated one is not), so the planned env can be loaded.
INSTANCE_VARS = {
    **tfs.BASE_VARS["container-instance"],
    "url_token": "contract-token-0123456789abcdef",
}


def test_gateway_requires_the_parameter_galley_reads(plan_cloud, tmp_path):
    tf = tfs.terraform(tfs.module_copy(tmp_path, "api-gateway"), plan_cloud.env)
    summary = tfs.plan_summary(tf.plan(output=True, tf_vars=GATEWAY_VARS))
    assert summary["outputs"]["token_query_parameter"] == TOKEN_PARAM
    route = summary["values"]["oci_apigateway_deployment.this"]["specification"][0]["routes"][0]
    validation = route["request_policies"][0]["query_parameter_validations"][0]
    assert validation["parameters"] == [{"name": TOKEN_PARAM, "required": True}]

    # The name is fixed by Galley: the module no longer takes one.
    with pytest.raises(tftest.TerraformTestError) as failure:
        tf.plan(tf_vars={**GATEWAY_VARS, "token_query_parameter": "key"})
    assert "undeclared variable" in str(failure.value)
    assert "token_query_parameter" in str(failure.value)


def test_container_environment_is_valid_galley_settings(plan_cloud, tmp_path):
    tf = tfs.terraform(tfs.module_copy(tmp_path, "container-instance"), plan_cloud.env)
    summary = tfs.plan_summary(tf.plan(output=True, tf_vars=INSTANCE_VARS))
    instance = summary["values"]["oci_container_instances_container_instance.this"]
    env = dict(instance["containers"][0]["environment_variables"])
    env["GALLEY_DATA_DIR"] = str(tmp_path / "data")  # the image's path, not this machine's

    settings = load_settings(env)
    # The instance holds the digest the runtime compares requests against, not the token.
    assert settings.url_token_digests == (
        hashlib.sha256(INSTANCE_VARS["url_token"].encode()).digest(),
    )
    # Galley finishes draining (and uvicorn its at least 1 s of connection shutdown) before OCI
    # kills the container at the end of its graceful shutdown timeout.
    kill_after = int(instance["graceful_shutdown_timeout_in_seconds"])
    assert 1 <= settings.shutdown_grace_seconds <= kill_after - 2


@pytest.mark.parametrize(
    ("transport", "query", "header"),
    [("query", True, False), ("header", False, True), ("both", False, False)],
)
def test_gateway_checks_the_transport_galley_reads(plan_cloud, tmp_path, transport, query, header):
    """query: ?token= required; header: Authorization required; both: no presence check (OCI
    ANDs validations, so it cannot require one of the two), Galley alone refuses."""
    tf = tfs.terraform(tfs.module_copy(tmp_path, "api-gateway"), plan_cloud.env)
    summary = tfs.plan_summary(
        tf.plan(output=True, tf_vars={**GATEWAY_VARS, "token_transport": transport})
    )
    assert summary["outputs"]["token_transport"] == transport
    route = summary["values"]["oci_apigateway_deployment.this"]["specification"][0]["routes"][0]
    policies = (route.get("request_policies") or [{}])[0]
    queries = policies.get("query_parameter_validations") or []
    headers = policies.get("header_validations") or []
    assert bool(queries) is query
    assert bool(headers) is header
    if query:
        assert queries[0]["parameters"] == [{"name": TOKEN_PARAM, "required": True}]
    if header:
        assert headers[0]["validation_mode"] == "ENFORCING"
        assert headers[0]["headers"] == [{"name": "Authorization", "required": True}]


def test_every_generation_digest_is_a_valid_galley_token(oci_cloud, tmp_path):
    """Two generations: the instance holds both digests, sorted, and Galley loads both."""
    network = tfs.terraform(tfs.module_copy(tmp_path / "network", "network"), oci_cloud.env)
    network.apply(tf_vars={"compartment_id": tfs.COMPARTMENT})
    tf_vars = {
        **tfs.BASE_VARS["container-instance"],
        "subnet_id": tfs.outputs(network)["private_subnet_id"],
        "url_token_generations": ["b", "a"],
    }
    tf = tfs.terraform(tfs.module_copy(tmp_path / "sut", "container-instance"), oci_cloud.env)
    tf.apply(tf_vars=tf_vars)
    tokens = tfs.outputs(tf)["url_tokens"]
    assert set(tokens) == {"a", "b"}
    assert tfs.outputs(tf)["current_token_name"] == "a"  # the last listed, not the last sorted
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    env = dict(instance["attrs"]["containers"][0]["environment_variables"])
    digests = sorted(hashlib.sha256(t.encode()).hexdigest() for t in tokens.values())
    assert env["GALLEY_URL_TOKEN_SHA256"] == ",".join(digests)
    env["GALLEY_DATA_DIR"] = str(tmp_path / "data")
    assert set(load_settings(env).url_token_digests) == {bytes.fromhex(d) for d in digests}


def test_only_the_token_digest_reaches_the_instance(oci_cloud, tmp_path):
    """The instance's environment is readable with `read compute-container-family`: neither the
    plan nor what the cloud holds may carry the token, only its SHA-256."""
    network = tfs.terraform(tfs.module_copy(tmp_path / "network", "network"), oci_cloud.env)
    network.apply(tf_vars={"compartment_id": tfs.COMPARTMENT})
    subnet = tfs.outputs(network)
    tf_vars = {**INSTANCE_VARS, "subnet_id": subnet["private_subnet_id"]}
    token = tf_vars["url_token"]
    tf = tfs.terraform(tfs.module_copy(tmp_path / "sut", "container-instance"), oci_cloud.env)
    planned = tfs.plan_summary(tf.plan(output=True, tf_vars=tf_vars))["values"]
    planned_env = planned["oci_container_instances_container_instance.this"]["containers"][0][
        "environment_variables"
    ]
    tf.apply(tf_vars=tf_vars)
    assert tfs.outputs(tf)["url_token"] == token
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    applied_env = instance["attrs"]["containers"][0]["environment_variables"]

    digest = hashlib.sha256(token.encode()).hexdigest()
    for env in (planned_env, applied_env):
        assert env["GALLEY_URL_TOKEN_SHA256"] == digest
        assert "GALLEY_URL_TOKEN" not in env
        assert not [name for name, value in env.items() if token in value]

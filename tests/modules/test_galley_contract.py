"""What the modules hand Galley is what the runtime reads (galley.settings, .middleware)."""

from __future__ import annotations

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
    assert settings.url_token == INSTANCE_VARS["url_token"]
    # Galley finishes draining (and uvicorn its at least 1 s of connection shutdown) before OCI
    # kills the container at the end of its graceful shutdown timeout.
    kill_after = int(instance["graceful_shutdown_timeout_in_seconds"])
    assert 1 <= settings.shutdown_grace_seconds <= kill_after - 2

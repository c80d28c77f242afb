"""deploy/ with existing_network: Galley goes into a VCN made beforehand (by modules/network, as
a network team would have), whose resources are never changed: apply, a second plan without
changes, destroy, and the pre-existing network is as it was, attribute for attribute. Galley's
rules are in two NSGs attached to the gateway and the instance."""

from __future__ import annotations

import json

import tf_support as tfs


def test_deploy_into_an_existing_network_changes_nothing_of_it(oci_cloud, tmp_path):
    theirs, network = tfs.existing_network(oci_cloud, tmp_path / "theirs")
    before = tfs.network_snapshot(oci_cloud)

    root = tfs.copy_sources(tmp_path / "galley", "modules", "deploy") / "deploy"
    tf = tfs.terraform(root, oci_cloud.env)
    tf_vars = {
        **tfs.BASE_VARS["deploy"],
        "tenancy_id": oci_cloud.tenancy_id,
        "existing_network": {
            "vcn_id": network["vcn_id"],
            "public_subnet_id": network["public_subnet_id"],
            "private_subnet_id": network["private_subnet_id"],
        },
        "allowed_ingress_cidrs": ["203.0.113.0/24"],
    }
    var_file = tmp_path / "inputs.tfvars.json"
    var_file.write_text(json.dumps(tf_vars))
    plan = tfs.plan_summary(tf.plan(output=True, tf_var_file=str(var_file)))
    assert not set(tfs.NETWORK_TYPES) & set(plan["counts"]), plan["counts"]
    assert plan["counts"]["oci_core_network_security_group"] == 2

    tf.apply(tf_var_file=str(var_file))
    held = oci_cloud.resources("oci_core_network_security_group")
    nsgs = {r["attrs"]["display_name"]: r for r in held}
    assert set(nsgs) == {"galley-gateway-nsg", "galley-instance-nsg"}
    assert {n["attrs"]["vcn_id"] for n in nsgs.values()} == {network["vcn_id"]}
    (gateway,) = oci_cloud.resources("oci_apigateway_gateway")
    assert gateway["attrs"]["subnet_id"] == network["public_subnet_id"]
    assert gateway["attrs"]["network_security_group_ids"] == [nsgs["galley-gateway-nsg"]["id"]]
    (instance,) = oci_cloud.resources("oci_container_instances_container_instance")
    (vnic,) = instance["attrs"]["vnics"]
    assert vnic["subnet_id"] == network["private_subnet_id"]
    assert vnic["nsg_ids"] == [nsgs["galley-instance-nsg"]["id"]]
    rules = [
        r["attrs"] for r in oci_cloud.resources("oci_core_network_security_group_security_rule")
    ]
    https = [r for r in rules if r["network_security_group_id"] == nsgs["galley-gateway-nsg"]["id"]
             and r["direction"] == "INGRESS" and r["protocol"] == "6"]  # fmt: skip
    assert [r["source"] for r in https] == ["203.0.113.0/24"]
    assert tfs.network_snapshot(oci_cloud) == before  # nothing of theirs changed by the apply

    assert tfs.changed_addresses(tf.plan(output=True, tf_var_file=str(var_file))) == []

    tf.destroy(tf_var_file=str(var_file))
    assert tfs.network_snapshot(oci_cloud) == before
    left = {r["type"] for r in oci_cloud.resources()}
    assert left <= set(tfs.NETWORK_TYPES), left  # only their network remains
    theirs.destroy(tf_vars=tfs.SHARED_NETWORK)
    assert oci_cloud.resources() == []

"""modules/network's allowed_ingress_cidrs on the emulator: one HTTPS rule per distinct CIDR in
the public subnet's security list; the order and repetition of the input never show as a change,
and narrowing the list updates the security list in place."""

from __future__ import annotations

import json
from pathlib import Path

import tf_support as tfs

PUBLIC_SL = "oci_core_security_list.public"


def _detailed_exitcode(tf, tmp_path: Path, tf_vars: dict) -> int:
    """`plan -detailed-exitcode`: 0 no change, 2 changes (1, an error, raises)."""
    var_file = tmp_path / "plan.tfvars.json"
    var_file.write_text(json.dumps(tf_vars))
    result = tf.execute_command(
        "plan", "-detailed-exitcode", "-input=false", "-no-color", f"-var-file={var_file}"
    )
    return result.retcode


def _https_sources(oci_cloud) -> tuple[str, list[str]]:
    """The public security list's id and the sources of its TCP rules, as the cloud holds them."""
    (public,) = [
        r
        for r in oci_cloud.resources("oci_core_security_list")
        if r["attrs"]["display_name"] == "galley-public-sl"
    ]
    rules = public["attrs"]["ingress_security_rules"]
    return public["id"], sorted(rule["source"] for rule in rules if rule["protocol"] == "6")


def test_second_plan_shows_no_change_whatever_the_order(oci_cloud, tmp_path):
    tf = tfs.terraform(tfs.module_copy(tmp_path, "network"), oci_cloud.env)
    base = {"compartment_id": tfs.random_ocid("compartment")}
    unsorted = {**base, "allowed_ingress_cidrs": ["203.0.113.0/24", "198.51.100.0/24"]}
    tf.apply(tf_vars=unsorted)
    sl_id, sources = _https_sources(oci_cloud)
    assert sources == ["198.51.100.0/24", "203.0.113.0/24"]

    assert _detailed_exitcode(tf, tmp_path, unsorted) == 0
    for same in (
        ["198.51.100.0/24", "203.0.113.0/24"],
        ["203.0.113.0/24", "198.51.100.0/24", "203.0.113.0/24"],
    ):
        assert _detailed_exitcode(tf, tmp_path, {**base, "allowed_ingress_cidrs": same}) == 0

    narrowed = {**base, "allowed_ingress_cidrs": ["198.51.100.0/24"]}
    assert tfs.changed_addresses(tf.plan(output=True, tf_vars=narrowed)) == [
        f"{PUBLIC_SL} ['update']"
    ]
    tf.apply(tf_vars=narrowed)
    assert _https_sources(oci_cloud) == (sl_id, ["198.51.100.0/24"])
    assert _detailed_exitcode(tf, tmp_path, narrowed) == 0

    tf.destroy(tf_vars=narrowed)

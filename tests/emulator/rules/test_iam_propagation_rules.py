"""IAM propagation, the rule: which delay applies where, what the pace does, and what an update
or a delete of a policy changes. Through Terraform: tests/emulator/test_iam_propagation.py."""

from __future__ import annotations

import time
from typing import Any

import pytest
from oci_emulator import pace
from oci_emulator.oci import propagation
from oci_emulator.oci.errors import OciError

LIFECYCLE = "Allow service objectstorage-{region} to manage object-family in tenancy"
RULE = {
    "name": "r",
    "action": "DELETE",
    "target": "previous-object-versions",
    "is_enabled": True,
    "time_amount": 30,
    "time_unit": "DAYS",
}


def _bucket_and_policy(cloud: Any, statements: list[str]) -> dict[str, Any]:
    cloud.create(
        "oci_objectstorage_bucket",
        compartment_id=cloud.tenancy,
        namespace=cloud.world.namespace,
        name="b",
    )
    return cloud.create(
        "oci_identity_policy",
        compartment_id=cloud.tenancy,
        name="p",
        description="d",
        statements=statements,
    )


def _lifecycle(cloud: Any) -> dict[str, Any]:
    return cloud.create(
        "oci_objectstorage_object_lifecycle_policy",
        namespace=cloud.world.namespace,
        bucket="b",
        rules=[RULE],
    )


@pytest.mark.parametrize(
    ("region", "home", "delay"),
    [
        ("us-ashburn-1", "us-ashburn-1", "iam_propagation"),
        ("eu-frankfurt-1", "us-ashburn-1", "iam_propagation_other_region"),
    ],
)
def test_the_delay_is_the_home_regions_or_the_other_regions(
    monkeypatch, make_cloud, region, home, delay
):
    monkeypatch.setenv(pace.PACE_ENV, "1")
    monkeypatch.setenv(pace.DELAY_ENV_PREFIX + delay.upper(), "0.4")
    # The policy is written in the home region; the lifecycle policy is set in ``region``.
    cloud = make_cloud(region=home, home_region=home, settled_iam=False)
    _bucket_and_policy(cloud, [LIFECYCLE.format(region=region)])
    cloud.world.region = region
    assert propagation.delay_name(cloud.world) == delay
    with pytest.raises(OciError) as refused:
        _lifecycle(cloud)
    assert (refused.value.status, refused.value.code) == (400, "InsufficientServicePermissions")
    assert f"{delay} in pace.py" in str(refused.value)
    time.sleep(0.45)
    assert _lifecycle(cloud)["rules"][0]["name"] == "r"


def test_the_pace_scales_the_delay(monkeypatch, make_cloud):
    monkeypatch.setenv(pace.PACE_ENV, "0.001")  # 10 s at OCI's pace -> 10 ms
    monkeypatch.delenv("OCI_EMULATOR_DELAY_IAM_PROPAGATION", raising=False)
    cloud = make_cloud(settled_iam=False)
    assert propagation.delay(cloud.world) == pytest.approx(0.01)
    _bucket_and_policy(cloud, [LIFECYCLE.format(region="us-ashburn-1")])
    time.sleep(0.05)
    assert _lifecycle(cloud)["bucket"] == "b"


def test_an_update_delays_only_the_statements_it_adds_and_a_delete_forgets(monkeypatch, make_cloud):
    monkeypatch.setenv(pace.PACE_ENV, "1")
    monkeypatch.setenv("OCI_EMULATOR_DELAY_IAM_PROPAGATION", "60")
    cloud = make_cloud(settled_iam=False)
    old = "Allow group Admins to manage all-resources in tenancy"
    policy = _bucket_and_policy(cloud, [old])
    written = cloud.world.statements_written[policy["id"]]
    written[old] = 0.0  # written long ago
    updated = cloud.update(
        "oci_identity_policy", policy, statements=[old, LIFECYCLE.format(region="us-ashburn-1")]
    )
    times = cloud.world.statements_written[updated["id"]]
    assert times[old] == 0.0  # unchanged: keeps its time, stays in effect
    assert time.time() - times[LIFECYCLE.format(region="us-ashburn-1")] < 5
    with pytest.raises(OciError, match="in effect yet"):
        _lifecycle(cloud)
    cloud.delete("oci_identity_policy", updated)
    assert updated["id"] not in cloud.world.statements_written
    # Without the policy the grant is missing, not propagating: OCI's hint for a missing one.
    with pytest.raises(OciError, match="need a policy such as"):
        _lifecycle(cloud)


# --- the container instance's image pull --------------------------------------------------

REPO = "galley"
IMAGE = f"ocir.us-ashburn-1.oci.oraclecloud.com/ns/{REPO}:0.1.0"


def _pull_policy(cloud: Any, subject: str, repo: str = REPO) -> dict[str, Any]:
    return cloud.create(
        "oci_identity_policy",
        compartment_id=cloud.tenancy,
        name="pull",
        description="d",
        statements=[f"Allow {subject} to read repos in tenancy where target.repo.name = '{repo}'"],
    )


def _dynamic_group(cloud: Any, rule: str) -> dict[str, Any]:
    return cloud.create(
        "oci_identity_dynamic_group",
        compartment_id=cloud.tenancy,
        name="galley-instances",
        description="d",
        matching_rule=rule,
    )


@pytest.fixture
def slow_iam(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pace.PACE_ENV, "1")
    monkeypatch.setenv("OCI_EMULATOR_DELAY_IAM_PROPAGATION", "60")


def test_an_instance_pulling_with_a_right_still_propagating_fails_like_a_failed_pull(
    slow_iam, make_cloud
):
    cloud = make_cloud(settled_iam=False)
    net = cloud.network()
    group = _dynamic_group(
        cloud,
        "ALL {resource.type = 'computecontainerinstance', "
        f"resource.compartment.id = '{cloud.tenancy}'}}",
    )
    _pull_policy(cloud, f"dynamic-group id {group['id']}")
    with pytest.raises(OciError) as refused:
        cloud.container_instance(net["private"]["id"])
    text = str(refused.value)
    assert text.startswith("work request did not succeed, workId: ocid1.")
    assert "entity: containerinstance, action: CREATED." in text
    assert f"Message: Failed to pull image {IMAGE}: not authorized" in text
    assert "not in effect yet" in text
    assert cloud.world.resources == {
        k: v for k, v in cloud.world.resources.items() if v["type"] != INSTANCE
    }


INSTANCE = "oci_container_instances_container_instance"


@pytest.mark.parametrize(
    "subject",
    [
        "dynamic-group id ocid1.dynamicgroup.oc1..aaaaaaaanotinthecloud",  # cannot disprove
        "dynamic-group galley-instances",  # by name, rule matches
        "any-user",
    ],
)
def test_pull_rights_the_emulator_counts(slow_iam, make_cloud, subject):
    cloud = make_cloud(settled_iam=False)
    net = cloud.network()
    _dynamic_group(cloud, f"resource.compartment.id = '{cloud.tenancy}'")
    _pull_policy(cloud, subject)
    with pytest.raises(OciError, match="Failed to pull image"):
        cloud.container_instance(net["private"]["id"])


@pytest.mark.parametrize(
    ("rule", "repo", "extra"),
    [
        # The group matches other resources only: the statement is not this instance's right.
        ("ALL {resource.type = 'fnfunc'}", REPO, {}),
        ("ANY {resource.compartment.id = 'ocid1.compartment.oc1..other'}", REPO, {}),
        # Another repository's right.
        ("ALL {resource.type = 'computecontainerinstance'}", "other", {}),
        # Credentials instead of the resource principal.
        (
            "ALL {resource.type = 'computecontainerinstance'}",
            REPO,
            {
                "image_pull_secrets": [
                    {
                        "registry_endpoint": "ocir.us-ashburn-1.oci.oraclecloud.com",
                        "secret_type": "VAULT",
                        "secret_id": "ocid1.vaultsecret.oc1.iad.aaaaaaaasecret",
                    }
                ]
            },
        ),
    ],
)
def test_what_a_pull_right_does_not_cover_is_not_checked(slow_iam, make_cloud, rule, repo, extra):
    cloud = make_cloud(settled_iam=False)
    net = cloud.network()
    group = _dynamic_group(cloud, rule)
    _pull_policy(cloud, f"dynamic-group id {group['id']}", repo=repo)
    assert cloud.container_instance(net["private"]["id"], **extra)["state"] == "ACTIVE"


def test_an_instance_pulls_once_the_right_is_in_effect(monkeypatch, make_cloud):
    monkeypatch.setenv(pace.PACE_ENV, "1")
    monkeypatch.setenv("OCI_EMULATOR_DELAY_IAM_PROPAGATION", "0.3")
    cloud = make_cloud(settled_iam=False)
    net = cloud.network()
    _pull_policy(cloud, "dynamic-group id ocid1.dynamicgroup.oc1..aaaaaaaanotinthecloud")
    with pytest.raises(OciError):
        cloud.container_instance(net["private"]["id"])
    time.sleep(0.35)
    assert cloud.container_instance(net["private"]["id"])["state"] == "ACTIVE"

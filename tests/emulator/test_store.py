"""The emulated cloud's state directory: persistence and read-modify-write under a file lock."""

from __future__ import annotations

import json
import multiprocessing

import pytest
from oci_emulator.store import Store


def _add_many(state_dir: str, worker: int, count: int) -> None:
    store = Store(state_dir)
    for i in range(count):
        with store.transaction() as world:
            # A read-modify-write: the new entry depends on what was read.
            key = f"r{worker}-{i}"
            world.resources[key] = {"type": "t", "id": key, "attrs": {"seen": len(world.resources)}}


def test_parallel_processes_never_lose_an_update(tmp_path):
    Store(tmp_path)  # created once, so every worker shares one tenancy
    ctx = multiprocessing.get_context("fork")
    workers = [ctx.Process(target=_add_many, args=(str(tmp_path), w, 25)) for w in range(4)]
    for p in workers:
        p.start()
    for p in workers:
        p.join(60)
        assert p.exitcode == 0
    resources = Store(tmp_path).resources()
    assert len(resources) == 100
    # Each transaction saw all earlier ones: the "seen" counts are exactly 0..99.
    assert sorted(r["attrs"]["seen"] for r in resources) == list(range(100))


def test_state_persists_and_identity_is_stable(tmp_path):
    first = Store(tmp_path)
    with first.transaction() as world:
        world.resources["ocid1.vcn.oc1.iad.x"] = {"type": "oci_core_vcn", "id": "x", "attrs": {}}
    again = Store(tmp_path).snapshot()
    assert again.tenancy_id == first.snapshot().tenancy_id
    assert again.tenancy_id.startswith("ocid1.tenancy.oc1..")
    assert again.namespace == first.snapshot().namespace
    assert list(again.resources) == ["ocid1.vcn.oc1.iad.x"]


def test_failed_transaction_changes_nothing(tmp_path):
    store = Store(tmp_path)
    try:
        with store.transaction() as world:
            world.resources["x"] = {"type": "t", "id": "x", "attrs": {}}
            raise RuntimeError("rule failed")
    except RuntimeError:
        pass
    assert store.resources() == []


def test_region_of_the_caller_overrides_the_default(tmp_path):
    store = Store(tmp_path, default_region="eu-frankfurt-1")
    assert store.snapshot().region == "eu-frankfurt-1"
    assert store.snapshot("uk-london-1").region == "uk-london-1"


def test_home_region_defaults_to_the_cloud_region_and_can_be_set(tmp_path, monkeypatch):
    monkeypatch.delenv("OCI_EMULATOR_HOME_REGION", raising=False)
    assert Store(tmp_path / "a", default_region="eu-frankfurt-1").snapshot().home_region == (
        "eu-frankfurt-1"
    )
    store = Store(tmp_path / "b", home_region="us-phoenix-1")
    assert store.snapshot().home_region == "us-phoenix-1"
    assert store.snapshot("eu-frankfurt-1").home_region == "us-phoenix-1"  # whatever the caller
    assert Store(tmp_path / "b").snapshot().home_region == "us-phoenix-1"  # kept when reopened
    # Given again, the opener decides; the environment variable counts as given.
    monkeypatch.setenv("OCI_EMULATOR_HOME_REGION", "uk-london-1")
    assert Store(tmp_path / "b").snapshot().home_region == "uk-london-1"


def test_unknown_home_region_is_a_clear_error(tmp_path):
    with pytest.raises(
        ValueError, match=r"home region .* 'mars-north-1' is not a known OCI region"
    ):
        Store(tmp_path, home_region="mars-north-1")


def test_a_cloud_from_before_home_regions_is_at_home_in_its_region(tmp_path, monkeypatch):
    monkeypatch.delenv("OCI_EMULATOR_HOME_REGION", raising=False)
    Store(tmp_path, default_region="ap-tokyo-1")
    state = tmp_path / "cloud.json"
    data = json.loads(state.read_text())
    del data["home_region"]
    state.write_text(json.dumps(data))
    assert Store(tmp_path).snapshot().home_region == "ap-tokyo-1"

"""A tiny stand-in for the emulator core: keeps a World and applies the rules like the core does."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from oci_emulator.oci import api
from oci_emulator.oci.ocids import new_ocid
from oci_emulator.oci.world import now
from oci_emulator.oci_backend import resource_id

SCHEMA_FILE = "oracle-oci-8.28.0.json"


def _schema_dir() -> Path:
    configured = os.environ.get("OCI_EMULATOR_SCHEMA_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parents[3].parent / "shared" / "provider-schemas"


_SCHEMAS: dict[str, Any] = {}


def provider_schema() -> dict[str, Any]:
    if not _SCHEMAS:
        data = json.loads((_schema_dir() / SCHEMA_FILE).read_text())
        _SCHEMAS.update(data["provider_schemas"]["registry.terraform.io/oracle/oci"])
    return _SCHEMAS


def block(kind: str, type_: str) -> dict[str, Any]:
    """The schema block of a resource (kind "resource") or data source (kind "data")."""
    key = "resource_schemas" if kind == "resource" else "data_source_schemas"
    return provider_schema()[key][type_]["block"]


def unknown_keys(value: dict[str, Any], schema_block: dict[str, Any], where: str = "") -> list[str]:
    """Paths of keys in ``value`` that the schema block does not declare (recursively)."""
    bad = []
    attrs = schema_block.get("attributes", {})
    blocks = schema_block.get("block_types", {})
    for key, item in value.items():
        path = f"{where}{key}"
        if key in blocks:
            for entry in item if isinstance(item, list) else ([item] if item else []):
                bad += unknown_keys(entry, blocks[key]["block"], f"{path}.")
        elif key in attrs:
            bad += _unknown_in_type(item, attrs[key]["type"], path)
        else:
            bad.append(path)
    return bad


def _unknown_in_type(value: Any, type_: Any, path: str) -> list[str]:
    if value is None or not isinstance(type_, list):
        return []
    kind, inner = type_
    if kind in ("list", "set"):
        return [p for v in value for p in _unknown_in_type(v, inner, f"{path}[]")]
    if kind == "map":
        return []
    if kind == "object":
        bad = [f"{path}.{k}" for k in value if k not in inner]
        return bad + [
            p
            for k, v in value.items()
            if k in inner
            for p in _unknown_in_type(v, inner[k], f"{path}.{k}")
        ]
    return []


def _placeholder(name: str, type_: Any) -> Any:
    if type_ == "string":
        return "ocid1.placeholder.oc1.iad.aaaaaaaa" if name.endswith("_id") else ""
    if type_ == "number":
        return 0
    if type_ == "bool":
        return False
    return {} if type_[0] in ("map", "object") else []


def planned(type_: str, given: dict[str, Any]) -> dict[str, Any]:
    """Planned attrs as the core passes them: every schema attribute present, unset ones None."""
    schema_block = block("resource", type_)
    attrs: dict[str, Any] = {}
    for name, spec in schema_block.get("attributes", {}).items():
        # The core pre-fills computed-only attributes with placeholders; the rules must replace
        # them. Optional ones stay null for the rules to default.
        attrs[name] = None if spec.get("optional") else _placeholder(name, spec["type"])
    for name, spec in schema_block.get("block_types", {}).items():
        attrs[name] = None if spec["nesting_mode"] == "single" else []
    attrs.update(given)
    return attrs


class Cloud:
    """Holds a World; ``create`` fills generic computed values first, as the core does."""

    def __init__(
        self, region: str = "us-ashburn-1", home_region: str = "", *, settled_iam: bool = True
    ) -> None:
        # settled_iam: policies count as written long ago, so their grants are in effect. These
        # tests are about which grant a call needs; when a new one takes effect is
        # test_iam_propagation.py's subject (settled_iam=False there).
        self.settled_iam = settled_iam
        self.world = api.World(
            region=region,
            tenancy_id=new_ocid("tenancy", region),
            namespace="axk3qhf2zm1p",
            home_region=home_region,
        )

    @property
    def tenancy(self) -> str:
        return self.world.tenancy_id

    def create(self, type_: str, **given: Any) -> dict[str, Any]:
        attrs = planned(type_, given)
        attrs["id"] = resource_id(type_, attrs, self.world)  # type: ignore[arg-type]
        if "time_created" in attrs:  # as the core fills computed times the schema has
            attrs["time_created"] = now()
        if "state" in attrs and not attrs["state"]:
            attrs["state"] = "AVAILABLE" if type_.startswith("oci_core_") else "ACTIVE"
        out = api.create(type_, attrs, self.world)
        self.world.resources[out["id"]] = {"type": type_, "id": out["id"], "attrs": out}
        self._settle(type_, out)
        return out

    def _settle(self, type_: str, attrs: dict[str, Any]) -> None:
        if self.settled_iam and type_ == "oci_identity_policy":
            written = self.world.statements_written[attrs["id"]]
            written.update(dict.fromkeys(written, 0.0))  # the epoch: long propagated

    def update(self, type_: str, prior: dict[str, Any], **changes: Any) -> dict[str, Any]:
        attrs = {**prior, **changes}
        out = api.update(type_, prior, attrs, self.world)
        self.world.resources.pop(prior["id"])
        self.world.resources[out["id"]] = {"type": type_, "id": out["id"], "attrs": out}
        self._settle(type_, out)
        return out

    def delete(self, type_: str, attrs: dict[str, Any]) -> None:
        kept = api.delete(type_, attrs, self.world)
        if isinstance(kept, dict):  # what the service leaves behind (a reset default list)
            self.world.resources[attrs["id"]] = kept
        else:
            self.world.resources.pop(attrs["id"])

    def read(self, type_: str, **config: Any) -> dict[str, Any]:
        return api.read_data_source(type_, config, self.world)

    def ad(self, n: int = 0) -> str:
        """The name of the region's ``n``-th availability domain."""
        ads = self.read("oci_identity_availability_domains", compartment_id=self.tenancy)
        return ads["availability_domains"][n]["name"]

    def container_instance(
        self,
        subnet_id: str,
        *,
        private_ip: str | None = None,
        shape: str = "CI.Standard.E4.Flex",
        ocpus: float = 1,
        memory: float = 2,
        **extra: Any,
    ) -> dict[str, Any]:
        """A Galley-like container instance with one VNIC in ``subnet_id``."""
        attrs = {
            "compartment_id": self.tenancy,
            "availability_domain": self.ad(),
            "shape": shape,
            "display_name": "galley",
            "shape_config": [{"ocpus": ocpus, "memory_in_gbs": memory}],
            "containers": [
                {
                    "image_url": "ocir.us-ashburn-1.oci.oraclecloud.com/ns/galley:0.1.0",
                    "environment_variables": {"GALLEY_PORT": "8000"},
                    "health_checks": [
                        {"health_check_type": "HTTP", "port": 8000, "path": "/health"}
                    ],
                }
            ],
            "vnics": [{"subnet_id": subnet_id, "private_ip": private_ip}],
        }
        attrs.update(extra)
        return self.create("oci_container_instances_container_instance", **attrs)

    # --- a network like the modules build ------------------------------------------------

    def network(self) -> dict[str, Any]:
        comp = self.tenancy
        vcn = self.create(
            "oci_core_vcn", compartment_id=comp, cidr_blocks=["10.0.0.0/16"], dns_label="galley"
        )
        svc = self.read(
            "oci_core_services",
            filter=[
                {
                    "name": "name",
                    "values": ["All .* Services In Oracle Services Network"],
                    "regex": True,
                }
            ],
        )["services"][0]
        igw = self.create("oci_core_internet_gateway", compartment_id=comp, vcn_id=vcn["id"])
        nat = self.create("oci_core_nat_gateway", compartment_id=comp, vcn_id=vcn["id"])
        sgw = self.create(
            "oci_core_service_gateway",
            compartment_id=comp,
            vcn_id=vcn["id"],
            services=[{"service_id": svc["id"]}],
        )
        public_rt = self.create(
            "oci_core_route_table",
            compartment_id=comp,
            vcn_id=vcn["id"],
            route_rules=[{"destination": "0.0.0.0/0", "network_entity_id": igw["id"]}],
        )
        private_rt = self.create(
            "oci_core_route_table",
            compartment_id=comp,
            vcn_id=vcn["id"],
            route_rules=[
                {
                    "destination": "0.0.0.0/0",
                    "destination_type": "CIDR_BLOCK",
                    "network_entity_id": nat["id"],
                },
                {
                    "destination": svc["cidr_block"],
                    "destination_type": "SERVICE_CIDR_BLOCK",
                    "network_entity_id": sgw["id"],
                },
            ],
        )
        public = self.create(
            "oci_core_subnet",
            compartment_id=comp,
            vcn_id=vcn["id"],
            cidr_block="10.0.1.0/24",
            route_table_id=public_rt["id"],
            dns_label="pub",
        )
        private = self.create(
            "oci_core_subnet",
            compartment_id=comp,
            vcn_id=vcn["id"],
            cidr_block="10.0.2.0/24",
            route_table_id=private_rt["id"],
            prohibit_public_ip_on_vnic=True,
        )
        return {
            "vcn": vcn,
            "igw": igw,
            "nat": nat,
            "sgw": sgw,
            "service": svc,
            "public_rt": public_rt,
            "private_rt": private_rt,
            "public": public,
            "private": private,
        }


@pytest.fixture
def cloud() -> Cloud:
    return Cloud()


@pytest.fixture
def net(cloud: Cloud) -> dict[str, Any]:
    return cloud.network()


def _raises(status: int, code: str, *fragments: str) -> Any:
    """Expect an OciError with this status and code whose text holds every fragment."""

    class _Check:
        def __enter__(self) -> Any:
            self.ctx = pytest.raises(api.OciError)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc: Any) -> Any:
            handled = self.ctx.__exit__(*exc)
            err = self.info.value
            assert (err.status, err.code) == (status, code), str(err)
            assert str(err) == f"{status}-{code}: {err.message}"
            for fragment in fragments:
                assert fragment in str(err), str(err)
            return handled

    return _Check()


@pytest.fixture
def raises_oci() -> Any:
    return _raises


@pytest.fixture
def make_cloud() -> Any:
    """A factory for clouds in other regions."""
    return Cloud


@pytest.fixture
def schema_unknown() -> Any:
    """``f(kind, type_, value)`` -> attribute paths in ``value`` the provider schema lacks."""

    def check(kind: str, type_: str, value: dict[str, Any]) -> list[str]:
        return unknown_keys(value, block(kind, type_))

    return check

"""Provider schemas loaded from `terraform providers schema -json` files.

The emulator never writes a schema by hand: everything Terraform sees about attributes, nesting,
types and flags comes from these files, so Terraform validates HCL exactly as against the real
provider.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from oci_emulator.envvars import SCHEMA_DIR_ENV

# cty types in their JSON form: "string" | ["list", T] | ["object", {name: T}] | ...
CtyType = Any


@dataclass(frozen=True)
class ProviderSpec:
    """One provider the emulator serves, and the files that describe it."""

    address: str  # registry.terraform.io/<namespace>/<name>
    version: str

    @property
    def source(self) -> str:
        return self.address.split("/", 1)[1]

    @property
    def name(self) -> str:
        return self.address.rsplit("/", 1)[1]

    @property
    def file_stem(self) -> str:
        namespace, name = self.source.split("/")
        return f"{namespace}-{name}-{self.version}"


OCI = ProviderSpec("registry.terraform.io/oracle/oci", "8.28.0")
RANDOM = ProviderSpec("registry.terraform.io/hashicorp/random", "3.9.0")
TIME = ProviderSpec("registry.terraform.io/hashicorp/time", "0.14.0")
PROVIDERS = {spec.source: spec for spec in (OCI, RANDOM, TIME)}


@dataclass
class Attribute:
    name: str
    type: CtyType
    required: bool = False
    optional: bool = False
    computed: bool = False
    sensitive: bool = False
    deprecated: bool = False


@dataclass
class NestedBlock:
    name: str
    nesting: str  # single | list | set | map | group
    block: Block
    min_items: int = 0
    max_items: int = 0


@dataclass
class Block:
    attributes: dict[str, Attribute] = field(default_factory=dict)
    block_types: dict[str, NestedBlock] = field(default_factory=dict)
    deprecated: bool = False

    def implied_type(self) -> CtyType:
        """The cty object type a value of this block has on the wire."""
        members: dict[str, CtyType] = {n: a.type for n, a in self.attributes.items()}
        for name, nb in self.block_types.items():
            inner = nb.block.implied_type()
            if nb.nesting in ("list", "set", "map"):
                members[name] = [nb.nesting, inner]
            else:
                members[name] = inner
        return ["object", members]


@dataclass
class TypeSchema:
    version: int
    block: Block
    raw: dict[str, Any]


@dataclass
class ProviderSchema:
    spec: ProviderSpec
    provider: TypeSchema
    resources: dict[str, TypeSchema]
    data_sources: dict[str, TypeSchema]
    behaviour: dict[str, Any]

    def force_new(self, type_name: str) -> list[str]:
        return list(self.behaviour.get("force_new", {}).get(type_name, []))

    def validations(self, type_name: str) -> dict[str, str]:
        return dict(self.behaviour.get("provider_side_validation", {}).get(type_name, {}))


def parse_block(raw: dict[str, Any]) -> Block:
    block = Block(deprecated=bool(raw.get("deprecated", False)))
    for name, a in raw.get("attributes", {}).items():
        if "nested_type" in a:
            raise ValueError(f"attribute {name!r}: nested_type attributes are not supported")
        block.attributes[name] = Attribute(
            name=name,
            type=a["type"],
            required=bool(a.get("required")),
            optional=bool(a.get("optional")),
            computed=bool(a.get("computed")),
            sensitive=bool(a.get("sensitive")),
            deprecated=bool(a.get("deprecated")),
        )
    for name, bt in raw.get("block_types", {}).items():
        block.block_types[name] = NestedBlock(
            name=name,
            nesting=bt["nesting_mode"],
            block=parse_block(bt["block"]),
            min_items=int(bt.get("min_items", 0)),
            max_items=int(bt.get("max_items", 0)),
        )
    return block


def _type_schema(raw: dict[str, Any]) -> TypeSchema:
    return TypeSchema(version=int(raw.get("version", 0)), block=parse_block(raw["block"]), raw=raw)


def schema_dir() -> Path:
    value = os.environ.get(SCHEMA_DIR_ENV)
    if not value:
        raise RuntimeError(
            f"{SCHEMA_DIR_ENV} is not set: point it at a directory holding "
            "<namespace>-<name>-<version>.json provider schema files "
            "(see `oci-emulator schema --help` to produce them)"
        )
    path = Path(value)
    if not path.is_dir():
        raise RuntimeError(f"{SCHEMA_DIR_ENV}={value} is not a directory")
    return path


@cache
def load_provider_schema(source: str, directory: str | None = None) -> ProviderSchema:
    """Load `<dir>/<ns>-<name>-<version>.json` (+ optional `.behaviour.json`) for a provider."""
    spec = PROVIDERS[source]
    base = Path(directory) if directory else schema_dir()
    path = base / f"{spec.file_stem}.json"
    if not path.is_file():
        raise RuntimeError(f"provider schema file {path} not found for {spec.address}")
    doc = json.loads(path.read_text())
    entry = doc["provider_schemas"].get(spec.address)
    if entry is None:
        raise RuntimeError(f"{path} holds no schema for {spec.address}")
    behaviour_path = base / f"{spec.file_stem}.behaviour.json"
    behaviour = json.loads(behaviour_path.read_text()) if behaviour_path.is_file() else {}
    return ProviderSchema(
        spec=spec,
        provider=_type_schema(entry.get("provider", {"block": {}, "version": 0})),
        resources={n: _type_schema(s) for n, s in entry.get("resource_schemas", {}).items()},
        data_sources={n: _type_schema(s) for n, s in entry.get("data_source_schemas", {}).items()},
        behaviour=behaviour,
    )


# --- conversion to tfplugin6 protobuf messages -------------------------------------------------

_NESTING = {"single": 1, "list": 2, "set": 3, "map": 4, "group": 5}


def block_to_proto(raw: dict[str, Any], pb: Any) -> Any:
    """Build a `Schema.Block` from the JSON form, keeping every flag Terraform reads."""
    attributes = [
        pb.Schema.Attribute(
            name=name,
            type=json.dumps(a["type"], separators=(",", ":")).encode(),
            required=bool(a.get("required")),
            optional=bool(a.get("optional")),
            computed=bool(a.get("computed")),
            sensitive=bool(a.get("sensitive")),
            deprecated=bool(a.get("deprecated")),
            description=a.get("description", ""),
        )
        for name, a in sorted(raw.get("attributes", {}).items())
    ]
    block_types = [
        pb.Schema.NestedBlock(
            type_name=name,
            block=block_to_proto(bt["block"], pb),
            nesting=_NESTING[bt["nesting_mode"]],
            min_items=int(bt.get("min_items", 0)),
            max_items=int(bt.get("max_items", 0)),
        )
        for name, bt in sorted(raw.get("block_types", {}).items())
    ]
    return pb.Schema.Block(
        attributes=attributes,
        block_types=block_types,
        deprecated=bool(raw.get("deprecated", False)),
        description=raw.get("description", ""),
    )


def to_proto(ts: TypeSchema, pb: Any) -> Any:
    return pb.Schema(version=ts.version, block=block_to_proto(ts.raw["block"], pb))

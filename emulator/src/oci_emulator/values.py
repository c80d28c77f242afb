"""cty values on the wire (msgpack / JSON) as plain Python values, unknowns included.

Objects become dicts, lists and sets become lists, maps become dicts, null is None. An unknown
value is an `Unknown`; Terraform sends plain unknowns as msgpack extension 0 and *refined*
unknowns (with not-null / prefix hints) as extension 12. Both are kept as received so they can be
sent back unchanged.
"""

from __future__ import annotations

import json
from typing import Any

import msgpack

from oci_emulator.schema import CtyType

_UNKNOWN_CODES = (0, 12)


class Unknown:
    """A value Terraform will only know after apply."""

    __slots__ = ("raw",)

    def __init__(self, raw: msgpack.ExtType | None = None) -> None:
        self.raw = raw or msgpack.ExtType(0, b"\x00")

    def __repr__(self) -> str:
        return "<unknown>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown)

    def __hash__(self) -> int:
        return 0


UNKNOWN = Unknown()


def _ext_hook(code: int, data: bytes) -> Any:
    if code in _UNKNOWN_CODES:
        return Unknown(msgpack.ExtType(code, data))
    raise ValueError(f"unexpected msgpack extension type {code}")


def _pack_default(obj: Any) -> Any:
    if isinstance(obj, Unknown):
        return obj.raw
    raise TypeError(f"cannot encode {type(obj).__name__} as a cty value")


def decode(dynamic_value: Any) -> Any:
    """Decode a tfplugin6 DynamicValue (msgpack, or JSON as some calls use)."""
    if dynamic_value.msgpack:
        return msgpack.unpackb(
            dynamic_value.msgpack, ext_hook=_ext_hook, raw=False, strict_map_key=False
        )
    if dynamic_value.json:
        return json.loads(dynamic_value.json)
    return None


def encode(value: Any, type_: CtyType) -> bytes:
    return msgpack.packb(conform(value, type_), default=_pack_default, use_bin_type=True)


def conform(value: Any, type_: CtyType) -> Any:
    """Shape a Python value to a cty type: every object attribute present, scalars converted.

    Terraform rejects an object missing attributes or carrying extra ones, and JSON state or rule
    code may give a number as a string or leave attributes out.
    """
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(type_, str):
        return _conform_primitive(value, type_)
    kind = type_[0]
    if kind in ("list", "set"):
        return [conform(v, type_[1]) for v in value]
    if kind == "map":
        return {str(k): conform(v, type_[1]) for k, v in value.items()}
    if kind == "object":
        return {name: conform(value.get(name), t) for name, t in type_[1].items()}
    if kind == "tuple":
        return [conform(v, t) for v, t in zip(value, type_[1], strict=True)]
    raise ValueError(f"unsupported cty type {type_!r}")


def _conform_primitive(value: Any, type_: str) -> Any:
    if type_ == "string":
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return value if isinstance(value, str) else str(value)
    if type_ == "number":
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, int | float):
            return int(value) if isinstance(value, float) and value.is_integer() else value
        text = str(value)
        number = float(text)
        return int(number) if number.is_integer() and "." not in text else number
    if type_ == "bool":
        if isinstance(value, str):
            return value.lower() == "true"
        return bool(value)
    if type_ == "dynamic":
        return value
    raise ValueError(f"unsupported cty type {type_!r}")


def contains_unknown(value: Any) -> bool:
    if isinstance(value, Unknown):
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False

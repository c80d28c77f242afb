"""The msgpack/cty codec: unknowns (plain and refined) and shaping values to schema types."""

from __future__ import annotations

import msgpack
import pytest
from oci_emulator.values import UNKNOWN, Unknown, conform, contains_unknown, decode, encode
from tf.gen import tfplugin_pb2 as pb

OBJ = ["object", {"name": "string", "size": "number", "tags": ["map", "string"]}]


def _dv(obj) -> pb.DynamicValue:
    return pb.DynamicValue(msgpack=msgpack.packb(obj, use_bin_type=True))


def test_plain_and_refined_unknowns_decode_as_unknown_and_round_trip():
    refined = msgpack.ExtType(12, msgpack.packb({1: True, 2: "subnet-"}))
    wire = msgpack.packb(
        {"name": msgpack.ExtType(0, b"\x00"), "size": refined, "tags": None}, use_bin_type=True
    )
    value = decode(pb.DynamicValue(msgpack=wire))
    assert isinstance(value["name"], Unknown)
    assert isinstance(value["size"], Unknown)
    # Sent back unchanged, refinement included.
    assert encode(value, OBJ) == wire


def test_unknown_extension_codes_other_than_0_and_12_are_rejected():
    with pytest.raises(ValueError, match="extension type 5"):
        decode(pb.DynamicValue(msgpack=msgpack.packb(msgpack.ExtType(5, b"x"))))


def test_json_dynamic_values_decode():
    assert decode(pb.DynamicValue(json=b'{"a": 1}')) == {"a": 1}
    assert decode(pb.DynamicValue()) is None


def test_conform_fills_missing_attributes_and_converts_scalars():
    assert conform({"size": "3", "extra": 1}, OBJ) == {"name": None, "size": 3, "tags": None}
    assert conform({"name": 7, "size": 2.0, "tags": {"a": True}}, OBJ) == {
        "name": "7",
        "size": 2,
        "tags": {"a": "true"},
    }
    assert conform({"size": "2.5"}, OBJ)["size"] == 2.5
    assert conform("false", "bool") is False


def test_encoded_objects_always_carry_every_attribute():
    decoded = msgpack.unpackb(encode({"name": "x"}, OBJ))
    assert decoded == {"name": "x", "size": None, "tags": None}


def test_contains_unknown_looks_inside_collections():
    assert contains_unknown({"a": [1, {"b": UNKNOWN}]})
    assert not contains_unknown({"a": [1, {"b": None}]})

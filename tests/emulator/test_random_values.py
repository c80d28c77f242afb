"""random_* value generation: character classes, minimums, id encodings, import."""

from __future__ import annotations

import os
import string

import bcrypt
import pytest
from oci_emulator.backend import ProviderFailure
from oci_emulator.random_resources import (
    SPECIAL,
    RandomBackend,
    bcrypt_hash,
    generate_string,
    id_values,
)
from oci_emulator.schema import load_provider_schema

BASE = {
    "length": 40,
    "upper": True,
    "lower": True,
    "numeric": True,
    "special": True,
    "override_special": None,
    "min_upper": 0,
    "min_lower": 0,
    "min_numeric": 0,
    "min_special": 0,
}


def test_disabled_classes_never_appear_and_minimums_always_hold():
    for _ in range(50):
        value = generate_string({**BASE, "upper": False, "special": False, "min_numeric": 30})
        assert len(value) == 40
        assert not set(value) & set(string.ascii_uppercase + SPECIAL)
        assert sum(c.isdigit() for c in value) >= 30


def test_minimums_of_disabled_classes_are_still_added():
    # The real provider's CreateString adds every class's min_* characters; only the fill
    # comes from the enabled classes. So upper=false, min_upper=3 gives exactly 3 capitals.
    for _ in range(20):
        value = generate_string({**BASE, "length": 12, "upper": False, "min_upper": 3})
        assert len(value) == 12
        assert sum(c.isupper() for c in value) == 3


def test_minimums_alone_may_fill_a_string_with_every_class_disabled():
    off = {"upper": False, "lower": False, "numeric": False, "special": False}
    value = generate_string({**BASE, **off, "length": 5, "min_numeric": 2, "min_lower": 3})
    assert sorted(c.isdigit() for c in value) == [False, False, False, True, True]
    assert sum(c in string.ascii_lowercase for c in value) == 3


def test_bcrypt_hash_verifies_like_the_providers():
    digest = bcrypt_hash("s3cret-Password!")
    assert digest.startswith("$2a$10$")  # Go's bcrypt prefix, DefaultCost
    assert bcrypt.checkpw(b"s3cret-Password!", digest.encode())
    assert not bcrypt.checkpw(b"s3cret-Password?", digest.encode())


def test_bcrypt_hash_of_a_long_password_covers_its_first_72_bytes():
    long = "a" * 72 + "tail"
    digest = bcrypt_hash(long)
    assert bcrypt.checkpw(long.encode()[:72], digest.encode())


def test_override_special_replaces_the_special_set():
    value = generate_string({**BASE, "override_special": "#", "min_special": 5})
    assert value.count("#") >= 5
    assert not set(value) & (set(SPECIAL) - {"#"})


def test_no_enabled_class_is_an_error():
    with pytest.raises(ProviderFailure, match="no character classes"):
        generate_string(
            {**BASE, "upper": False, "lower": False, "numeric": False, "special": False}
        )


def test_id_encodings_agree():
    values = id_values(b"\xff\x00\x10", "p-")
    assert values == {
        "id": "_wAQ",
        "b64_url": "p-_wAQ",
        "b64_std": "p-/wAQ",
        "hex": "p-ff0010",
        "dec": "p-16711696",
    }


@pytest.fixture
def backend():
    return RandomBackend(
        load_provider_schema("hashicorp/random", os.environ["OCI_EMULATOR_SCHEMA_DIR"])
    )


def test_import_rebuilds_state_from_the_id(backend):
    state = backend.import_state("random_string", "abc123")
    assert state["result"] == "abc123"
    assert state["length"] == 6
    assert state["id"] == "abc123"
    assert backend.import_state("random_id", "_wAQ")["hex"] == "ff0010"


def test_number_and_numeric_stay_in_sync(backend):
    schema = backend.schema.resources["random_string"].block
    from oci_emulator.values import conform

    proposed = conform({"length": 5, "number": False}, schema.implied_type())
    planned = backend.plan("random_string", None, proposed, proposed).planned
    assert planned["numeric"] is False
    assert planned["number"] is False


def test_changing_only_number_replaces(backend):
    from oci_emulator.values import conform

    implied = backend.schema.resources["random_string"].block.implied_type()
    first = conform({"length": 5, "number": True}, implied)
    prior = backend.apply(
        "random_string", None, backend.plan("random_string", None, first, first).planned, first
    )
    config = conform({"length": 5, "number": False}, implied)
    # Terraform proposes the prior value for `numeric` (computed, unset in config).
    proposed = {**prior, "number": False}
    result = backend.plan("random_string", prior, proposed, config)
    assert (result.planned["number"], result.planned["numeric"]) == (False, False)
    assert ["number"] in result.requires_replace


@pytest.mark.parametrize(
    ("type_name", "config", "path", "detail"),
    [
        ("random_id", {"byte_length": 0}, "byte_length", "value must be at least 1, got: 0"),
        ("random_string", {"length": 0}, "length", "value must be at least 1, got: 0"),
        (
            "random_password",
            {"length": 3, "min_upper": 2, "min_special": 2},
            "length",
            "value must be at least sum of min_upper + min_lower + min_numeric + min_special, "
            "got: 3",
        ),
    ],
)
def test_validation_names_the_attribute_and_value(backend, type_name, config, path, detail):
    [diag] = backend.validate_resource(type_name, config)
    assert diag.summary == "Invalid Attribute Value"
    assert diag.detail == f"Attribute {path} {detail}"
    assert diag.path == [path]


def test_valid_lengths_pass_validation(backend):
    assert backend.validate_resource("random_id", {"byte_length": 1}) == []
    assert backend.validate_resource("random_password", {"length": 4, "min_upper": 4}) == []

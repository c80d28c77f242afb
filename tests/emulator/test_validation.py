"""Provider-side validation rules recovered from the behaviour file's messages."""

from __future__ import annotations

from oci_emulator.validation import validate
from oci_emulator.values import UNKNOWN

RULES = {
    "options.type": (
        'expected options.type to be one of ["DomainNameServer" "SearchDomain"], got <value>'
    ),
    "rules.time_amount": '"rules.time_amount" ("<value>") must be a 64-bit integer',
    "source": "cannot get file information for the specified source: <value>",
    "metadata": "Could not convert 'metadata' to map during validation.",
}


def test_one_of_checks_each_nested_element_with_its_path():
    config = {"options": [{"type": "SearchDomain"}, {"type": "Nope"}]}
    (problem,) = validate(RULES, config)
    assert problem.path == ["options", 1, "type"]
    assert problem.message == (
        'expected options.type to be one of ["DomainNameServer" "SearchDomain"], got Nope'
    )


def test_int64_rule():
    assert validate(RULES, {"rules": [{"time_amount": "12"}]}) == []
    (problem,) = validate(RULES, {"rules": [{"time_amount": str(2**63)}]})
    assert problem.message == f'"rules.time_amount" ("{2**63}") must be a 64-bit integer'


def test_source_file_must_exist(tmp_path):
    present = tmp_path / "f.txt"
    present.write_text("x")
    assert validate(RULES, {"source": str(present)}) == []
    (problem,) = validate(RULES, {"source": str(tmp_path / "missing")})
    assert problem.message.endswith(str(tmp_path / "missing"))
    assert validate(RULES, {"source": "relative/unknowable.txt"}) == []


def test_null_unknown_and_unrecoverable_rules_pass():
    assert validate(RULES, {"options": [{"type": None}, {"type": UNKNOWN}]}) == []
    assert validate(RULES, {"metadata": {"a": "b"}}) == []
    assert validate(RULES, None) == []

"""The inventory matcher catches the differences the module tests rely on it to catch."""

import tf_support as tfs


def test_mismatch_reports_a_wrong_value_a_missing_key_and_a_wrong_length():
    actual = {"a": {"b": 1, "c": [1, 2]}}
    assert tfs.mismatches({"a": {"b": 1}}, actual) == []
    assert tfs.mismatches({"a": {"b": 2}}, actual) == [".a.b: expected 2, got 1"]
    assert tfs.mismatches({"a": {"x": 1}}, actual) == [".a.x: missing"]
    assert tfs.mismatches({"a": {"c": [1]}}, actual)


def test_lists_match_in_any_order_but_each_item_once():
    rules = [{"destination": "10.0.0.0/8", "port": 1}, {"destination": "0.0.0.0/0", "port": 2}]
    assert tfs.mismatches([{"port": 2}, {"port": 1}], rules) == []
    assert tfs.mismatches([{"port": 2}, {"port": 2}], rules)


def test_regex_strings_match_whole_values():
    assert tfs.mismatches("re:galley-[a-z0-9]{8}", "galley-abcd1234") == []
    assert tfs.mismatches("re:galley-[a-z0-9]{8}", "galley-abcd12345")


def test_placeholders_are_substituted_from_the_context():
    context = {"network": {"subnet": "ocid1.subnet.x"}, "n": 3}
    assert tfs.substitute({"s": "{{ network.subnet }}", "k": ["id={{ n }}"]}, context) == {
        "s": "ocid1.subnet.x",
        "k": ["id=3"],
    }

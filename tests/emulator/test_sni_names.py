"""Which SNI names a gateway's own certificate answers (RFC 6125 6.4.3: a wildcard stands for
exactly one left-most label)."""

import pytest
from oci_emulator.dataplane.listeners import covers


@pytest.mark.parametrize(
    ("names", "host", "expected"),
    [
        (("mcp.example.com",), "mcp.example.com", True),
        (("MCP.Example.com",), "mcp.example.COM.", True),
        (("*.example.com",), "mcp.example.com", True),
        (("*.example.com",), "a.mcp.example.com", False),
        (("*.example.com",), "example.com", False),
        (("mcp.example.com",), "other.example.com", False),
        ((), "mcp.example.com", False),
        (("other.test", "mcp.example.com"), "mcp.example.com", True),
    ],
)
def test_covers(names, host, expected):
    assert covers(names, host) is expected

"""Claude Code (pinned in tests/clients) against a real `python -m galley` that holds two token
digests, as during a rotation: `claude mcp add` in the header form and in the query form, then
`claude mcp list` must show each as connected; with a token the runtime does not hold it must
report the refusal, and must not look for an OAuth server or register itself as a client.

Claude Code runs offline (tests/clients/claude_code.py): every connection it opens to anything
but 127.0.0.1 lands on a counting listener, and the tests assert that none did.
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "clients"))
from claude_code import CONNECTED, ClaudeCode

OLD = "tok-claude-code-old-0123456789abcdef"
NEW = "tok-claude-code-new-0123456789abcdef"
RETIRED = "tok-claude-code-retired-0123456789ab"
# As in test_real_clients.py: Galley's access log, one request a line (the query is masked).
ACCESS_LINE = re.compile(r'"(?P<method>[A-Z]+) (?P<path>[^?\s]+)\S* HTTP/1\.1" (?P<status>\d{3})')


def access_log(server) -> list[tuple[str, str, int]]:
    lines = (ACCESS_LINE.search(line) for line in server.logs().splitlines())
    return [(m["method"], m["path"], int(m["status"])) for m in lines if m]


def is_oauth_probe(path: str) -> bool:
    return "/.well-known/" in path or path in {"/register", "/authorize", "/token"}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@pytest.fixture(scope="module")
def rotating_galley(start_shared):
    """Galley given only the digests of two valid tokens (the retired one is not among them)."""
    return start_shared(GALLEY_URL_TOKEN_SHA256=f"{digest(OLD)},{digest(NEW)}")


@pytest.fixture
def claude(tmp_path: Path) -> Iterator[ClaudeCode]:
    client = ClaudeCode(tmp_path / "home")
    yield client
    assert client.proxy.connections == 0, "Claude Code tried to reach a host other than 127.0.0.1"
    client.close()


def test_header_and_query_forms_connect_with_either_valid_token(rotating_galley, claude):
    mcp = f"{rotating_galley.base_url}/mcp"
    before = len(access_log(rotating_galley))
    claude.add("header-old", mcp, bearer=OLD)
    claude.add("header-new", mcp, bearer=NEW)
    claude.add("query-new", f"{mcp}?token={NEW}")
    assert claude.statuses() == {
        "header-old": CONNECTED,
        "header-new": CONNECTED,
        "query-new": CONNECTED,
    }
    requests = access_log(rotating_galley)[before:]
    assert requests and {status for *_, status in requests} == {200}, requests


def test_a_retired_token_is_reported_without_oauth_discovery(rotating_galley, claude):
    mcp = f"{rotating_galley.base_url}/mcp"
    before = len(access_log(rotating_galley))
    claude.add("header-retired", mcp, bearer=RETIRED)
    claude.add("query-retired", f"{mcp}?token={RETIRED}")
    statuses = claude.statuses()
    # Header form: Claude Code says the server refused the header (no OAuth fallback then).
    assert statuses["header-retired"].startswith("✘ Failed to connect"), statuses
    assert "HTTP 403" in statuses["header-retired"]
    assert "not one of this deployment's" in statuses["header-retired"]
    # Query form: Claude Code marks it as needing sign-in, but starts none (see the log).
    assert statuses["query-retired"] != CONNECTED, statuses
    requests = access_log(rotating_galley)[before:]
    assert requests, rotating_galley.logs()  # the access log really ran
    assert not [r for r in requests if is_oauth_probe(r[1])], requests
    assert {(method, path, status) for method, path, status in requests} == {
        ("POST", "/mcp", 403)
    }, requests

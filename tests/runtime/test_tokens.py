"""Several valid tokens at once (rotation), the token in an `Authorization: Bearer` header, and
the digests that must never open the server."""

import hashlib
import socket

import pytest

from galley.settings import SettingsError, load_settings
from galley.url_token import token_matches, token_sha256

OLD = "old-generation-token-0123456789ab"
NEW = "new-generation-token-0123456789ab"
RETIRED = "retired-token-0123456789abcdefgh"
TOKEN = "tok-0123456789abcdef-runtime-tests"
SHORT = "short-token"  # 11 characters: below the minimum
INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "token-test", "version": "1"},
    },
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def settings_error(tmp_path, value: str) -> str:
    with pytest.raises(SettingsError) as caught:
        load_settings({"GALLEY_URL_TOKEN_SHA256": value, "GALLEY_DATA_DIR": str(tmp_path / "d")})
    return str(caught.value)


def test_several_digests_are_all_valid(tmp_path):
    settings = load_settings(
        {
            "GALLEY_URL_TOKEN_SHA256": f"{digest(OLD)},{digest(NEW)}",
            "GALLEY_DATA_DIR": str(tmp_path / "data"),
        }
    )
    assert settings.url_token_digests == (token_sha256(OLD), token_sha256(NEW))
    for token in (OLD, NEW):
        assert token_matches(token, settings.url_token_digests)
    assert not token_matches(RETIRED, settings.url_token_digests)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (f"{digest(OLD)},", "GALLEY_URL_TOKEN_SHA256 item 2 of 2 is empty"),
        (f",{digest(OLD)}", "GALLEY_URL_TOKEN_SHA256 item 1 of 2 is empty"),
        (f"{digest(OLD)},,{digest(NEW)}", "GALLEY_URL_TOKEN_SHA256 item 2 of 3 is empty"),
        (",", "GALLEY_URL_TOKEN_SHA256 item 1 of 2 is empty"),
        (
            f"{digest(OLD)},{digest(NEW)},{digest(OLD)}",
            "GALLEY_URL_TOKEN_SHA256 lists the same digest twice (items 1 and 3)",
        ),
        (
            f"{digest(OLD)},{digest(OLD).upper()}",
            "GALLEY_URL_TOKEN_SHA256 lists the same digest twice (items 1 and 2)",
        ),
        (
            f"{digest(OLD)}, {digest(NEW)}",
            "GALLEY_URL_TOKEN_SHA256 item 2 of 2 is not a SHA-256 digest (65 characters)",
        ),
        (
            f"{digest(OLD)};{digest(NEW)}",
            "GALLEY_URL_TOKEN_SHA256 is not a SHA-256 digest (129 characters)",
        ),
        (digest(""), "GALLEY_URL_TOKEN_SHA256 is the SHA-256 of an empty token"),
        (
            f"{digest(OLD)},{digest('')}",
            "GALLEY_URL_TOKEN_SHA256 item 2 of 2 is the SHA-256 of an empty token",
        ),
    ],
    ids=[
        "trailing-comma",
        "leading-comma",
        "empty-middle",
        "only-comma",
        "duplicate",
        "duplicate-case",
        "space",
        "semicolon",
        "empty-token",
        "empty-token-among-others",
    ],
)
def test_bad_digest_lists_are_refused_naming_the_variable(tmp_path, value, expected):
    message = settings_error(tmp_path, value)
    assert expected in message
    assert "\n" not in message
    for item in value.split(","):
        if item.strip():
            assert item.strip().lower() not in message.lower()


def test_cli_refuses_an_empty_token_digest_in_one_line(cli, tmp_path):
    done = cli(GALLEY_URL_TOKEN_SHA256=digest(""), GALLEY_DATA_DIR=str(tmp_path / "data"))
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("galley: error: GALLEY_URL_TOKEN_SHA256 is the SHA-256 of an empty")
    assert not (tmp_path / "data").exists()


def test_short_tokens_never_match_even_when_their_digest_is_configured():
    """GALLEY_URL_TOKEN_SHA256 cannot show how long its token is: the length is checked on every
    request instead."""
    digests = (token_sha256(SHORT), token_sha256("x" * 15), token_sha256(TOKEN))
    assert not token_matches(SHORT, digests)
    assert not token_matches("x" * 15, digests)
    assert token_matches(TOKEN, digests)


@pytest.fixture(scope="module")
def rotating(start_shared):
    """A server that accepts two tokens, as during a rotation; also the digest of a short one."""
    return start_shared(GALLEY_URL_TOKEN_SHA256=",".join([digest(OLD), digest(NEW), digest(SHORT)]))


def post(server, query: str = "", **headers: str) -> tuple[int, dict, str]:
    response = server.http.post(
        f"/mcp{query}", json=INIT, headers={**MCP_HEADERS, **headers}, timeout=30
    )
    return response.status_code, dict(response.headers), response.text


@pytest.mark.parametrize("token", [OLD, NEW])
@pytest.mark.parametrize("transport", ["query", "header", "both"])
def test_every_valid_token_works_in_the_query_and_the_header(rotating, token, transport):
    query = f"?token={token}" if transport in ("query", "both") else ""
    headers = {"Authorization": f"Bearer {token}"} if transport in ("header", "both") else {}
    status, _, text = post(rotating, query, **headers)
    assert status == 200, text


@pytest.mark.parametrize("authorization", ["bearer NEW", "BEARER NEW", "Bearer   NEW"])
def test_the_bearer_scheme_is_case_insensitive(rotating, authorization):
    status, _, text = post(rotating, Authorization=authorization.replace("NEW", NEW))
    assert status == 200, text


def test_two_valid_tokens_at_once_are_accepted(rotating):
    """Both transports at once, each with a token still valid (mid-rotation): both are checked."""
    status, _, _ = post(rotating, f"?token={OLD}", Authorization=f"Bearer {NEW}")
    assert status == 200


@pytest.mark.parametrize(
    ("query", "authorization", "reason"),
    [
        ("", None, "missing token"),
        ("", f"Bearer {RETIRED}", "is not one of this deployment's"),
        ("", f"Bearer {SHORT}", "is not one of this deployment's"),  # its digest is configured
        ("?token=SHORT", None, "is not one of this deployment's"),
        ("", "Bearer", "is not one of this deployment's"),
        ("", f"Basic {NEW}", "scheme is not Bearer"),
        ("", NEW, "scheme is not Bearer"),
        ("", f"Token {NEW}", "scheme is not Bearer"),
        (f"?token={NEW}", f"Bearer {RETIRED}", "is not one of this deployment's"),
        (f"?token={RETIRED}", f"Bearer {NEW}", "is not one of this deployment's"),
        (f"?token={NEW}", f"Basic {NEW}", "scheme is not Bearer"),
        (f"?token={NEW}&token={OLD}", None, "more than once"),
    ],
)
def test_wrong_missing_or_ambiguous_credentials_get_403_without_a_challenge(
    rotating, query, authorization, reason
):
    headers = {} if authorization is None else {"Authorization": authorization}
    status, headers_back, text = post(rotating, query.replace("SHORT", SHORT), **headers)
    assert status == 403
    assert reason in text
    assert "www-authenticate" not in {name.lower() for name in headers_back}


def test_two_authorization_headers_are_refused(rotating):
    request = (
        f"POST /mcp HTTP/1.1\r\nHost: galley\r\nAuthorization: Bearer {NEW}\r\n"
        f"Authorization: Bearer {OLD}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", rotating.port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):  # Connection: close: read until the server closes
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 403"), answer
    assert b"more than once" in answer


def test_health_needs_no_token_and_ignores_a_wrong_header(rotating):
    response = rotating.http.get("/health", headers={"Authorization": "Basic nope"})
    assert response.status_code == 200


def test_header_tokens_never_reach_the_logs(start):
    """Accepted, refused, misspelt, on a malformed request: the header's token is never logged."""
    server = start(GALLEY_URL_TOKEN_SHA256=f"{digest(OLD)},{digest(NEW)}")
    for token in (OLD, NEW):
        assert post(server, Authorization=f"Bearer {token}")[0] == 200
    assert post(server, Authorization=f"Basic {NEW}")[0] == 403
    assert post(server, Authorization=f"Bearer {NEW[:-1]}")[0] == 403
    assert post(server, Authorization=f"Bearer {NEW}x")[0] == 403
    assert (
        server.http.get("/nowhere", headers={"Authorization": f"Bearer {NEW}"}).status_code == 404
    )
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        # A header h11 refuses (a space before the colon): uvicorn answers 400.
        sock.sendall(
            f"GET /mcp HTTP/1.1\r\nHost: x\r\nAuthorization : Bearer {NEW}\r\n\r\n".encode()
        )
        assert sock.recv(1024).startswith(b"HTTP/1.1 400")
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        # A body that is not JSON, sent with the right header: the SDK answers an error.
        body = b"{not json"
        sock.sendall(
            (
                f"POST /mcp HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {NEW}\r\n"
                "Content-Type: application/json\r\nAccept: application/json, text/event-stream\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            ).encode()
            + body
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 4")
    server.stop()
    logs = server.logs()
    assert 'POST /mcp HTTP/1.1" 200' in logs  # the access log ran
    assert 'POST /mcp HTTP/1.1" 403' in logs
    for secret in (OLD, NEW, NEW[:-1], NEW[4:20]):
        assert secret not in logs

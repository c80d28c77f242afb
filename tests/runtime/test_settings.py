"""Settings parsing, and how the CLI reports bad settings."""

import hashlib
import socket
from pathlib import Path

import pytest

from galley.settings import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_SHUTDOWN_GRACE_SECONDS,
    SettingsError,
    load_settings,
)
from galley.url_token import token_sha256

TOKEN = "0123456789abcdef"  # exactly the minimum length
TOKEN_SHA256 = hashlib.sha256(TOKEN.encode()).hexdigest()


def env_for(tmp_path: Path, **overrides: str) -> dict[str, str]:
    env = {"GALLEY_URL_TOKEN": TOKEN, "GALLEY_DATA_DIR": str(tmp_path / "data")}
    env.update(overrides)
    return env


def test_defaults_and_data_dir_created(tmp_path):
    data_dir = tmp_path / "a" / "b" / "data"
    settings = load_settings(env_for(tmp_path, GALLEY_DATA_DIR=str(data_dir)))
    assert settings.host == DEFAULT_HOST
    assert settings.port == DEFAULT_PORT
    assert settings.data_dir == data_dir
    assert data_dir.is_dir()
    assert settings.url_token_digests == (hashlib.sha256(TOKEN.encode()).digest(),)
    assert settings.allowed_origins == frozenset()
    assert settings.shutdown_grace_seconds == DEFAULT_SHUTDOWN_GRACE_SECONDS
    assert TOKEN not in repr(settings)


def test_explicit_values(tmp_path):
    settings = load_settings(
        env_for(
            tmp_path,
            GALLEY_HOST="127.0.0.1",
            GALLEY_PORT="9001",
            GALLEY_ALLOWED_ORIGINS="https://a.example.com, http://localhost:6274",
            GALLEY_SHUTDOWN_GRACE_SECONDS="2.5",
        )
    )
    assert (settings.host, settings.port) == ("127.0.0.1", 9001)
    assert settings.allowed_origins == {"https://a.example.com", "http://localhost:6274"}
    assert settings.shutdown_grace_seconds == 2.5


# Each would be mangled or cut off on its way through a URL: '+' reads as a space, '&' and '#'
# end the value, '%' starts an escape.
@pytest.mark.parametrize(
    "bad", ["\n", " ", "+", "/", "%41", "&x=1", "#", "=", "\u00e9", "\x00", "'", ":"]
)
def test_token_must_be_url_safe(tmp_path, bad):
    token = TOKEN + bad
    with pytest.raises(SettingsError) as caught:
        load_settings(env_for(tmp_path, GALLEY_URL_TOKEN=token))
    message = str(caught.value)
    assert message == (
        "GALLEY_URL_TOKEN contains characters that are not URL-safe; "
        "expected only letters, digits, '.', '_', '~' and '-'"
    )
    assert TOKEN not in message


def test_every_url_safe_character_is_accepted(tmp_path):
    token = "AZaz09._~-" + TOKEN
    settings = load_settings(env_for(tmp_path, GALLEY_URL_TOKEN=token))
    assert settings.url_token_digests == (hashlib.sha256(token.encode()).digest(),)


@pytest.mark.parametrize("digest", [TOKEN_SHA256, TOKEN_SHA256.upper()], ids=["lower", "upper"])
def test_the_token_digest_can_stand_for_the_token(tmp_path, digest):
    from_digest = load_settings(
        {"GALLEY_URL_TOKEN_SHA256": digest, "GALLEY_DATA_DIR": str(tmp_path / "data")}
    )
    from_token = load_settings(env_for(tmp_path))
    assert from_digest == from_token
    assert from_digest.url_token_digests == (bytes.fromhex(TOKEN_SHA256),)
    assert TOKEN_SHA256 not in repr(from_digest).lower()


@pytest.mark.parametrize(
    "token",
    [TOKEN, "AZaz09._~-" + TOKEN, "tok-0123456789abcdef-runtime-tests", "x" * 200],
)
def test_the_digest_is_terraforms_sha256_of_the_token(token):
    """The container-instance module passes Terraform's `sha256(token)`: the lowercase hex of the
    token's UTF-8 bytes, which is what hashlib gives."""
    assert token_sha256(token).hex() == hashlib.sha256(token.encode("utf-8")).hexdigest()


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"GALLEY_URL_TOKEN": TOKEN, "GALLEY_URL_TOKEN_SHA256": TOKEN_SHA256},
            "GALLEY_URL_TOKEN and GALLEY_URL_TOKEN_SHA256 are both set; expected exactly one",
        ),
        ({}, "GALLEY_URL_TOKEN is not set, nor GALLEY_URL_TOKEN_SHA256; expected one of them"),
        (
            {"GALLEY_URL_TOKEN_SHA256": TOKEN_SHA256[:-1]},
            "GALLEY_URL_TOKEN_SHA256 is not a SHA-256 digest (63 characters); expected 64 "
            "hexadecimal digits",
        ),
        (
            {"GALLEY_URL_TOKEN_SHA256": TOKEN_SHA256 + "0"},
            "GALLEY_URL_TOKEN_SHA256 is not a SHA-256 digest (65 characters)",
        ),
        (
            {"GALLEY_URL_TOKEN_SHA256": "g" + TOKEN_SHA256[1:]},
            "GALLEY_URL_TOKEN_SHA256 is not a SHA-256 digest (64 characters)",
        ),
        (
            {"GALLEY_URL_TOKEN_SHA256": f" {TOKEN_SHA256[1:]}"},
            "GALLEY_URL_TOKEN_SHA256 is not a SHA-256 digest (64 characters)",
        ),
        (
            # The token itself where its digest is expected.
            {"GALLEY_URL_TOKEN_SHA256": TOKEN},
            "GALLEY_URL_TOKEN_SHA256 is not a SHA-256 digest (16 characters)",
        ),
    ],
    ids=["both", "neither", "short", "long", "not-hex", "space", "token-as-digest"],
)
def test_cli_names_the_token_variables_and_never_their_values(cli, tmp_path, settings, expected):
    done = cli(GALLEY_DATA_DIR=str(tmp_path / "data"), **settings)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith("galley: error: ")
    assert expected in line
    for value in settings.values():
        assert value.strip() not in line
    assert TOKEN not in line
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("GALLEY_URL_TOKEN", "", "GALLEY_URL_TOKEN is not set, nor GALLEY_URL_TOKEN_SHA256"),
        ("GALLEY_URL_TOKEN", "x" * 15, "TOKEN is 15 characters long; expected at least 16"),
        ("GALLEY_PORT", "http", "GALLEY_PORT='http' is not a whole number"),
        ("GALLEY_PORT", "0", "GALLEY_PORT='0' is out of range"),
        ("GALLEY_PORT", "65536", "GALLEY_PORT='65536' is out of range"),
        ("GALLEY_DATA_DIR", "relative/dir", "GALLEY_DATA_DIR='relative/dir' is relative"),
        ("GALLEY_ALLOWED_ORIGINS", "https://ok.example.com,ftp://x", "has 'ftp://x'"),
        ("GALLEY_ALLOWED_ORIGINS", "https://x.example.com/p", "has 'https://x.example.com/p'"),
        ("GALLEY_SHUTDOWN_GRACE_SECONDS", "soon", "GRACE_SECONDS='soon' is invalid"),
        ("GALLEY_SHUTDOWN_GRACE_SECONDS", "301", "GRACE_SECONDS='301' is invalid"),
        ("GALLEY_SHUTDOWN_GRACE_SECONDS", "nan", "GRACE_SECONDS='nan' is invalid"),
    ],
)
def test_invalid_values_are_named(tmp_path, name, value, expected):
    with pytest.raises(SettingsError) as caught:
        load_settings(env_for(tmp_path, **{name: value}))
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert TOKEN not in message


def test_data_dir_that_cannot_be_created(tmp_path):
    # A path below a regular file fails even for root (tests and CI run as root).
    blocker = tmp_path / "blocker"
    blocker.write_text("not a directory")
    with pytest.raises(
        SettingsError, match=r"GALLEY_DATA_DIR='.*/blocker/data' is unusable: cannot"
    ):
        load_settings(env_for(tmp_path, GALLEY_DATA_DIR=str(blocker / "data")))


def test_data_dir_that_is_a_file(tmp_path):
    target = tmp_path / "file"
    target.write_text("")
    with pytest.raises(SettingsError, match="is unusable"):
        load_settings(env_for(tmp_path, GALLEY_DATA_DIR=str(target)))


def test_bad_settings_are_not_touching_the_data_dir(tmp_path):
    data_dir = tmp_path / "never-created"
    with pytest.raises(SettingsError):
        load_settings(env_for(tmp_path, GALLEY_DATA_DIR=str(data_dir), GALLEY_PORT="x"))
    assert not data_dir.exists()


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, "GALLEY_URL_TOKEN is not set, nor GALLEY_URL_TOKEN_SHA256"),
        ({"GALLEY_URL_TOKEN": "short-token"}, "GALLEY_URL_TOKEN is 11 characters long"),
        ({"GALLEY_URL_TOKEN": TOKEN, "GALLEY_PORT": "eighty"}, "GALLEY_PORT='eighty'"),
        (
            {"GALLEY_URL_TOKEN": TOKEN, "GALLEY_PORT": "99999"},
            "GALLEY_PORT='99999' is out of range",
        ),
        (
            {"GALLEY_URL_TOKEN": TOKEN, "GALLEY_DATA_DIR": "UNDER_FILE"},
            "is unusable: cannot create",
        ),
    ],
)
def test_cli_reports_bad_settings_in_one_line(cli, tmp_path, settings, expected):
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    settings = {"GALLEY_DATA_DIR": str(tmp_path / "data"), **settings}
    if settings["GALLEY_DATA_DIR"] == "UNDER_FILE":
        settings["GALLEY_DATA_DIR"] = str(blocker / "data")
    done = cli(**settings)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("galley: error: ")
    assert expected in lines[0]


def test_cli_version(cli):
    from galley import __version__

    done = cli("--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"galley {__version__}"


def test_cli_reports_a_port_in_use(cli, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = cli(
            GALLEY_URL_TOKEN=TOKEN,
            GALLEY_HOST="127.0.0.1",
            GALLEY_PORT=str(port),
            GALLEY_DATA_DIR=str(tmp_path / "data"),
        )
    assert done.returncode == 3
    assert "address already in use" in done.stderr
    assert "Traceback" not in done.stderr

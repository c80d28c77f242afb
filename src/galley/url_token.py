"""The URL token: how it is hashed and compared (stdlib only, like the settings that use it)."""

import hashlib
import hmac

TOKEN_PARAM = "token"  # noqa: S105 - the query parameter's name, not a secret
SHA256_HEX_LENGTH = 64
# Shorter tokens are refused at start (GALLEY_URL_TOKEN) and on every request, so that a digest
# of a short or empty value (GALLEY_URL_TOKEN_SHA256 cannot show the token's length) never opens
# the server.
MIN_TOKEN_LENGTH = 16


def token_sha256(token: str) -> bytes:
    """The SHA-256 of the token's UTF-8 bytes: what GALLEY_URL_TOKEN_SHA256 holds, in hex.

    The same value as Terraform's `sha256(token)` (lowercase hex of the UTF-8 bytes), so the
    container-instance module can put only the digest in the instance's environment.
    """
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


EMPTY_TOKEN_SHA256 = token_sha256("")


def token_matches(given: str, expected: tuple[bytes, ...]) -> bool:
    """Whether `given` is one of the tokens whose SHA-256 digests are `expected`.

    Fixed-length digests are compared in constant time, against every expected digest whatever
    the earlier ones gave: the time depends neither on where the given value first differs, nor
    on its length, nor on which of the valid tokens it is. The runtime never holds a token.
    """
    given_sha256 = token_sha256(given)
    matched = False
    for digest in expected:
        matched |= hmac.compare_digest(given_sha256, digest)
    # The length is the caller's own knowledge, so checking it after the comparisons leaks
    # nothing; it stops a short token whose digest was configured from ever passing.
    return matched and len(given) >= MIN_TOKEN_LENGTH

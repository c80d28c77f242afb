"""The URL token: how it is hashed and compared (stdlib only, like the settings that use it)."""

import hashlib
import hmac

TOKEN_PARAM = "token"  # noqa: S105 - the query parameter's name, not a secret
SHA256_HEX_LENGTH = 64


def token_sha256(token: str) -> bytes:
    """The SHA-256 of the token's UTF-8 bytes: what GALLEY_URL_TOKEN_SHA256 holds, in hex.

    The same value as Terraform's `sha256(token)` (lowercase hex of the UTF-8 bytes), so the
    container-instance module can put only the digest in the instance's environment.
    """
    return hashlib.sha256(token.encode("utf-8", "surrogateescape")).digest()


def token_matches(given: str, expected_sha256: bytes) -> bool:
    # Comparing fixed-length digests in constant time: the time depends neither on where the
    # given value first differs nor on its length, and the runtime never holds the token itself.
    return hmac.compare_digest(token_sha256(given), expected_sha256)

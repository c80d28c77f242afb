"""Allowed values of enum-like arguments, read from the provider's own validators.

The behaviour file lists the real provider's "expected X to be one of [...]" messages; the rules
take the allowed values from there instead of keeping a second, drifting copy.
"""

from __future__ import annotations

from functools import cache

from oci_emulator.schema import OCI, load_provider_schema
from oci_emulator.validation import one_of

from .errors import invalid


@cache
def allowed(type_: str, path: str) -> tuple[str, ...] | None:
    """Values the provider accepts at ``path`` (dotted), or None when it states no list."""
    message = load_provider_schema(OCI.source).validations(type_).get(path)
    values = one_of(message) if message else None
    return tuple(values) if values is not None else None


def require_one_of(type_: str, path: str, value: object) -> None:
    """400 naming the value and the allowed ones when ``value`` is not among them."""
    values = allowed(type_, path)
    if values is not None and value not in values:
        raise invalid(f"{path} {value!r} is invalid (expected one of: {', '.join(values)})")

"""Provider-side validation (ValidateResourceConfig) from the behaviour file's messages.

The real provider's validators are not in the schema; the behaviour file lists, per attribute
path, the message the provider prints with `<value>` where the offending value goes. The check is
recovered from the message's shape: "to be one of [...]", "must be a 64-bit integer",
"cannot get file information" (a local file that must exist).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from oci_emulator.values import Unknown

_ONE_OF = re.compile(r"to be one of \[(.*)\], got <value>")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_INT64 = re.compile(r"must be a 64-bit integer")
_FILE = re.compile(r"cannot get file information")


@dataclass
class Problem:
    path: list[str | int]
    message: str


def one_of(message: str) -> list[str] | None:
    """The values a "to be one of [...]" message allows (None for other messages)."""
    match = _ONE_OF.search(message)
    return _QUOTED.findall(match.group(1)) if match else None


def _check(message: str, value: Any) -> bool:
    """True when the value passes the validator the message describes."""
    allowed = one_of(message)
    if allowed is not None:
        return str(value) in allowed
    if _INT64.search(message):
        try:
            number = int(str(value))
        except ValueError:
            return False
        return -(2**63) <= number < 2**63
    if _FILE.search(message):
        # Relative paths are Terraform-working-directory relative, which a reattached emulator
        # does not know; only absolute ones can be checked.
        return not os.path.isabs(str(value)) or os.path.exists(str(value))
    return True  # a message whose rule cannot be recovered never fails


def _walk(value: Any, segments: list[str], path: list[str | int]) -> list[tuple[list, Any]]:
    if value is None or isinstance(value, Unknown):
        return []
    if not segments:
        return [(path, value)]
    if isinstance(value, list):
        found = []
        for i, element in enumerate(value):
            found.extend(_walk(element, segments, [*path, i]))
        return found
    if isinstance(value, dict):
        return _walk(value.get(segments[0]), segments[1:], [*path, segments[0]])
    return []


def validate(rules: dict[str, str], config: dict[str, Any] | None) -> list[Problem]:
    problems: list[Problem] = []
    if not config:
        return problems
    for dotted, message in sorted(rules.items()):
        for path, value in _walk(config, dotted.split("."), []):
            if isinstance(value, dict | list):
                continue
            if not _check(message, value):
                problems.append(Problem(path, message.replace("<value>", str(value))))
    return problems

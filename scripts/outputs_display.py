"""How deploy-local prints Terraform outputs (both its plain and its Terragrunt form): sorted,
one `name = <json>` line each, sensitive values masked unless asked for."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

_TOKEN_IN_URL = re.compile(r"(token=)[^&\s'\"]+")


def redact(text: str) -> str:
    """`text` with every URL token (token=...) replaced by asterisks."""
    return _TOKEN_IN_URL.sub(r"\1********", text)


def masked(value: object) -> object:
    """A sensitive output for display: a URL keeps all but its token, anything else is hidden."""
    if isinstance(value, str) and _TOKEN_IN_URL.search(value):
        return redact(value)
    return "********"


def print_outputs(outputs: Mapping[str, Mapping[str, Any]], *, show_sensitive: bool) -> None:
    """`outputs` as `terraform output -json` gives them ({name: {value, sensitive}})."""
    for name, output in sorted(outputs.items()):
        value = output["value"]
        if output.get("sensitive") and not show_sensitive:
            value = masked(value)
        print(f"{name} = {json.dumps(value)}")

"""Variables and outputs tables of a module README, generated from its .tf files.

`uv run python tests/modules/tfdoc.py modules/network [--write]` prints (or writes between the
README's `<!-- BEGIN TFDOC -->` / `<!-- END TFDOC -->` markers) the tables; the README test fails
when a README is out of date.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

BEGIN = "<!-- BEGIN TFDOC -->"
END = "<!-- END TFDOC -->"
_BLOCK = re.compile(r'^(variable|output) "([^"]+)" \{\n(.*?)^\}', re.MULTILINE | re.DOTALL)
_OPENERS = {"(": ")", "{": "}", "[": "]"}


@dataclass(frozen=True)
class Item:
    kind: str
    name: str
    description: str
    type: str = ""
    default: str | None = None
    sensitive: bool = False


def _attribute(body: str, name: str) -> str | None:
    """Raw text of a top-level attribute of a block body, brackets balanced, whitespace folded."""
    match = re.search(rf"^  {name}\s*=\s*", body, re.MULTILINE)
    if match is None:
        return None
    text, depth, out, quoted = body[match.end() :], [], [], False
    for i, char in enumerate(text):
        if char == '"' and (i == 0 or text[i - 1] != "\\"):
            quoted = not quoted
        elif not quoted and char in _OPENERS:
            depth.append(_OPENERS[char])
        elif not quoted and depth and char == depth[-1]:
            depth.pop()
        elif char == "\n" and not depth and not quoted:
            break
        out.append(char)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def parse(module_dir: Path) -> list[Item]:
    items = []
    for name in ("variables.tf", "outputs.tf"):
        for kind, item_name, body in _BLOCK.findall((module_dir / name).read_text()):
            description = _attribute(body, "description") or '""'
            items.append(
                Item(
                    kind=kind,
                    name=item_name,
                    description=json.loads(description),
                    type=_attribute(body, "type") or "",
                    default=_attribute(body, "default"),
                    sensitive=_attribute(body, "sensitive") == "true",
                )
            )
    return items


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def tables(module_dir: Path) -> str:
    items = parse(module_dir)
    lines = [
        "## Variables",
        "",
        "| name | description | type | required | default |",
        "|---|---|:---:|:---:|:---:|",
    ]
    variables = sorted(
        (i for i in items if i.kind == "variable"), key=lambda i: (i.default is not None, i.name)
    )
    for var in variables:
        required = "✓" if var.default is None else ""
        default = "" if var.default is None else f"<code>{_cell(var.default)}</code>"
        lines.append(
            f"| `{var.name}` | {_cell(var.description)} | <code>{_cell(var.type)}</code> "
            f"| {required} | {default} |"
        )
    lines += ["", "## Outputs", "", "| name | description | sensitive |", "|---|---|:---:|"]
    for out in (i for i in items if i.kind == "output"):
        lines.append(
            f"| `{out.name}` | {_cell(out.description)} | {'✓' if out.sensitive else ''} |"
        )
    return "\n".join(lines) + "\n"


def readme_tables(readme: str) -> str:
    """The generated part of a README (between the markers)."""
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    return readme[start:end].strip("\n") + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("module_dir", type=Path)
    parser.add_argument("--write", action="store_true", help="update the README in place")
    args = parser.parse_args()
    generated = tables(args.module_dir)
    if not args.write:
        sys.stdout.write(generated)
        return 0
    readme_path = args.module_dir / "README.md"
    readme = readme_path.read_text()
    start, end = readme.index(BEGIN) + len(BEGIN), readme.index(END)
    readme_path.write_text(readme[:start] + "\n\n" + generated + "\n" + readme[end:])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

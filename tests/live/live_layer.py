"""Working copies of the live layer: runs write caches, state and lock files beside the units."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# What a run of the live layer reads: the root, the environments, the modules, the pins.
LAYER = ("root.hcl", "mise.toml", "live", "modules")
# The last commit whose live/ had the container instance and the gateway in two units (two
# states), as environments applied before the service unit have it (live/README.md, "Upgrading
# from the two-unit layout").
TWO_UNIT_COMMIT = "19a040d4f9c2d664d4abb067f7750b70652487e7"
_IGNORED = shutil.ignore_patterns(
    ".terraform", ".terragrunt-cache", "*.tfstate*", ".terraform.lock.hcl"
)


def copy_layer(dest: Path) -> Path:
    """The live layer as in the repository, in dest."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in LAYER:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=_IGNORED)
        else:
            shutil.copy2(source, dest / name)
    return dest


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a file; `old` must be there (a stale edit fails loudly)."""
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))

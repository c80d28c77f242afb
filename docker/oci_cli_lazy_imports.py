"""Defer the OCI CLI's interactive-mode module until `oci -i` uses it.

Installed into the OCI CLI's venv only (as `_galley_lazy_imports`, imported by a `.pth` file at
each start of that venv's Python). Every `oci` command imports `interactive.cli_interactive`
(`from interactive import cli_interactive` in oci_cli/cli.py and cli_root.py), which pulls in
prompt_toolkit, about 12% of what `oci --version` spends; only `oci -i` calls into it
(`cli_interactive.start_interactive_shell`). importlib's LazyLoader binds the module at once and
runs it on the first attribute access, so `oci -i` still works.

Only leaf modules belong here: a package made lazy is executed again, as a second module
object, when one of its submodules is imported by name first (measured with oci.object_storage:
`import oci.object_storage.transfer.upload_manager` then left `transfer` without the
attribute). And only modules whose import has no side effect a command needs (the CLI's
service modules register their commands when imported).
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

LAZY_MODULES = frozenset({"interactive.cli_interactive"})


class LazyModuleFinder:
    """Meta path finder: the usual spec for LAZY_MODULES, with its loader made lazy."""

    @staticmethod
    def find_spec(
        name: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in LAZY_MODULES:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = importlib.util.LazyLoader(spec.loader)
        return spec


sys.meta_path.insert(0, LazyModuleFinder)

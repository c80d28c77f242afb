"""Settings shared by every test area."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

# The provider schemas live beside the project (never copied into it); CI has them at this path too.
os.environ.setdefault(
    "OCI_EMULATOR_SCHEMA_DIR", str(REPO_ROOT.parent / "shared" / "provider-schemas")
)

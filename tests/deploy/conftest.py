"""The deploy/ tests reuse the module tests' helpers (tests/modules/tf_support.py) and run on
both engines like them (tests/modules/engines.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))

from engines import engine, oci_cloud  # noqa: F401 - fixtures, registered by being here

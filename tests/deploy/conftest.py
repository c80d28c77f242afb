"""The stack tests reuse the module tests' helpers (tests/modules/tf_support.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "modules"))

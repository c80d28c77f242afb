"""Settings shared by every test area."""

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent

# The provider schemas live beside the project (never copied into it); CI has them at this path too.
os.environ.setdefault(
    "OCI_EMULATOR_SCHEMA_DIR", str(REPO_ROOT.parent / "shared" / "provider-schemas")
)

# The emulated cloud keeps OCI's pace (emulator/README.md, "Pace"): tests run it 100 times faster,
# which keeps the order of events. A test that needs another pace sets OCI_EMULATOR_PACE itself.
os.environ.setdefault("OCI_EMULATOR_PACE", "0.01")


# checkov runs in its own environment: its hcl2 fork (bc-python-hcl2) installs the same `hcl2`
# package as python-hcl2, which the Terragrunt contract tests use.
CHECKOV_VERSION = "3.3.30"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `slow` first, the longest first (the sort keeps the collection order
    otherwise). A parallel run that reaches a minutes-long test last ends waiting on it with the
    other workers idle: the rollouts and README examples, collected late, left the last five
    minutes of a 2-core run at about 15% CPU. xdist's loadgroup still hands out its multi-test
    groups (the e2e stacks, the image) before single tests."""

    def minutes(item: pytest.Item) -> float:
        slow = item.get_closest_marker("slow")
        return 0 if slow is None else slow.kwargs.get("minutes", 1)

    items.sort(key=lambda item: -minutes(item))


@pytest.fixture(scope="session")
def checkov_command() -> list[str]:
    return ["uvx", "--quiet", "--from", f"checkov=={CHECKOV_VERSION}", "checkov", "--skip-download"]

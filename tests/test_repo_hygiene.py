"""Repository-wide rules that no single area owns."""

import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


def tracked_files() -> list[Path]:
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [REPO_ROOT / line for line in out.splitlines() if (REPO_ROOT / line).is_file()]


def test_ruff_lint_is_clean() -> None:
    result = subprocess.run(
        ["ruff", "check", "--no-cache", "."], cwd=REPO_ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_is_clean() -> None:
    result = subprocess.run(
        ["ruff", "format", "--check", "--no-cache", "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_provider_schema_is_committed() -> None:
    # The schemas are third-party data read from ../shared; a copy in the repo would drift.
    offenders = [
        str(p.relative_to(REPO_ROOT))
        for p in tracked_files()
        if p.suffix == ".json" and '"provider_schemas"' in p.read_text(errors="ignore")
    ]
    assert offenders == []


@pytest.mark.parametrize("legacy", ["hashicorp/oci"])
def test_hcl_never_names_the_legacy_provider(legacy: str) -> None:
    hcl = [p for p in tracked_files() if p.suffix in {".tf", ".hcl"}]
    assert hcl, "expected Terraform/Terragrunt files in the repo"
    offenders = [str(p.relative_to(REPO_ROOT)) for p in hcl if legacy in p.read_text()]
    assert offenders == []


def _collected(*args: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist", *args],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [line for line in done.stdout.splitlines() if "::" in line]


def test_slow_tests_start_first_longest_first() -> None:
    # tests/conftest.py's ordering, on a file with slow(minutes=2), slow and other tests.
    path = "tests/live/test_run_all.py"
    everything, slow = _collected(path), _collected(path, "-m", "slow")
    assert 0 < len(slow) < len(everything)
    assert set(everything[: len(slow)]) == set(slow)
    assert everything[len(slow) :] == _collected(path, "-m", "not slow")  # in the file's order
    longest = [i for i in everything if "::test_dev_applies_and_destroys_offline" in i]
    assert len(longest) == 2 and everything[:2] == longest  # minutes=2 before minutes=1

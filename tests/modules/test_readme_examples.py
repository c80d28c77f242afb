"""README examples are tests: each ```hcl block that calls a module is planned as written, and the
resources it would create are counted against its `# tftest resources=N` line. The README tables
must match the module's variables and outputs."""

from __future__ import annotations

import re

import pytest
import tf_support as tfs
import tfdoc

_EXAMPLE = re.compile(r"```hcl\n(.*?)```", re.DOTALL)
_EXPECTED = re.compile(r"^# tftest resources=(\d+)\s*$", re.MULTILINE)
# The root a user would write around the example (the modules have no provider block).
_ROOT_PROVIDERS = """
terraform {
  required_providers {
    oci    = { source = "oracle/oci" }
    random = { source = "hashicorp/random" }
  }
}
"""


def _examples() -> list[object]:
    params = []
    for module in tfs.MODULE_NAMES:
        readme = (tfs.MODULES_DIR / module / "README.md").read_text()
        blocks = [b for b in _EXAMPLE.findall(readme) if 'module "' in b]
        params += [pytest.param(module, b, id=f"{module}-{i}") for i, b in enumerate(blocks)]
    return params


@pytest.mark.parametrize("module", tfs.MODULE_NAMES)
def test_readme_has_a_tested_example(module):
    readme = (tfs.MODULES_DIR / module / "README.md").read_text()
    blocks = [b for b in _EXAMPLE.findall(readme) if 'module "' in b]
    assert blocks, f"modules/{module}/README.md has no example"
    assert all(_EXPECTED.search(b) for b in blocks), "every example needs # tftest resources=N"


@pytest.mark.parametrize(("module", "example"), _examples())
def test_readme_example_plans(module, example, plan_cloud, tmp_path):
    root = tfs.copy_sources(tmp_path, "modules")
    (root / "main.tf").write_text(example)
    (root / "providers.tf").write_text(_ROOT_PROVIDERS)
    plan = tfs.terraform(root, plan_cloud.env).plan(output=True)
    created = sum(tfs.plan_summary(plan)["counts"].values())
    assert created == int(_EXPECTED.search(example).group(1))


@pytest.mark.parametrize("module", tfs.MODULE_NAMES)
def test_readme_tables_match_the_code(module):
    module_dir = tfs.MODULES_DIR / module
    assert tfdoc.readme_tables((module_dir / "README.md").read_text()) == tfdoc.tables(
        module_dir
    ), f"regenerate: uv run python tests/modules/tfdoc.py modules/{module} --write"

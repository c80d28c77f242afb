"""README examples are tests: each ```hcl block of a module README is a whole root that a user
pastes. It is applied as written on the emulator, its modules fetched through a `git::` source of
this repository at the release tag the README names (a local file URL stands in for the hosted
one), and what it creates is counted against its `# tftest resources=N` line. The README tables
must match the module's variables and outputs."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib

import pytest
import tf_support as tfs
import tfdoc

_EXAMPLE = re.compile(r"```hcl\n(.*?)```", re.DOTALL)
_EXPECTED = re.compile(r"^# tftest resources=(\d+)\s*$", re.MULTILINE)
# Where the READMEs say the repository is hosted: users replace it with their own host.
HOSTED = "git::https://git.example.com/galley.git"
_SOURCE = re.compile(r'source\s*=\s*"([^"]+)"')
VERSION = tomllib.loads((tfs.REPO_ROOT / "pyproject.toml").read_text())["project"]["version"]
RELEASE_TAG = f"v{VERSION}"
# The root around the example pins providers only: the example brings its provider blocks.
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
        blocks = _EXAMPLE.findall(readme)
        params += [pytest.param(module, b, id=f"{module}-{i}") for i, b in enumerate(blocks)]
    return params


@pytest.fixture(scope="session")
def release_repo(tmp_path_factory):
    """A git repository holding this checkout's modules/ at the release tag, as a user's
    `git::...?ref=vX.Y.Z` would fetch it."""
    repo = tmp_path_factory.mktemp("galley-release") / "galley.git"
    shutil.copytree(tfs.MODULES_DIR, repo / "modules", ignore=shutil.ignore_patterns(".terraform*"))
    git = ["git", "-C", str(repo), "-c", "user.name=test", "-c", "user.email=test@example.com"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "release"], ["tag", RELEASE_TAG]):
        subprocess.run([*git, *args], check=True, capture_output=True)
    return repo


@pytest.mark.parametrize("module", tfs.MODULE_NAMES)
def test_readme_has_an_example_from_a_pinned_git_source(module):
    readme = (tfs.MODULES_DIR / module / "README.md").read_text()
    blocks = _EXAMPLE.findall(readme)
    assert blocks, f"modules/{module}/README.md has no example"
    assert all(_EXPECTED.search(b) for b in blocks), "every example needs # tftest resources=N"
    sources = [s for b in blocks for s in _SOURCE.findall(b)]
    assert f"{HOSTED}//modules/{module}?ref={RELEASE_TAG}" in sources
    # A local path breaks once pasted into another root; a ref other than this release is stale.
    assert all(s.startswith(f"{HOSTED}//modules/") for s in sources), sources
    assert all(s.endswith(f"?ref={RELEASE_TAG}") for s in sources), sources


@pytest.mark.slow
@pytest.mark.parametrize(("module", "example"), _examples())
def test_readme_example_applies_from_git(module, example, release_repo, oci_cloud, tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    (root / "main.tf").write_text(example.replace(HOSTED, f"git::file://{release_repo}"))
    (root / "providers.tf").write_text(_ROOT_PROVIDERS)
    declared = set(re.findall(r'^variable "([^"]+)"', example, re.MULTILINE))
    values = {
        "compartment_id": tfs.random_ocid("compartment"),
        "dynamic_group_id": tfs.random_ocid("dynamicgroup"),
        "tenancy_id": oci_cloud.tenancy_id,
    }
    assert declared <= set(values), f"no test value for {declared - set(values)}"
    tf_vars = {name: values[name] for name in declared}

    tf = tfs.terraform(root, oci_cloud.env)  # init fetches every module from the git release
    assert (root / ".terraform" / "modules" / "modules.json").is_file()
    plan = tf.plan(output=True, tf_vars=tf_vars)
    created = sum(tfs.plan_summary(plan)["counts"].values())
    assert created == int(_EXPECTED.search(example).group(1))
    tf.apply(tf_vars=tf_vars)
    assert tfs.changed_addresses(tf.plan(output=True, tf_vars=tf_vars)) == []
    tf.destroy(tf_vars=tf_vars)
    assert oci_cloud.resources() == []


@pytest.mark.parametrize("module", tfs.MODULE_NAMES)
def test_readme_tables_match_the_code(module):
    module_dir = tfs.MODULES_DIR / module
    assert tfdoc.readme_tables((module_dir / "README.md").read_text()) == tfdoc.tables(
        module_dir
    ), f"regenerate: uv run python tests/modules/tfdoc.py modules/{module} --write"

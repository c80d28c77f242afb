"""TFLint (bundled Terraform ruleset, .tflint.hcl) over every module and the whole-stack root."""

import json
import shutil
import subprocess

import pytest
import tf_support as tfs

CONFIG = tfs.REPO_ROOT / ".tflint.hcl"
TARGETS = [f"modules/{name}" for name in tfs.MODULE_NAMES] + ["deploy"]


def tflint(directory) -> dict:
    result = subprocess.run(
        [tfs.tool_path("tflint"), f"--chdir={directory}", f"--config={CONFIG}", "--format=json"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode in (0, 2), result.stdout + result.stderr  # 2: issues found
    return json.loads(result.stdout)


@pytest.mark.parametrize("target", TARGETS)
def test_tflint_finds_nothing(target):
    report = tflint(tfs.REPO_ROOT / target)
    findings = [
        f"{i['range']['filename']}:{i['range']['start']['line']}: {i['message']}"
        f" ({i['rule']['name']})"
        for i in report["issues"]
    ]
    assert findings == [], "\n".join(findings)
    assert report["errors"] == []


def test_tflint_reports_what_the_ruleset_forbids(tmp_path):
    """The configuration is in force: an unused, undocumented variable and a deprecated
    interpolation in a copy of a module are each reported."""
    module = tmp_path / "network"
    shutil.copytree(tfs.MODULES_DIR / "network", module)
    with (module / "variables.tf").open("a") as tf:
        tf.write('\nvariable "unused_setting" {\n  type = string\n  default = "x"\n}\n')
        tf.write('\nlocals {\n  cidr_copy = "${var.vcn_cidr}"\n}\n')
    rules = {i["rule"]["name"] for i in tflint(module)["issues"]}
    assert {
        "terraform_unused_declarations",
        "terraform_documented_variables",
        "terraform_deprecated_interpolation",
    } <= rules

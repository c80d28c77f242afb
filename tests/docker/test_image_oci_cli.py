"""The OCI CLI as the image ships it: trimmed, sourceless bytecode, interactive mode deferred.

Every check runs in the running container as the image's user (docker/Dockerfile, stage
`oci-cli`, says what was removed and why).
"""

from __future__ import annotations

import io
import json
import sys
import tarfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("docker")]

OCI_PYTHON = "/opt/oci-cli/bin/python"
SITE = "/opt/oci-cli/lib"  # site-packages lies below, under the Python version's folder

# A broad sample: services whose modules nothing at build time ran, nested groups, an action,
# and the commands oci_cli itself defines.
COMMANDS = [
    ("os", "ns", "get"),
    ("ce", "cluster"),
    ("resource-manager", "stack"),
    ("container-instances",),
    ("iam", "user", "list"),
    ("dns", "zone"),
    ("network", "vcn", "create"),
    ("compute", "instance", "launch"),
    ("kms", "management", "key"),
    ("logging", "log-group"),
    ("artifacts", "container", "repository"),
    ("setup", "keys"),
    ("session",),
    ("raw-request",),
]


def run_in(container, *cmd: str) -> str:
    code, output = container.exec_run(list(cmd))
    text = output.decode(errors="replace")
    assert code == 0, f"{' '.join(cmd)} exited {code}: {text}"
    return text


def oci_help(container, *words: str) -> str:
    """`oci <words> --help`. The CLI exits 2 after a group's help (0 after a command's): its own
    behaviour, the same before the image trimmed it."""
    code, output = container.exec_run(["oci", *words, "--help"])
    text = output.decode(errors="replace")
    assert code in (0, 2), f"oci {' '.join(words)} --help exited {code}: {text}"
    assert "Traceback" not in text
    return text


def oci_python(container, code: str) -> str:
    return run_in(container, OCI_PYTHON, "-c", code)


@pytest.mark.parametrize("words", COMMANDS, ids=" ".join)
def test_oci_commands_answer_their_help(galley_container, words):
    text = oci_help(galley_container.container, *words)
    assert f"Usage: oci {' '.join(words)} " in text


def test_every_service_loads_and_renders_its_help(galley_container):
    """What `oci --help` and `oci -i` do: load every service's command modules (from .pyc files
    now, through the CLI's own loader), then render each top-level command's help."""
    report = oci_python(
        galley_container.container,
        "import json, os, sys, click\n"
        "from oci_cli import dynamic_loader\n"
        "from oci_cli.cli_root import cli\n"
        "dynamic_loader.load_all_services()\n"
        "dirs = [d for d in os.listdir(dynamic_loader.services_dir)\n"
        "        if os.path.isdir(os.path.join(dynamic_loader.services_dir, d, 'src'))]\n"
        "unloaded = [d for d in dirs if not any(m.startswith(f'services.{d}.src.')\n"
        "                                     for m in sys.modules)]\n"
        "bad = []\n"
        "for name, command in sorted(cli.commands.items()):\n"
        "    with click.Context(command, info_name=name) as ctx:\n"
        "        if f'Usage: {name} ' not in command.get_help(ctx):\n"
        "            bad.append(name)\n"
        "print(json.dumps({'dirs': len(dirs), 'unloaded': unloaded,\n"
        "                  'commands': len(cli.commands), 'bad': bad}))",
    )
    result = json.loads(report)
    assert result["dirs"] > 100  # the CLI's services, not an empty folder
    assert result["unloaded"] == []
    assert result["commands"] > 100
    assert result["bad"] == []


def test_every_module_the_cli_loads_comes_from_bytecode(galley_container):
    report = oci_python(
        galley_container.container,
        "import contextlib, io, json, runpy, sys\n"
        "sys.argv = ['oci', 'os', 'ns', 'get', '--help']\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    runpy.run_path('/opt/oci-cli/bin/oci', run_name='__main__')\n"
        "files = [getattr(m, '__file__', None) for m in list(sys.modules.values())]\n"
        "print(json.dumps([f for f in files if f and f.startswith('/opt/oci-cli/lib/')]))",
    )
    files = json.loads(report)
    assert len(files) > 300  # the CLI, its SDK and their dependencies, not a stub
    assert [f for f in files if not f.endswith((".pyc", ".so"))] == []


def test_the_venv_holds_no_sources_caches_or_unused_files(galley_container):
    container = galley_container.container
    leftovers = run_in(
        container,
        "find",
        SITE,
        "(",
        "-name",
        "*.py",
        "-o",
        "-name",
        "__pycache__",
        "-o",
        "-name",
        "RECORD",
        "-o",
        "-name",
        "*.psm1",
        "-o",
        "-path",
        "*/oci_cli/help_text_producer/data_files/text",
        "-o",
        "-path",
        "*/services/*/tests",
        ")",
        "-print",
    )
    assert leftovers.split() == []
    # Control: the same search does find what the venv is made of.
    assert "/oci_cli/cli_root.pyc" in run_in(container, "find", SITE, "-name", "cli_root.pyc")
    missing = oci_python(
        container,
        "import importlib.util as u;"
        "print([m for m in ('setuptools', 'pkcs11', 'asn1crypto') if u.find_spec(m)])",
    )
    assert missing.strip() == "[]"
    # Without pkcs11 the SDK's signers still load (it tolerates the module's absence), and with
    # them every signer the image's users need: resource principals, API keys, tokens.
    signers = oci_python(
        container,
        "import oci.auth.signers as s;"
        "print(hasattr(s, 'PKCS11Signer'), callable(s.get_resource_principals_signer))",
    )
    assert signers.split() == ["False", "True"]


def test_sdk_docstrings_are_gone_but_command_help_is_not(galley_container):
    container = galley_container.container
    docs = oci_python(
        container,
        "import json, oci.object_storage as o, click;"
        "print(json.dumps([o.ObjectStorageClient.get_namespace.__doc__,"
        " click.Command.__doc__ is not None]))",
    )
    sdk_doc, click_has_doc = json.loads(docs)
    assert sdk_doc is None  # compiled with -OO
    assert click_has_doc  # everything else keeps its docstrings
    text = oci_help(container, "os", "ns", "get")
    description = text.split("Usage:", 1)[1].split("Options:", 1)[0].splitlines()[1:]
    assert len(" ".join(description).split()) >= 5, text


def test_interactive_mode_loads_on_first_use(galley_container):
    states = oci_python(
        galley_container.container,
        "import json, sys\n"
        "from interactive import cli_interactive\n"
        "before = 'prompt_toolkit' in sys.modules\n"
        "start = cli_interactive.start_interactive_shell\n"
        "print(json.dumps([before, 'prompt_toolkit' in sys.modules, callable(start)]))",
    )
    assert json.loads(states) == [False, True, True]


def test_a_signed_request_goes_through_the_sdk(galley_container):
    """Config, key, signing, HTTP and the answer, against a stub on the container's loopback."""
    container = galley_container.container
    script = (Path(__file__).parent / "oci_signed_call.py").read_bytes()
    archive = io.BytesIO()
    with tarfile.open(fileobj=archive, mode="w") as tar:
        info = tarfile.TarInfo("oci_signed_call.py")
        info.size = len(script)
        info.mode = 0o644
        tar.addfile(info, io.BytesIO(script))
    assert container.put_archive("/tmp", archive.getvalue())
    result = json.loads(run_in(container, "python", "/tmp/oci_signed_call.py"))
    assert result["returncode"] == 0, result["stderr"]
    assert json.loads(result["stdout"]) == {"data": result["namespace"]}
    assert result["request"]["path"].rstrip("/") == "/n"
    assert result["signature_verifies"] is True


def test_the_oci_entry_point_freezes_what_the_cli_import_made(galley_container):
    """bin/oci is docker/oci_cli_entry.py: the collector is held off while the CLI loads, and
    what the import made goes to the permanent generation (no later pass walks it)."""
    container = galley_container.container
    entry = Path(__file__).parents[2] / "docker" / "oci_cli_entry.py"
    assert run_in(container, "cat", "/opt/oci-cli/bin/oci") == entry.read_text()
    report = oci_python(
        container,
        "import gc, json, runpy\n"
        "found = runpy.run_path('/opt/oci-cli/bin/oci', run_name='galley_check')\n"
        "print(json.dumps({'frozen': gc.get_freeze_count(), 'enabled': gc.isenabled(),\n"
        "                  'cli': found['cli'].name}))",
    )
    figures = json.loads(report.strip().splitlines()[-1])
    # About 100,000 objects with oci-cli 3.95.1; a freeze before the import would hold a few.
    assert figures["frozen"] > 20_000, figures
    assert figures["enabled"] is True
    assert figures["cli"] == "oci"

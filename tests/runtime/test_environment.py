"""Version probes and data-dir status behind the galley_environment tool."""

import json
import os
import shutil
import stat
import time
from pathlib import Path

import anyio
import pytest

from galley.environment import PROBES, BinaryVersions, Probe, data_dir_status, probe_binary

PROBE = {probe.name: probe for probe in PROBES}
SLEEP = shutil.which("sleep")  # looked up before the tests narrow PATH


@pytest.fixture
def bin_dir(tmp_path, monkeypatch) -> Path:
    """A directory that is the whole PATH, for fake binaries."""
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    return path


def fake(bin_dir: Path, name: str, body: str) -> None:
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def probe(name: str, timeout: float = 10):
    return anyio.run(lambda: probe_binary(PROBE[name], timeout))


def test_absent_binary(bin_dir):
    result = probe("oci")
    assert (result.present, result.version, result.error) == (False, None, None)


def test_terraform_version_without_checkpoint_call(bin_dir):
    # The fake reports CHECKPOINT_DISABLE as its version: the probe must set it to 1.
    fake(bin_dir, "terraform", 'echo "{\\"terraform_version\\": \\"cp=$CHECKPOINT_DISABLE $*\\"}"')
    assert probe("terraform").version == "cp=1 version -json"


def test_kubectl_reads_the_client_version_only(bin_dir):
    fake(bin_dir, "kubectl", """echo '{"clientVersion": {"gitVersion": "v1.31.0"}}' # $*""")
    assert probe("kubectl").version == "v1.31.0"
    assert PROBE["kubectl"].args[:2] == ("version", "--client")


def test_oci_first_line(bin_dir):
    fake(bin_dir, "oci", "echo 3.51.2; echo extra line")
    assert probe("oci").version == "3.51.2"


def test_failing_binary(bin_dir):
    fake(bin_dir, "oci", "exit 3")
    result = probe("oci")
    assert (result.present, result.version, result.error) == (True, None, "exit status 3")


def test_unparseable_output(bin_dir):
    fake(bin_dir, "terraform", "echo Terraform v1.11.4")
    assert probe("terraform").error == "unrecognised version output"


def test_hanging_binary_times_out(bin_dir):
    fake(bin_dir, "kubectl", f"exec {SLEEP} 30")
    result = probe("kubectl", timeout=0.5)
    assert (result.present, result.error) == (True, "timed out after 0.5s")


def test_unrunnable_binary(bin_dir):
    (bin_dir / "oci").write_text("#!/nonexistent/interpreter\n")
    (bin_dir / "oci").chmod(0o755)
    result = anyio.run(probe_binary, Probe("oci", (), str))
    assert result.present is True
    assert result.error.startswith("cannot run")


def test_data_dir_status(tmp_path):
    good = data_dir_status(tmp_path)
    assert (good.usable, good.problem, good.path) == (True, None, str(tmp_path))
    assert good.free_bytes > 0
    assert list(tmp_path.iterdir()) == []  # the write probe cleans up

    missing = data_dir_status(tmp_path / "missing")
    assert (missing.usable, missing.free_bytes) == (False, None)
    assert missing.problem.endswith("does not exist")

    file = tmp_path / "file"
    file.write_text("")
    assert data_dir_status(file).problem.endswith("is not a directory")


def test_children_do_not_inherit_galley_settings(bin_dir, monkeypatch):
    secret = "tok-must-not-reach-children-0123"
    monkeypatch.setenv("GALLEY_URL_TOKEN", secret)
    monkeypatch.setenv("GALLEY_DATA_DIR", "/srv/galley-data")
    monkeypatch.setenv("KEEP_ME", "kept")
    fake(
        bin_dir,
        "terraform",
        'echo "{\\"terraform_version\\": \\"[$GALLEY_URL_TOKEN][$GALLEY_DATA_DIR][$KEEP_ME]\\"}"',
    )
    # The rest of the environment still reaches the child.
    assert probe("terraform").version == "[][][kept]"


def counting(bin_dir: Path, name: str, output: str) -> Path:
    """A fake CLI that appends a line to a file each time it runs, then prints `output`."""
    count = bin_dir.parent / f"{name}.runs"
    fake(bin_dir, name, f"echo run >> '{count}'\necho '{output}'")
    return count


def runs(count: Path) -> int:
    return len(count.read_text().splitlines()) if count.exists() else 0


def test_versions_are_probed_once_per_process(bin_dir):
    count = counting(bin_dir, "oci", "3.51.2")

    async def twice_and_concurrently() -> list[list]:
        versions = BinaryVersions()
        reports = [await versions.get(), await versions.get()]
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(versions.get)
        return reports

    first, second = anyio.run(twice_and_concurrently)
    assert runs(count) == 1
    assert first == second
    assert {b.name: b.version for b in first}["oci"] == "3.51.2"


def test_a_failed_probe_is_tried_again(bin_dir):
    # Fails on its first run only, like a CLI timing out on a cold start (shell builtins only:
    # PATH holds nothing but the fakes).
    count = bin_dir.parent / "oci.runs"
    body = (
        f"[ -e '{count}' ] || {{ echo run >> '{count}'; exit 4; }}\n"
        f"echo run >> '{count}'\necho 3.51.2"
    )
    fake(bin_dir, "oci", body)

    async def three_calls() -> list[str | None]:
        versions = BinaryVersions()
        results = []
        for _ in range(3):
            oci = {b.name: b for b in await versions.get()}["oci"]
            results.append(oci.version or oci.error)
        return results

    assert anyio.run(three_calls) == ["exit status 4", "3.51.2", "3.51.2"]
    assert runs(count) == 2


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie only waits for its parent to collect it)."""
    try:
        stat_line = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat_line.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_gone(pid: int, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while running(pid):
        assert time.monotonic() < deadline, f"process {pid} still runs"
        time.sleep(0.05)


def hanging_with_a_child(bin_dir: Path, name: str) -> tuple[Path, Path]:
    """A fake CLI that starts a child of its own, then hangs; it records its runs and the
    child's pid."""
    count = bin_dir.parent / f"{name}.runs"
    child = bin_dir.parent / f"{name}.child"
    fake(bin_dir, name, f"echo run >> '{count}'\n{SLEEP} 300 &\necho $! > '{child}'\n{SLEEP} 300")
    return count, child


def test_concurrent_calls_share_one_round_behind_a_hung_cli(bin_dir):
    """Three concurrent calls behind a hung CLI all end with its one timeout (they used to wait
    for one timeout each, in turn), and the CLI's own child is killed with it."""
    count, child = hanging_with_a_child(bin_dir, "oci")
    timeout = 1.0

    async def three_calls() -> tuple[float, list[tuple[float, str | None]]]:
        versions = BinaryVersions(timeout=timeout)
        ended: list[tuple[float, str | None]] = []

        async def call() -> None:
            oci = {b.name: b for b in await versions.get()}["oci"]
            ended.append((time.monotonic(), oci.error))

        began = time.monotonic()
        async with anyio.create_task_group() as tg:
            for _ in range(3):
                tg.start_soon(call)
        return began, ended

    began, ended = anyio.run(three_calls)
    assert runs(count) == 1
    assert [error for _, error in ended] == ["timed out after 1s"] * 3
    assert max(at for at, _ in ended) - began < 2 * timeout
    wait_until_gone(int(child.read_text()))


def test_a_timed_out_cli_leaves_no_child_running(bin_dir):
    _, child = hanging_with_a_child(bin_dir, "kubectl")
    result = probe("kubectl", timeout=0.5)
    assert result.error == "timed out after 0.5s"
    wait_until_gone(int(child.read_text()))


def test_a_call_outlives_the_cancelled_call_it_waited_for(bin_dir):
    """The call running a round may be cancelled (its client went away): those waiting for that
    round then run one of their own instead of failing."""
    count = bin_dir.parent / "oci.runs"
    # Slow on its first run only; shell builtins and SLEEP only (PATH holds just the fakes).
    body = (
        f"[ -e '{count}' ] && {{ echo run >> '{count}'; echo 3.51.2; exit 0; }}\n"
        f"echo run >> '{count}'\n{SLEEP} 30\necho 0.0.0-first"
    )
    fake(bin_dir, "oci", body)

    async def cancelled_then_waiting() -> dict[str, str | None]:
        versions = BinaryVersions(timeout=20)
        outcome: dict[str, str | None] = {}

        async def first() -> None:
            with anyio.move_on_after(0.5):
                await versions.get()
                outcome["first"] = "finished"

        async def second() -> None:
            await anyio.sleep(0.1)  # joins the round `first` runs
            outcome["second"] = {b.name: b for b in await versions.get()}["oci"].version

        async with anyio.create_task_group() as tg:
            tg.start_soon(first)
            tg.start_soon(second)
        return outcome

    outcome = anyio.run(cancelled_then_waiting)
    assert outcome == {"second": "3.51.2"}
    assert runs(count) == 2


def test_tool_runs_the_clis_once_and_never_shows_them_the_token(start, tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    count = tmp_path / "terraform.runs"
    fake(
        bin_dir,
        "terraform",
        f"echo run >> '{count}'\n"
        'echo "{\\"terraform_version\\": \\"token=[$GALLEY_URL_TOKEN]\\"}"',
    )
    server = start(PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    reports = [server.environment_report(), server.environment_report()]
    assert runs(count) == 1
    for report in reports:
        terraform = next(b for b in report["binaries"] if b["name"] == "terraform")
        assert terraform["version"] == "token=[]"
        assert server.token not in json.dumps(report)


def test_a_cancelled_round_keeps_the_answers_already_in(bin_dir):
    """terraform answers at once, oci hangs; the round's request goes away: terraform's answer is
    kept, so the next round runs only oci again."""
    tf_runs = bin_dir.parent / "terraform.runs"
    fake(
        bin_dir,
        "terraform",
        f"echo run >> '{tf_runs}'\necho '{{\"terraform_version\": \"1.11.4\"}}'",
    )
    oci_runs, _ = hanging_with_a_child(bin_dir, "oci")

    async def cancelled_then_again() -> list[str | None]:
        versions = BinaryVersions(timeout=20)
        with anyio.move_on_after(1.0):
            await versions.get()
        fake(bin_dir, "oci", "echo 3.51.2")
        return [b.version or b.error for b in await versions.get()]

    assert anyio.run(cancelled_then_again) == ["1.11.4", "3.51.2", None]
    assert runs(tf_runs) == 1
    assert runs(oci_runs) == 1


def test_a_cli_that_answers_leaves_no_child_running(bin_dir):
    """A CLI that exits normally but left a child behind (its output elsewhere, so the version
    is read at once): the child is ended with it (as PID 1, Galley would otherwise inherit it,
    and its zombie)."""
    child = bin_dir.parent / "terraform.child"
    fake(
        bin_dir,
        "terraform",
        f"{SLEEP} 300 > /dev/null &\necho $! > '{child}'\n"
        'echo \'{"terraform_version": "1.11.4"}\'',
    )
    assert probe("terraform").version == "1.11.4"
    wait_until_gone(int(child.read_text()), timeout=5)

"""The Galley image, built from docker/Dockerfile and run on the real Docker engine."""

from __future__ import annotations

import contextlib
import io
import json
import re
import signal
import sys
import time
import tomllib
from pathlib import Path

import anyio
import docker
import docker.errors
import httpx2
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

sys.path.insert(0, str(Path(__file__).parent))
import galley_image_kit as kit

pytestmark = [pytest.mark.docker, pytest.mark.xdist_group("docker")]

GALLEY_UID = 10001


def run_in(container, *cmd: str) -> str:
    """Run a command in the container as its configured user; fail with its output if it fails."""
    code, output = container.exec_run(list(cmd), environment={"CHECKPOINT_DISABLE": "1"})
    text = output.decode(errors="replace")
    assert code == 0, f"{' '.join(cmd)} exited {code}: {text}"
    return text


def test_image_declares_port_user_healthcheck_and_entrypoint(galley_image):
    config = galley_image.image.attrs["Config"]
    assert config["Entrypoint"] == ["python", "-m", "galley"]
    assert config["Healthcheck"]["Test"] == ["CMD", "python", "-m", "galley", "healthcheck"]
    assert "8000/tcp" in config["ExposedPorts"]
    assert config["User"] == "galley"
    assert "GALLEY_DATA_DIR=/var/lib/galley" in config["Env"]


def test_container_turns_healthy_through_the_images_healthcheck(galley_container):
    assert galley_container.health == "healthy", galley_container.container.logs().decode()
    galley_container.container.reload()
    config = galley_container.container.attrs["Config"]["Healthcheck"]
    # The run only shortened the interval: the probe is still the image's command.
    assert config["Test"] == ["CMD", "python", "-m", "galley", "healthcheck"]
    log = galley_container.container.attrs["State"]["Health"]["Log"]
    assert log[-1]["ExitCode"] == 0


def test_health_answers_without_a_token(galley_container):
    with galley_container.http() as http:
        response = http.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


@pytest.mark.parametrize("query", ["", "?token=", "?token=wrong-token-0123456789"])
def test_mcp_refuses_a_missing_or_wrong_token(galley_container, query):
    with galley_container.http() as http:
        response = http.post(
            f"/mcp{query}",
            json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
            headers={"Accept": "application/json, text/event-stream"},
        )
    assert response.status_code == 403  # not 401: that would send MCP clients into OAuth
    assert response.json()["error"] == "forbidden"


async def call_environment_tool(url: str) -> tuple[list[str], dict]:
    async with (
        httpx2.AsyncClient(trust_env=False, timeout=60) as http,
        Client(streamable_http_client(url, http_client=http)) as client,
    ):
        tools = await client.list_tools()
        result = await client.call_tool("galley_environment", {})
    assert result.is_error is False
    return [tool.name for tool in tools.tools], result.structured_content


def test_mcp_round_trip_reports_the_images_tools(galley_container, galley_image):
    url = f"{galley_container.base_url}/mcp?token={galley_container.token}"
    names, report = anyio.run(call_environment_tool, url)
    assert "galley_environment" in names
    versions = {entry["name"]: entry["version"] for entry in report["binaries"]}
    assert versions == {
        "terraform": galley_image.terraform_version,
        "oci": kit.dockerfile_default("OCI_CLI_VERSION"),
        "kubectl": f"v{galley_image.kubectl_version}",
    }
    assert report["data_dir"]["path"] == "/var/lib/galley"
    assert report["data_dir"]["usable"] is True


def test_server_runs_as_the_non_root_owner_of_the_data_dir(galley_container):
    status = run_in(galley_container.container, "cat", "/proc/1/status")
    uids = re.search(r"^Uid:\s+(.+)$", status, re.MULTILINE).group(1).split()
    assert uids == [str(GALLEY_UID)] * 4  # real, effective, saved, filesystem
    gids = re.search(r"^Gid:\s+(.+)$", status, re.MULTILINE).group(1).split()
    assert gids == [str(GALLEY_UID)] * 4
    cmdline = run_in(galley_container.container, "cat", "/proc/1/cmdline").split("\0")
    assert cmdline[1:3] == ["-m", "galley"]
    owner = run_in(galley_container.container, "stat", "-c", "%u %g", "/var/lib/galley").split()
    assert owner == [str(GALLEY_UID)] * 2
    # Root-owned code: the server's user cannot change what it runs.
    code, _ = galley_container.container.exec_run(["touch", "/opt/galley/venv/bin/x"])
    assert code != 0


def test_terraform_oci_and_kubectl_run_inside(galley_container, galley_image):
    container = galley_container.container
    terraform = json.loads(run_in(container, "terraform", "version", "-json"))
    assert terraform["terraform_version"] == galley_image.terraform_version
    assert run_in(container, "oci", "--version").strip() == kit.dockerfile_default(
        "OCI_CLI_VERSION"
    )
    kubectl = json.loads(run_in(container, "kubectl", "version", "--client", "-o", "json"))
    assert kubectl["clientVersion"]["gitVersion"] == f"v{galley_image.kubectl_version}"


def test_app_venv_holds_exactly_the_locked_runtime_dependencies(galley_container):
    listing = run_in(
        galley_container.container,
        "python",
        "-c",
        "import importlib.metadata as m, json;"
        "print(json.dumps({d.metadata['Name']: d.version for d in m.distributions()}))",
    )
    installed = {
        re.sub(r"[-_.]+", "-", name).lower(): version
        for name, version in json.loads(listing).items()
    }
    lock = tomllib.loads((kit.REPO_ROOT / "uv.lock").read_text())
    locked = {package["name"]: package.get("version") for package in lock["package"]}
    assert installed.pop("galley") == locked["galley"]
    mismatched = {n: (v, locked.get(n)) for n, v in installed.items() if locked.get(n) != v}
    assert mismatched == {}
    assert {"mcp", "starlette", "uvicorn"} <= set(installed)
    # Dev tools and the emulator stay out of the image.
    assert not {"pytest", "docker", "ruff", "oci-emulator", "checkov"} & set(installed)


def test_container_logs_do_not_show_the_token(galley_container):
    with galley_container.http() as http:
        http.get(f"/mcp?token={galley_container.token}")
    logs = galley_container.container.logs()
    assert logs  # the server does log: an empty log would prove nothing
    assert galley_container.token.encode() not in logs


def test_no_layer_or_history_line_holds_the_token_or_the_ca(
    galley_image, galley_container, tmp_path
):
    marker = kit.marker_ca_pem()
    assert marker in galley_image.extra_ca  # the build was given it
    needles = {
        "token": galley_container.token.encode(),
        "extra CA bundle": galley_image.extra_ca,
        "marker CA": marker,
        # Positive control: code that is in the image must be found by the same scan.
        "control": (kit.REPO_ROOT / "src" / "galley" / "__main__.py").read_bytes(),
    }
    hits = kit.saved_image_hits(galley_image.image, needles, tmp_path)
    assert "control in" in " ".join(hits), "the scan found nothing, so it proves nothing"
    assert [hit for hit in hits if not hit.startswith("control ")] == []

    history = json.dumps(galley_image.image.history())
    assert galley_container.token not in history
    assert "BEGIN CERTIFICATE" not in history


@pytest.mark.parametrize("tool", ["terraform", "kubectl"])
def test_a_wrong_published_checksum_fails_the_build(
    docker_client, base_image, release_binaries, extra_ca, tool
):
    mirror = kit.ReleaseMirror(
        release_binaries["terraform"],
        release_binaries["kubectl"],
        kit.host_arch(),
        corrupt={tool},
    )
    args = {"BASE_IMAGE": base_image, **mirror.build_args()}
    with contextlib.suppress(docker.errors.ImageNotFound):
        docker_client.images.remove("galley-test/galley:corrupt")
    with mirror, pytest.raises(docker.errors.BuildError) as failure:
        kit.build_image(docker_client, "galley-test/galley:corrupt", args, extra_ca=extra_ca)
    log = "".join(str(entry.get("stream", "")) for entry in failure.value.build_log)
    assert f"fetch_release: {tool}: checksum mismatch" in log
    with pytest.raises(docker.errors.ImageNotFound):
        docker_client.images.get("galley-test/galley:corrupt")


def test_build_for_linux_amd64_as_the_readme_says(
    docker_client, base_image, release_binaries, extra_ca
):
    """CI.Standard.E4.Flex runs amd64: the README builds with --platform linux/amd64, which an
    arm64 laptop needs. The build accepts it and what it makes is amd64 throughout."""
    if kit.host_arch() != "amd64":
        pytest.skip("the local release mirror holds this machine's binaries, not amd64 ones")
    tag = "galley-test/galley:amd64"
    mirror = kit.ReleaseMirror(release_binaries["terraform"], release_binaries["kubectl"], "amd64")
    with mirror:
        image = kit.build_image(
            docker_client,
            tag,
            {"BASE_IMAGE": base_image, **mirror.build_args()},
            extra_ca=extra_ca,
            platform="linux/amd64",
        )
    try:
        assert (image.attrs["Os"], image.attrs["Architecture"]) == ("linux", "amd64")
        out = docker_client.containers.run(
            image.id, entrypoint=["terraform", "version", "-json"], remove=True
        )
        assert json.loads(out)["platform"] == "linux_amd64"
    finally:
        docker_client.images.remove(tag)


def test_missing_token_stops_the_container_with_a_clear_error(docker_client, galley_image):
    container = docker_client.containers.run(galley_image.image.id, detach=True)
    try:
        status = container.wait(timeout=60)
        logs = container.logs().decode()
    finally:
        container.remove(force=True)
    assert status["StatusCode"] != 0
    assert "GALLEY_URL_TOKEN" in logs


SIGTERM_BIT = 1 << (signal.SIGTERM - 1)
STOP_TEST_TOKEN = "tok-docker-stop-tests-0123456789"


def catches_sigterm(container) -> bool:
    """Whether the container's PID 1 is Galley and has a SIGTERM handler (SigCgt of its /proc
    status, read from the host: faster than an exec, so the check itself does not outlast
    start-up). Until runc has exec'd the entrypoint, PID 1 is `runc init`, a Go program, which
    catches every signal: on a loaded machine `docker run` returned before that exec, and the
    SIGTERM the test then sent was lost with runc (Galley started, and the stop took 10 s)."""
    container.reload()
    proc = Path(f"/proc/{container.attrs['State']['Pid']}")
    if b"galley" not in (proc / "cmdline").read_bytes():
        return False
    status = (proc / "status").read_text()
    mask = next(line.split()[1] for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(int(mask, 16) & SIGTERM_BIT)


def stopped_state(container) -> dict:
    container.stop(timeout=10)
    container.reload()
    return container.attrs["State"]


def test_docker_stop_during_startup_exits_0(docker_client, galley_image):
    """As PID 1, python drops a SIGTERM that has no handler: without the one installed first
    thing, a stop during the ~1 s of imports would wait for the SIGKILL (exit code 137)."""
    container = docker_client.containers.run(
        galley_image.image.id, detach=True, environment={"GALLEY_URL_TOKEN": STOP_TEST_TOKEN}
    )
    try:
        deadline = time.monotonic() + 30
        while not catches_sigterm(container):
            assert time.monotonic() < deadline, container.logs().decode()
            time.sleep(0.005)
        state = stopped_state(container)
        logs = container.logs().decode()
    finally:
        container.remove(force=True)
    assert (state["ExitCode"], state["OOMKilled"]) == (0, False), logs
    assert "galley: SIGTERM during start-up: exiting" in logs
    assert "Traceback" not in logs


def test_docker_stop_of_a_serving_container_drains_and_exits_0(docker_client, galley_image):
    container = docker_client.containers.run(
        galley_image.image.id,
        detach=True,
        environment={"GALLEY_URL_TOKEN": STOP_TEST_TOKEN},
        healthcheck={"test": [], "interval": 1_000_000_000, "start_period": 1_000_000_000},
    )
    try:
        assert kit.wait_for_health(container, 90) == "healthy", container.logs().decode()
        state = stopped_state(container)
        logs = container.logs().decode()
    finally:
        container.remove(force=True)
    assert (state["ExitCode"], state["OOMKilled"]) == (0, False), logs
    assert "SIGTERM received: draining" in logs
    assert "Application shutdown complete" in logs


def test_an_image_built_from_the_galley_image_is_not_taken_for_its_build(docker_client):
    """Reuse finds the build by its own tag: the inputs label is inherited by every image built
    FROM it (a user's customised image, a test's variant), and the newest of those used to win."""
    tag = "galley-test/galley:reuse-check"
    first = kit.build_for_tests(docker_client, tag)
    dockerfile = f"FROM {first.image.id}\nLABEL org.galley.test=derived\n"
    derived, _ = docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), rm=True)
    try:
        assert derived.id != first.image.id
        assert derived.labels.get(kit.SOURCE_LABEL) == first.image.labels[kit.SOURCE_LABEL]
        again = kit.build_for_tests(docker_client, tag)
        assert again.reused
        assert again.image.id == first.image.id
    finally:
        docker_client.images.remove(derived.id, force=True)
        with contextlib.suppress(docker.errors.APIError):
            docker_client.images.remove(tag, noprune=True)

"""Deploy deploy/ onto the emulated OCI cloud kept in .local/ and bring it alive (the Python half
of deploy-local).

Terraform runs `init`, `plan` and `apply` on a working copy of deploy/ and modules/ under
.local/deploy (so that deploy/ keeps no emulator lock file or state), with deploy/'s
terraform.tfvars.example as variables. With a Docker engine, the emulator's data plane (a
daemon that outlives this script, pidfile under .local/cloud/dataplane) runs the container
instance from the Galley image built here and serves the API gateway on 127.0.0.1 over HTTPS;
the script waits until the endpoint answers and prints a working local URL (token masked unless
--show-token) and how to point MCP clients at it. Without Docker, resources are records only.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import docker.errors
import httpx
from local_emulator import add_dynamic_group, require_schema_dir
from oci_emulator.dataplane import daemon, endpoints
from oci_emulator.harness import EmulatedCloud
from oci_emulator.pace import PACE_ENV
from oci_emulator.pace import seconds as pace_seconds
from outputs_display import masked, print_outputs

REPO_ROOT = Path(__file__).resolve().parent.parent
LOCAL_DIR = REPO_ROOT / ".local"
INSTANCE = "oci_container_instances_container_instance"
_SUMMARY = re.compile(r"^(Apply|Destroy) complete!.*$", re.MULTILINE)
# A tenth of OCI's pace: the data plane's delays (instance ACTIVE, image pull, gateway update)
# stay visible but a first deploy takes about a minute instead of ten.
DEFAULT_PACE = 0.1


def sync_sources(work_dir: Path) -> Path:
    """Copy the Terraform sources into work_dir (state and .terraform there are kept)."""
    for name in ("deploy", "modules"):
        source, target = REPO_ROOT / name, work_dir / name
        for path in source.rglob("*"):
            relative = path.relative_to(source)
            if ".terraform" in relative.parts or path.name.endswith(".tfstate"):
                continue
            if path.is_file():
                (target / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target / relative)
    return work_dir / "deploy"


def write_tfvars(root_dir: Path, tenancy_id: str) -> None:
    """terraform.tfvars from the example, as a user makes it, with the emulated tenancy's OCID
    (the root reads the tenancy's home region from it)."""
    example = (root_dir / "terraform.tfvars.example").read_text()
    line = f'tenancy_id = "{tenancy_id}"'
    tfvars, found = re.subn(r"^tenancy_id\s*=.*$", line, example, flags=re.MULTILINE)
    (root_dir / "terraform.tfvars").write_text(tfvars if found else f"{example}\n{line}\n")


def terraform(root_dir: Path, env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["terraform", *args], cwd=root_dir, env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"terraform {args[0]} failed (exit {result.returncode})")
    return result.stdout


def planned_images(plan: dict[str, Any]) -> list[str]:
    """The image_url of every container the plan leaves in place or creates."""
    images = []
    for change in plan.get("resource_changes") or []:
        after = (change.get("change") or {}).get("after") or {}
        if change.get("type") == INSTANCE:
            images += [c["image_url"] for c in after.get("containers") or [] if c.get("image_url")]
    return sorted(set(images))


# --- the data plane ----------------------------------------------------------------------------


def docker_or_reason() -> tuple[Any, str | None]:
    try:
        return daemon.docker_client(), None
    except daemon.DataPlaneUnavailable as exc:
        return None, str(exc)


def build_image(client: Any, images: list[str]) -> None:
    """Build the Galley image (reused when its inputs did not change) under each image_url."""
    sys.path.insert(0, str(REPO_ROOT / "scripts"))
    import galley_image

    try:
        client.images.get(galley_image.OFFICIAL_BASE)
    except docker.errors.ImageNotFound:
        if shutil.which("mmdebstrap") is None:
            # The Debian-made stand-in base needs mmdebstrap; start-dockerd installs it.
            subprocess.run(["bash", str(REPO_ROOT / "scripts" / "start-dockerd")], check=True)
    _build_and_tag(client, images, galley_image)


def _build_and_tag(client: Any, images: list[str], galley_image: Any) -> None:
    started = time.monotonic()
    print(f"image: docker/Dockerfile as {', '.join(images)} ...", flush=True)
    built = galley_image.build_galley_image(client, images[0], reuse=True)
    for reference in images[1:]:
        repository, _, tag = reference.rpartition(":")
        built.image.tag(repository, tag)
    how = "unchanged inputs, reused" if built.reused else "built"
    print(
        f"image: {built.image.short_id} ({how}, base {built.base_image}) in "
        f"{time.monotonic() - started:.1f}s",
        flush=True,
    )


def wait_until_answers(url: str, ca: Path, timeout_s: float) -> float:
    """Poll Galley's /health through the gateway (with the token the gateway requires) until it
    answers 200; seconds waited. Bounded back-off, raises SystemExit on timeout."""
    health = re.sub(r"/mcp(\?|$)", r"/health\1", url)
    started = time.monotonic()
    delay, last = 0.2, "no answer yet"
    verify = ssl.create_default_context(cafile=str(ca))
    with httpx.Client(verify=verify, trust_env=False, timeout=5) as client:
        while time.monotonic() - started < timeout_s:
            try:
                response = client.get(health)
                if response.status_code == 200:
                    return time.monotonic() - started
                last = f"HTTP {response.status_code} {response.text[:120]}"
            except httpx.HTTPError as exc:
                last = type(exc).__name__
            time.sleep(delay)
            delay = min(delay * 1.5, 2.0)
    raise SystemExit(f"the endpoint did not answer within {timeout_s:g}s (last: {last})")


def client_help(url: str, header: str, ca: Path) -> list[str]:
    """How to point MCP clients at the endpoint: `url` carries the token in its query (the
    seed's form), `header` is the Authorization header's value for the token-free URL (the form
    the MCP authorization spec asks for); both as they are to be shown (masked or not)."""
    bare = url.split("?", 1)[0]
    return [
        "Connect an MCP client (Node clients need the CA: export NODE_EXTRA_CA_CERTS first):",
        f"  export NODE_EXTRA_CA_CERTS={ca}",
        f'  claude mcp add --transport http galley {bare} --header "Authorization: {header}"',
        f"  claude mcp add --transport http galley '{url}'   (token in the query)",
        f"  npx @modelcontextprotocol/inspector --cli '{url}' --transport http --method tools/list",
        f"  Python (httpx, mcp SDK): SSL_CERT_FILE={ca}   curl: curl --cacert {ca} ...",
    ]


# --- main --------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", type=Path, default=LOCAL_DIR / "cloud")
    parser.add_argument("--work-dir", type=Path, default=LOCAL_DIR / "deploy")
    # Handled in main() before these options are parsed (scripts/deploy_local_terragrunt.py);
    # listed here so that --help shows them.
    parser.add_argument(
        "--terragrunt",
        action="store_true",
        help="apply live/local with Terragrunt on Terraform instead of deploy/",
    )
    parser.add_argument("--tofu", action="store_true", help="as --terragrunt, on OpenTofu")
    parser.add_argument(
        "--image-tag", help="image_tag for deploy/ (a new tag replaces the container)"
    )
    add_shared_options(parser)
    return parser.parse_args(argv)


def _pace(raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a number; expected e.g. 0.1") from None
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"{raw} is out of range; expected 0 to 1 (1 = OCI's)")
    return value


def add_shared_options(parser: argparse.ArgumentParser) -> None:
    """The options of both forms (deploy/ with Terraform, live/local with Terragrunt)."""
    parser.add_argument("--show-token", action="store_true", help="print the token unmasked")
    parser.add_argument(
        "--destroy", action="store_true", help="destroy what was deployed; stop the data plane"
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="after deploying, run an MCP round trip through the gateway and print it",
    )
    parser.add_argument(
        "--no-data-plane",
        action="store_true",
        help="records only: run no container and serve no gateway, even with Docker",
    )
    parser.add_argument(
        "--wait-seconds",
        type=float,
        default=180.0,
        help="how long to wait for the endpoint to answer (default 180)",
    )
    parser.add_argument(
        "--mode",
        choices=("reattach", "mirror"),
        default="reattach",
        help="reattach: one long-running emulator (fast); mirror: the engine installs and starts "
        "the providers from a local filesystem mirror, as from the registry",
    )
    parser.add_argument(
        "--pace",
        type=_pace,
        default=os.environ.get(PACE_ENV) or DEFAULT_PACE,
        help=f"the emulator's delays as a fraction of OCI's (1 = OCI's pace, minutes per "
        f"instance; default ${PACE_ENV}, else {DEFAULT_PACE:g}: a quick local deploy)",
    )


def set_pace(pace: float) -> None:
    """Every emulator process started from here (the providers' server, the data plane daemon)
    scales OCI's delays by `pace` (emulator/README.md)."""
    os.environ[PACE_ENV] = f"{pace:g}"
    print(f"emulator pace: {pace:g}x OCI (--pace 1 for OCI's own delays)", flush=True)


def paced_waits() -> list[str]:
    """The stack's own waits, sized to the emulated cloud's pace: deploy/'s defaults are OCI's
    (60 s for IAM, a readiness wait from a 10 s health check), which at a tenth of OCI's pace
    would only make a newcomer wait. The IAM wait stays above the emulator's paced delay, and
    the local instance is probed every 2 s, so a rollout still waits for a healthy instance."""
    iam_wait = math.ceil(pace_seconds("iam_propagation")) + 1
    check = "{initial_delay_in_seconds=1,interval_in_seconds=2,timeout_in_seconds=2}"
    return [f"-var=iam_propagation_wait_seconds={iam_wait}", f"-var=health_check={check}"]


def start_data_plane(args: argparse.Namespace, state_dir: Path) -> Any:
    """The Docker client with the data plane daemon running on state_dir, or None (records only,
    and the reason printed)."""
    client, off_reason = (None, "--no-data-plane") if args.no_data_plane else docker_or_reason()
    if client is not None:
        status = daemon.start(state_dir)
        print(f"data plane: running (pid {status['pid']}, log {status_log(state_dir)})")
    else:
        print(f"data plane: off ({off_reason}); resources are records only")
    return client


def report_or_check(args: argparse.Namespace, client: Any, state_dir: Path, outputs: Any) -> int:
    """After a deploy: the local endpoint and its hints (and --check's round trip) when the
    data plane runs; with records only, --check fails saying why."""
    if client is None:
        if args.check:
            raise SystemExit("--check needs the data plane (a Docker engine): nothing serves MCP")
        return 0
    return serve_report(args, state_dir, outputs)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if {"--terragrunt", "--tofu"} & set(argv):  # live/local through Terragrunt (issue 12)
        from deploy_local_terragrunt import main as terragrunt_form

        return terragrunt_form(argv)
    args = parse_args(argv)
    if shutil.which("terraform") is None:
        raise SystemExit("terraform is not on PATH: install Terraform >= 1.5 first")
    require_schema_dir()
    state_dir = args.state_dir.resolve()
    root_dir = sync_sources(args.work_dir.resolve())
    if args.destroy:
        return destroy(args, state_dir, root_dir)

    set_pace(args.pace)
    tf_vars = [f"-var=image_tag={args.image_tag}"] if args.image_tag else []
    tf_vars += paced_waits()
    with EmulatedCloud(state_dir, mode=args.mode) as cloud:
        write_tfvars(root_dir, cloud.tenancy_id)
        add_dynamic_group(cloud, root_dir / "terraform.tfvars")
        terraform(root_dir, cloud.env, "init", "-input=false", "-no-color")
        client = start_data_plane(args, state_dir)
        terraform(root_dir, cloud.env, "plan", "-input=false", "-no-color", "-out=tfplan", *tf_vars)
        if client is not None:
            plan = json.loads(terraform(root_dir, cloud.env, "show", "-json", "tfplan"))
            images = planned_images(plan)
            if images:
                build_image(client, images)
        print(f"terraform apply in {root_dir} (cloud state: {cloud.state_dir})", flush=True)
        log = terraform(root_dir, cloud.env, "apply", "-input=false", "-no-color", "tfplan")
        summary = _SUMMARY.search(log)
        print(summary.group(0) if summary else log[-2000:], flush=True)
        outputs = json.loads(terraform(root_dir, cloud.env, "output", "-json"))
    print_outputs(outputs, show_sensitive=args.show_token)
    return report_or_check(args, client, state_dir, outputs)


def status_log(state_dir: Path) -> Path:
    return daemon.status.Paths(state_dir).log


def serve_report(args: argparse.Namespace, state_dir: Path, outputs: Any) -> int:
    """`outputs` as deploy/'s (mcp_endpoint_url, authorization_header): {name: {value, ...}}."""
    url = endpoints.wait_for_local_url(state_dir, outputs["mcp_endpoint_url"]["value"], 30)
    ca = endpoints.ca_path(state_dir)
    waited = wait_until_answers(url, ca, args.wait_seconds)
    header = outputs["authorization_header"]["value"]
    shown = url if args.show_token else str(masked(url))
    shown_header = header if args.show_token else f"{header.split(' ', 1)[0]} {masked(header)}"
    print(f"\nLocal endpoint (answered after {waited:.1f}s; the data plane keeps serving it):")
    print(f"  mcp_endpoint_url (local) = {shown}")
    print(f"  mcp_url (local) = {url.split('?', 1)[0]}")
    print(f"  CA certificate = {ca}")
    print("\n".join(client_help(shown, shown_header, ca)))
    if args.check:
        sys.path.insert(0, str(REPO_ROOT / "scripts"))
        import mcp_check

        trip = anyio.run(mcp_check.round_trip, url, ca)
        print("\nMCP round trip through the gateway:")
        for line in mcp_check.describe(trip):
            print(f"  {line}")
        if trip.is_error or mcp_check.TOOL not in trip.tools:
            return 1
    return 0


def destroy(args: argparse.Namespace, state_dir: Path, root_dir: Path) -> int:
    set_pace(args.pace)
    with EmulatedCloud(state_dir, mode=args.mode) as cloud:
        write_tfvars(root_dir, cloud.tenancy_id)
        terraform(root_dir, cloud.env, "init", "-input=false", "-no-color")
        print(f"terraform destroy in {root_dir} (cloud state: {cloud.state_dir})", flush=True)
        log = terraform(
            root_dir, cloud.env, "destroy", "-auto-approve", "-input=false", "-no-color"
        )
        summary = _SUMMARY.search(log)
        print(summary.group(0) if summary else log[-2000:], flush=True)
    stop_data_plane(state_dir)
    return 0


def stop_data_plane(state_dir: Path) -> None:
    """After a destroy: the daemon stops what ran (the cloud is empty), then exits."""
    if daemon.running_pid(state_dir) is not None:
        # The cloud is empty now: the daemon stops what ran, then exits itself when stopped.
        daemon.wait_for(
            state_dir,
            lambda s: not s.get("gateways") and not s.get("instances") and not s.get("stopping"),
            120,
        )
        daemon.stop(state_dir)
        print("data plane: stopped (no container, no listener left)")


if __name__ == "__main__":
    raise SystemExit(main())

"""EmulatedCloud: one emulated OCI tenancy plus the environment that points Terraform at it.

    with EmulatedCloud(tmp / "cloud") as cloud:
        tftest.TerraformTest(tfdir, env=cloud.env).apply()
        cloud.resources("oci_core_vcn")

Two ways to reach the providers:
- "reattach" (default): one long-running emulator process serves both providers and Terraform
  attaches to it through TF_REATTACH_PROVIDERS; no per-command provider start (~10x faster).
- "mirror": a filesystem provider mirror + CLI config; Terraform starts the providers itself, as
  a user's `terraform init` would. With `warm` (default) the started plugin processes borrow
  ready servers from a daemon (warm.py) instead of importing gRPC each time.
The CLI config is in .env in both modes, so `init` works. `write_root` lays out a root module
that pins the served providers.
"""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from oci_emulator.envvars import (
    DAEMON_ENV,
    HOME_REGION_ENV,
    MODE_ENV,
    PYTHON_ENV,
    REGION_ENV,
    SCHEMA_DIR_ENV,
    STATE_DIR_ENV,
    TENANCY_ID_ENV,
)
from oci_emulator.mirror import write_cli_config, write_mirror
from oci_emulator.schema import PROVIDERS, schema_dir
from oci_emulator.store import DEFAULT_REGION, Store

Mode = Literal["reattach", "mirror"]
_START_TIMEOUT_S = 30.0


class EmulatorStartError(RuntimeError):
    pass


def providers_tf() -> str:
    """A `required_providers` block pinning the providers the emulator serves."""
    pins = "".join(
        f'    {spec.name} = {{ source = "{spec.source}", version = "{spec.version}" }}\n'
        for spec in PROVIDERS.values()
    )
    return f"terraform {{\n  required_providers {{\n{pins}  }}\n}}\n"


def write_root(directory: Path, main_tf: str) -> Path:
    """A Terraform root module in ``directory``: providers.tf (the pins above) and main.tf."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "providers.tf").write_text(providers_tf())
    (directory / "main.tf").write_text(main_tf)
    return directory


class EmulatedCloud:
    def __init__(
        self,
        state_dir: Path | str,
        *,
        mode: Mode | None = None,
        warm: bool = True,
        region: str = DEFAULT_REGION,
        schema_directory: Path | str | None = None,
        data_plane: bool = False,
        home_region: str | None = None,
    ) -> None:
        self.state_dir = Path(state_dir).resolve()
        self.mode: Mode = mode or os.environ.get(MODE_ENV, "reattach")  # type: ignore[assignment]
        if self.mode not in ("reattach", "mirror"):
            raise ValueError(f"mode must be 'reattach' or 'mirror', got {self.mode!r}")
        self.region = region
        self.warm = warm
        self._schema_dir = Path(schema_directory) if schema_directory else schema_dir()
        self._harness_dir = self.state_dir / "harness"
        self._process: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}
        # The tenancy's home region (IAM writes only there); None keeps the recorded one, or
        # for a new cloud: $OCI_EMULATOR_HOME_REGION, else the cloud's region.
        self._home_region = home_region
        self.store = Store(self.state_dir, default_region=region, home_region=home_region)
        # data_plane=True: containers and gateways come alive (dataplane/), if Docker answers.
        self.data_plane = data_plane
        self.data_plane_off_reason: str | None = None

    # --- what the cloud holds ----------------------------------------------------------------

    @property
    def tenancy_id(self) -> str:
        return self.store.snapshot().tenancy_id

    @property
    def namespace(self) -> str:
        return self.store.snapshot().namespace

    def resources(self, type_: str | None = None) -> list[dict[str, Any]]:
        return self.store.resources(type_)

    @property
    def home_region(self) -> str:
        return self.store.snapshot().home_region

    def vcn_default_ids(self) -> set[str]:
        """Ids of the route tables, security lists and DHCP options that VCNs come with (what a
        count of "resources a module created" leaves out)."""
        keys = ("default_route_table_id", "default_security_list_id", "default_dhcp_options_id")
        return {
            str(vcn["attrs"][key])
            for vcn in self.store.resources("oci_core_vcn")
            for key in keys
            if vcn["attrs"].get(key)
        }

    # --- what a tenancy administrator makes by hand (README, step 2) --------------------------

    def add_dynamic_group(
        self,
        ocid: str,
        compartment_id: str,
        name: str = "galley",
        matching_rule: str | None = None,
    ) -> None:
        """The dynamic group `oci iam dynamic-group create` makes, under the id the stack is told
        (its tfvars), with ``matching_rule`` (README step 2: the iam module's
        dynamic_group_matching_rule); without one, matching every container instance in
        ``compartment_id``. Kept if it exists, so that a second deploy is a no-op."""
        from oci_emulator.oci import api

        with self.store.transaction() as world:
            if ocid in world.resources:
                return
            rule = matching_rule or (
                "ALL {resource.type='computecontainerinstance', "
                f"resource.compartment.id='{compartment_id}'}}"
            )
            attrs = api.create(
                "oci_identity_dynamic_group",
                {
                    "id": ocid,
                    "compartment_id": world.tenancy_id,
                    "name": name,
                    "description": "Galley container instances",
                    "matching_rule": rule,
                },
                world,
            )
            world.resources[ocid] = {
                "type": "oci_identity_dynamic_group",
                "id": ocid,
                "attrs": attrs,
            }

    def add_tag_key(self, namespace: str, key: str) -> None:
        """The tag namespace and tag key `oci iam tag-namespace create` and `oci iam tag create`
        make (README step 2), in the tenancy root; kept if they exist."""
        from oci_emulator.oci import api
        from oci_emulator.oci.ocids import new_ocid

        def find(world: Any, type_: str, **wanted: str) -> dict[str, Any] | None:
            for res in world.resources.values():
                attrs = res["attrs"]
                if res["type"] == type_ and all(
                    str(attrs.get(k)).lower() == v.lower() for k, v in wanted.items()
                ):
                    return res
            return None

        with self.store.transaction() as world:
            found = find(world, "oci_identity_tag_namespace", name=namespace)
            if found is None:
                ocid = new_ocid("tagnamespace", world.region)
                attrs = api.create(
                    "oci_identity_tag_namespace",
                    {
                        "id": ocid,
                        "compartment_id": world.tenancy_id,
                        "name": namespace,
                        "description": "Galley instance identity",
                    },
                    world,
                )
                found = {"type": "oci_identity_tag_namespace", "id": ocid, "attrs": attrs}
                world.resources[ocid] = found
            if find(world, "oci_identity_tag", tag_namespace_id=found["id"], name=key) is None:
                ocid = new_ocid("tagdefinition", world.region)
                attrs = api.create(
                    "oci_identity_tag",
                    {
                        "id": ocid,
                        "tag_namespace_id": found["id"],
                        "name": key,
                        "description": "Marks Galley's own container instance",
                    },
                    world,
                )
                world.resources[ocid] = {"type": "oci_identity_tag", "id": ocid, "attrs": attrs}

    # --- bucket contents written outside Terraform (a program using the bucket) --------------

    def put_object(self, bucket: str, name: str, data: bytes | str = b"") -> dict[str, Any]:
        """Write an object as a client would; in a versioned bucket the replaced object stays
        as a previous version. Returns the object's attrs (version_id, content_md5, ...)."""
        from oci_emulator.oci import objects

        raw = data.encode() if isinstance(data, str) else data
        with self.store.transaction() as world:
            return objects.put(world, world.namespace, bucket, name, raw)

    def delete_object(self, bucket: str, name: str) -> None:
        """Delete an object as a client would; a versioned bucket keeps a previous version."""
        from oci_emulator.oci import objects

        with self.store.transaction() as world:
            objects.remove(world, world.namespace, bucket, name)

    def empty_bucket(self, bucket: str) -> int:
        """Delete every object and previous version (the documented "empty the bucket" step
        before destroying it); returns how many were removed."""
        from oci_emulator.oci import objects

        with self.store.transaction() as world:
            return objects.empty(world, world.namespace, bucket)

    def bucket_contents(self, bucket: str) -> list[dict[str, Any]]:
        """Objects and previous versions: [{"name", "version_id", "is_latest"}], by name."""
        from oci_emulator.oci import objects

        world = self.store.snapshot()
        objects.find_bucket(world, world.namespace, bucket)
        return sorted(
            (
                {
                    "name": r["attrs"].get("object"),
                    "version_id": r["attrs"].get("version_id"),
                    "is_latest": r["type"] == objects.OBJECT,
                }
                for r in objects.contents(world, world.namespace, bucket)
            ),
            key=lambda v: (str(v["name"]), not v["is_latest"]),
        )

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> EmulatedCloud:
        mirror = write_mirror(self._harness_dir / "mirror")
        cli_config = write_cli_config(self._harness_dir / "terraform.rc", mirror)
        env = dict(os.environ)
        env.update(
            {
                STATE_DIR_ENV: str(self.state_dir),
                SCHEMA_DIR_ENV: str(self._schema_dir.resolve()),
                REGION_ENV: self.region,
                **({HOME_REGION_ENV: self._home_region} if self._home_region else {}),
                PYTHON_ENV: sys.executable,
                TENANCY_ID_ENV: self.tenancy_id,
                "TF_CLI_CONFIG_FILE": str(cli_config),
                "CHECKPOINT_DISABLE": "1",
                "TF_IN_AUTOMATION": "1",
            }
        )
        env.pop("TF_REATTACH_PROVIDERS", None)
        env.pop(DAEMON_ENV, None)
        if self.mode == "reattach":
            # The server keys it for Terraform's and OpenTofu's registry hosts alike.
            env["TF_REATTACH_PROVIDERS"] = json.dumps(self._start_server(env, "--reattach"))
        elif self.warm:
            env[DAEMON_ENV] = self._start_server(env, "--daemon")[DAEMON_ENV]
        self.env = env
        if self.data_plane:
            self._start_data_plane()
        return self

    def _start_data_plane(self) -> None:
        from oci_emulator.dataplane import daemon

        try:
            daemon.start(self.state_dir)
        except daemon.DataPlaneUnavailable as exc:
            self.data_plane_off_reason = f"{exc}; the data plane is off: resources are records"
            self.data_plane = False

    def data_plane_status(self) -> dict[str, Any]:
        """What the data plane runs and serves (``dataplane/status.py``); {} when it is off."""
        from oci_emulator.dataplane import daemon

        return daemon.read_status(self.state_dir) if self.data_plane else {}

    def _start_server(self, env: dict[str, str], kind: str) -> dict[str, Any]:
        log = open(self._harness_dir / "emulator.log", "ab")  # noqa: SIM115 - lives with process
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "oci_emulator.plugin",
                kind,
                "--state-dir",
                str(self.state_dir),
                "--watch-stdin",
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            env=env,
        )
        log.close()
        assert self._process.stdout is not None
        with selectors.DefaultSelector() as selector:
            selector.register(self._process.stdout, selectors.EVENT_READ)
            ready = selector.select(_START_TIMEOUT_S)
        line = self._process.stdout.readline() if ready else b""
        if not line:
            self.stop()
            log_path = self._harness_dir / "emulator.log"
            tail = log_path.read_text(errors="replace")[-2000:]
            raise EmulatorStartError(f"the emulator did not start ({log_path}):\n{tail}")
        return json.loads(line)

    def stop(self) -> None:
        if self.data_plane:
            from oci_emulator.dataplane import daemon

            daemon.stop(self.state_dir)  # it stops its containers and listeners first
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin:
            process.stdin.close()
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()

    def __enter__(self) -> EmulatedCloud:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

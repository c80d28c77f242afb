"""How fast Terraform runs against the emulator.

Prints: provider process start time (to the go-plugin handshake, and the reattach server), plan and
apply wall time for a VCN + subnet + bucket root, and plan + apply for a ten-resource root — for
reattach (long-running providers), mirror with the warm daemon (Terraform starts tiny plugin
processes that borrow ready servers), and mirror with standalone plugin processes.

    uv run python benchmarks/emulator_speed.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from oci_emulator.harness import EmulatedCloud, write_root

REPO = Path(__file__).resolve().parent.parent
os.environ.setdefault("OCI_EMULATOR_SCHEMA_DIR", str(REPO.parent / "shared" / "provider-schemas"))

COMMON = """
variable "compartment_id" { type = string }
data "oci_objectstorage_namespace" "ns" {
  compartment_id = var.compartment_id
}
"""

SMALL = """
resource "oci_core_vcn" "vcn" {
  compartment_id = var.compartment_id
  cidr_blocks    = ["10.0.0.0/16"]
}
resource "oci_core_subnet" "subnet" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  cidr_block     = "10.0.1.0/24"
}
resource "oci_objectstorage_bucket" "bucket" {
  compartment_id = var.compartment_id
  namespace      = data.oci_objectstorage_namespace.ns.namespace
  name           = "bench"
}
"""

TEN = (
    SMALL
    + """
resource "oci_core_subnet" "second" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
  cidr_block     = "10.0.2.0/24"
}
resource "oci_core_internet_gateway" "igw" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
}
resource "oci_core_nat_gateway" "nat" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
}
resource "oci_core_network_security_group" "nsg" {
  compartment_id = var.compartment_id
  vcn_id         = oci_core_vcn.vcn.id
}
resource "oci_logging_log_group" "logs" {
  compartment_id = var.compartment_id
  display_name   = "bench-logs"
}
resource "random_password" "token" { length = 32 }
resource "random_string" "suffix" { length = 6 }
"""
)


def _time_handshake(state_dir: Path, runs: int = 3) -> float:
    times = []
    env = {**os.environ, "OCI_EMULATOR_STATE_DIR": str(state_dir)}
    env.pop("OCI_EMULATOR_DAEMON", None)
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "-m", "oci_emulator.plugin", "oracle/oci"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
        )
        assert proc.stdout is not None
        line = proc.stdout.readline()
        times.append(time.perf_counter() - start)
        assert line.startswith(b"1|6|unix|"), line
        proc.terminate()
        proc.wait()
    return statistics.median(times)


def _tf(root: Path, env: dict[str, str], *args: str) -> float:
    start = time.perf_counter()
    run = subprocess.run(
        ["terraform", *args, "-no-color", "-input=false"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if run.returncode != 0:
        raise SystemExit(f"terraform {args[0]} failed:\n{run.stdout}\n{run.stderr}")
    return elapsed


def _measure(mode: str, warm: bool, body: str, work: Path, name: str) -> dict[str, float]:
    root = write_root(work / f"{name}-{mode}-{warm}", COMMON + body)
    start = time.perf_counter()
    cloud_dir = work / f"cloud-{name}-{mode}-{warm}"
    with EmulatedCloud(cloud_dir, mode=mode, warm=warm) as cloud:  # type: ignore[arg-type]
        started = time.perf_counter() - start
        var = f"-var=compartment_id={cloud.tenancy_id}"
        init = _tf(root, cloud.env, "init")
        plan = _tf(root, cloud.env, "plan", var)
        apply = _tf(root, cloud.env, "apply", "-auto-approve", var)
        replan = _tf(root, cloud.env, "plan", "-detailed-exitcode", var)
        destroy = _tf(root, cloud.env, "destroy", "-auto-approve", var)
    return {
        "start": started,
        "init": init,
        "plan": plan,
        "apply": apply,
        "replan": replan,
        "destroy": destroy,
    }


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="emulator-bench-") as tmp:
        work = Path(tmp)
        handshake = _time_handshake(work / "handshake-cloud")
        print(f"standalone provider process start to handshake (median of 3): {handshake:.3f} s")
        for mode, warm, label in (
            ("reattach", True, "reattach"),
            ("mirror", True, "mirror+warm daemon"),
            ("mirror", False, "mirror, standalone plugins"),
        ):
            small = _measure(mode, warm, SMALL, work, "small")
            ten = _measure(mode, warm, TEN, work, "ten")
            mode = label
            print(f"\n[{mode}] emulator start (harness): {small['start']:.3f} s")
            print(
                f"[{mode}] VCN+subnet+bucket: plan {small['plan']:.2f} s, "
                f"apply {small['apply']:.2f} s, re-plan {small['replan']:.2f} s, "
                f"destroy {small['destroy']:.2f} s (init {small['init']:.2f} s)"
            )
            print(
                f"[{mode}] ten resources: plan+apply {ten['plan'] + ten['apply']:.2f} s "
                f"(plan {ten['plan']:.2f} s, apply {ten['apply']:.2f} s; target < 5 s)"
            )


if __name__ == "__main__":
    main()

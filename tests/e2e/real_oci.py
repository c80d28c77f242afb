"""Inputs of the opt-in end-to-end test against a real OCI tenancy (Terratest-style): which
profile and tfvars file, the Terraform arguments and environment made from them, and the
bounded back-off used while the endpoint comes up."""

from __future__ import annotations

import configparser
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import hcl2

PROFILE_ENV = "GALLEY_E2E_OCI_PROFILE"
TFVARS_ENV = "GALLEY_E2E_OCI_TFVARS"
REQUIRED_VARS = ("tenancy_id", "compartment_id", "region", "dynamic_group_id")
# What points Terraform at the emulator; a real run must not inherit any of it.
EMULATOR_VARIABLES = ("TF_REATTACH_PROVIDERS", "TF_CLI_CONFIG_FILE")


class RealOciInputError(ValueError):
    pass


@dataclass(frozen=True)
class RealOciInputs:
    profile: str
    tfvars: Path
    var_args: tuple[str, ...]
    env: dict[str, str]


def skip_reason(environ: Mapping[str, str]) -> str | None:
    if environ.get(PROFILE_ENV) or environ.get(TFVARS_ENV):
        return None
    return (
        f"runs against a real OCI tenancy only when asked: set {PROFILE_ENV} (an OCI CLI "
        f"profile) and {TFVARS_ENV} (a terraform.tfvars for deploy/ with a pushed image)"
    )


def inputs_from(environ: Mapping[str, str]) -> RealOciInputs:
    """The run's inputs; RealOciInputError naming what is missing or wrong."""
    profile, tfvars_name = environ.get(PROFILE_ENV, ""), environ.get(TFVARS_ENV, "")
    for name, value in ((PROFILE_ENV, profile), (TFVARS_ENV, tfvars_name)):
        if not value:
            raise RealOciInputError(f"{name} is not set; both {PROFILE_ENV} and {TFVARS_ENV} are")
    tfvars = Path(tfvars_name).expanduser().resolve()
    if not tfvars.is_file():
        raise RealOciInputError(f"{TFVARS_ENV}={tfvars_name!r}: no such file")
    with tfvars.open() as f:
        values = hcl2.load(f)
    missing = [name for name in REQUIRED_VARS if not values.get(name)]
    if missing:
        raise RealOciInputError(
            f"{tfvars} sets no {', '.join(missing)}: deploy/ needs {', '.join(REQUIRED_VARS)}"
        )
    config = Path(environ.get("OCI_CLI_CONFIG_FILE") or Path.home() / ".oci" / "config")
    parser = configparser.ConfigParser()
    parser.read(config)
    if profile != "DEFAULT" and not parser.has_section(profile):
        raise RealOciInputError(f"{PROFILE_ENV}={profile!r}: {config} has no such profile")
    env = {
        k: v
        for k, v in environ.items()
        if k not in EMULATOR_VARIABLES and not k.startswith("OCI_EMULATOR_")
    }
    env.update(CHECKPOINT_DISABLE="1", TF_IN_AUTOMATION="1")
    var_args = (f"-var-file={tfvars}", f"-var=config_file_profile={profile}")
    return RealOciInputs(profile, tfvars, var_args, env)


def backoff(total_s: float = 900.0, first_s: float = 5.0, cap_s: float = 60.0) -> list[float]:
    """Waits between attempts: growing by half each time, at most cap_s, adding up to at most
    total_s (a real gateway and container instance take minutes to answer)."""
    delays: list[float] = []
    delay = first_s
    while sum(delays) + delay <= total_s:
        delays.append(delay)
        delay = min(delay * 1.5, cap_s)
    return delays

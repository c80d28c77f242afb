"""How long the emulated cloud takes for what OCI does slowly: one table of delays, one scale.

Each delay has a default at OCI's pace (with its source in `emulator/README.md`, or marked
unverified there), and is read through `seconds(name)`:
- `OCI_EMULATOR_PACE` scales every delay together (1 = OCI's pace, the default; 0.1 = ten times
  faster; 0 = instant). `deploy-local` runs at a fraction of OCI's pace and says so.
- `OCI_EMULATOR_DELAY_<NAME>` (seconds, e.g. `OCI_EMULATOR_DELAY_IAM_PROPAGATION=5`) sets one
  delay, before the scale.

Imports nothing heavy: the plugin processes and the data-plane daemon both read it.
"""

import os
from collections.abc import Mapping
from dataclasses import dataclass

PACE_ENV = "OCI_EMULATOR_PACE"
DELAY_ENV_PREFIX = "OCI_EMULATOR_DELAY_"


class PaceError(ValueError):
    """A pace or delay variable is not a non-negative number; the message names it."""


@dataclass(frozen=True)
class Delay:
    seconds: float
    what: str  # one line: what OCI does during it


# name -> default at OCI's pace. Sources and verification status: emulator/README.md ("Pace").
DELAYS: dict[str, Delay] = {
    # IAM (oci/propagation.py): a policy statement is enforced this long after it was written.
    "iam_propagation": Delay(10.0, "a policy change takes effect in the home region"),
    "iam_propagation_other_region": Delay(
        240.0, "a policy change made in the home region takes effect in another region"
    ),
    # Work requests (oci/work_requests.py); the provider's apply waits for each one it starts.
    "container_instance_provision": Delay(
        30.0, "a new container instance gets its host and VNIC, before its images are pulled"
    ),
    "container_image_pull": Delay(
        15.0, "a container instance pulls its images; its containers start after it"
    ),
    "container_instance_delete": Delay(
        30.0, "the delete work request; the instance's private IP is freed when it ends"
    ),
    "apigateway_deployment_create": Delay(
        30.0, "a new deployment is being set up; it serves nothing until it is ACTIVE"
    ),
    "apigateway_deployment_update": Delay(
        30.0, "an updated deployment keeps serving its previous specification until ACTIVE"
    ),
}


def _number(name: str, raw: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise PaceError(f"{name}={raw!r} is not a number; expected seconds >= 0") from None
    if not value >= 0 or value == float("inf"):
        raise PaceError(f"{name}={raw!r} is out of range; expected a finite number >= 0")
    return value


def scale(env: Mapping[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    raw = env.get(PACE_ENV, "").strip()
    return 1.0 if not raw else _number(PACE_ENV, raw)


def seconds(name: str, env: Mapping[str, str] | None = None) -> float:
    """The delay `name` in seconds, override and pace applied."""
    env = os.environ if env is None else env
    if name not in DELAYS:
        raise KeyError(f"unknown delay {name!r}; known: {', '.join(sorted(DELAYS))}")
    var = DELAY_ENV_PREFIX + name.upper()
    raw = env.get(var, "").strip()
    base = _number(var, raw) if raw else DELAYS[name].seconds
    return base * scale(env)

"""IAM propagation: a policy statement is enforced only some time after it was written.

OCI: policy changes "go into effect typically within 10 seconds" (Working with Policies), and
changes made in the home region "might take several minutes" to reach the other regions
(Managing Regions). The emulator records when each statement was written (create, or an update
that adds or changes it; an unchanged statement keeps its time) and counts it as granting from
`pace.seconds("iam_propagation")` later when the call that needs it runs in the home region,
`pace.seconds("iam_propagation_other_region")` later elsewhere. Removing a statement takes
effect at once (a revoked right that lingers is not modelled).
"""

from __future__ import annotations

import time
from collections.abc import Iterable

from oci_emulator import pace

from . import world as w


def delay_name(world: w.WorldView) -> str:
    home = world.region == world.home_region
    return "iam_propagation" if home else "iam_propagation_other_region"


def delay(world: w.WorldView) -> float:
    return pace.seconds(delay_name(world))


def record(world: w.WorldView, policy_id: str, statements: Iterable[str]) -> None:
    """Stamp the statements of a policy being written; those it already had keep their time."""
    before = world.statements_written.get(policy_id, {})
    written = time.time()
    world.statements_written[policy_id] = {s: before.get(s, written) for s in statements}


def forget(world: w.WorldView, policy_id: str) -> None:
    world.statements_written.pop(policy_id, None)


def remaining(world: w.WorldView, policy_id: str, statement: str) -> float:
    """Seconds until ``statement`` of ``policy_id`` is enforced where ``world`` calls (0: now).

    A statement with no recorded time (a cloud written before propagation was modelled) counts
    as long in effect."""
    written = world.statements_written.get(policy_id, {}).get(statement)
    if written is None:
        return 0.0
    return max(0.0, written + delay(world) - time.time())


def pending_note(world: w.WorldView, seconds_left: float) -> str:
    """What the emulator adds to OCI's refusal when the grant exists but is not enforced yet."""
    where = "the home region" if world.region == world.home_region else world.region
    return (
        f"a policy statement granting it exists but is not in effect yet: IAM changes take "
        f"effect in {where} {delay(world):g} s after they are written (emulated: "
        f"{delay_name(world)} in pace.py), {seconds_left:.1f} s from now. Wait for it before "
        "using the grant, e.g. with a time_sleep after the policy"
    )

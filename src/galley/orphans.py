"""Reaping what a CLI leaves behind when Galley is PID 1.

In its container Galley is PID 1 (the image's entrypoint; OCI Container Instances have no init to
put in front of it), so every process whose parent dies becomes Galley's child. asyncio waits for
the CLI it started, but the CLI's own children are handed to Galley and, nobody waiting for them,
would stay zombies for the life of the container. Two sweeps reap them:

- when a CLI run ends (answered, failed, timed out or cancelled), its process group is killed and
  its members that became Galley's are reaped (reap_killed_group);
- every few seconds, any zombie child of Galley's that is not a CLI asyncio still waits for
  (reap_orphans): a daemon that left the group with a session of its own, for instance.
"""

import contextlib
import os
from pathlib import Path

import anyio

PROC = Path("/proc")
# SIGKILLed processes are gone within milliseconds; the bounds only stop a process stuck in the
# kernel (uninterruptible sleep) from holding up the request that killed it.
REAP_SECONDS = 2.0
REAP_POLL_SECONDS = 0.01
REAP_PASSES = 200


def stat_fields(stat: str) -> tuple[str, int, int]:
    """State, parent pid and process group, from the text of a /proc/<pid>/stat file."""
    # The command name, in parentheses, may itself hold spaces and parentheses: the fields that
    # follow it start after the last ')'.
    state, ppid, pgrp = stat[stat.rindex(")") + 1 :].split()[:3]
    return state, int(ppid), int(pgrp)


def group_members(pgid: int) -> dict[int, tuple[str, int]]:
    """The processes now in process group `pgid`: pid -> (state, parent pid)."""
    members: dict[int, tuple[str, int]] = {}
    # A container has a handful of processes: reading all of /proc is quick enough to do inline.
    for entry in os.listdir(PROC):
        if not entry.isdigit():
            continue
        try:
            state, ppid, pgrp = stat_fields((PROC / entry / "stat").read_text())
        except (OSError, ValueError):  # exited (and was reaped) meanwhile
            continue
        if pgrp == pgid:
            members[int(entry)] = (state, ppid)
    return members


# The CLIs started and not yet waited for by asyncio: their exit status is asyncio's to take.
running_leaders: set[int] = set()


def _reap(pid: int) -> bool:
    # By exact pid only, never waitpid(-1): that would take the exit status of CLIs asyncio is
    # waiting for.
    with contextlib.suppress(ChildProcessError):
        return os.waitpid(pid, os.WNOHANG)[0] == pid
    return False


async def reap_killed_group(leader: int) -> int:
    """Wait for the members of the killed group of `leader` that became Galley's children.

    Call it once the group was sent SIGKILL and its leader was waited for; returns how many
    zombies it reaped. Does nothing unless Galley is PID 1: elsewhere orphans go to a real init.
    """
    galley = os.getpid()
    if galley != 1:
        return 0
    reaped = 0
    deadline = anyio.current_time() + REAP_SECONDS
    for _ in range(REAP_PASSES):
        members = group_members(leader)
        # asyncio has waited for the leader; a process holding its pid by now is a new CLI's.
        members.pop(leader, None)
        left = 0
        for pid, (state, ppid) in members.items():
            # Galley only starts group leaders, so a child of Galley's in this group that is not
            # the leader is an orphan nobody else will wait for.
            if state == "Z" and ppid == galley and _reap(pid):
                reaped += 1
            else:
                left += 1
        if not left or anyio.current_time() >= deadline:
            break
        # Members still dying, or waiting for a dying parent to hand them to Galley.
        await anyio.sleep(REAP_POLL_SECONDS)
    return reaped


def reap_orphans() -> int:
    """Reap every zombie child of Galley's but the CLIs asyncio waits for; return how many.

    Does nothing unless Galley is PID 1.
    """
    galley = os.getpid()
    if galley != 1:
        return 0
    reaped = 0
    for entry in os.listdir(PROC):
        if not entry.isdigit() or int(entry) in running_leaders:
            continue
        try:
            state, ppid, _ = stat_fields((PROC / entry / "stat").read_text())
        except (OSError, ValueError):
            continue
        if state == "Z" and ppid == galley and _reap(int(entry)):
            reaped += 1
    return reaped

"""Command line: `python -m galley [serve]` runs the server, `healthcheck` probes it."""

import argparse
import os
import signal
import sys
from types import FrameType

from galley import __version__
from galley.healthcheck import check_health
from galley.settings import TOKEN_SHA256_VAR, TOKEN_VAR, SettingsError, load_settings
from galley.url_token import token_sha256

EXIT_BAD_SETTINGS = 2
EXIT_UNHEALTHY = 1
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _stop_during_startup(sig: int, _: FrameType | None) -> None:
    print(f"galley: {signal.Signals(sig).name} during start-up: exiting", file=sys.stderr)
    sys.exit(0)


def _without_plaintext_token() -> None:
    """Start again with GALLEY_URL_TOKEN replaced by its digest, once the settings are valid.

    A process's initial environment stays readable in /proc/<pid>/environ for its whole life,
    to every process of the same user: the CLIs Galley runs included (they get an environment
    without GALLEY_* settings, but could read Galley's). execve() gives the same process (same
    pid, PID 1 in a container) an environment holding only the digest. The deployed form,
    GALLEY_URL_TOKEN_SHA256, never has the token to begin with.
    """
    env = dict(os.environ)
    env[TOKEN_SHA256_VAR] = token_sha256(env.pop(TOKEN_VAR)).hex()
    # execve() resets handlers to the default but keeps the signal mask and pending signals:
    # blocked, a SIGTERM in between waits for the new process's handler instead of killing it.
    signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    os.execve(sys.executable, sys.orig_argv, env)  # noqa: S606 - this same program, no shell


def main(argv: list[str] | None = None) -> int:
    # First thing, before the ~1 s of importing the MCP SDK and uvicorn: as PID 1 (the container's
    # entrypoint) a signal whose action is the default one is dropped, so a `docker stop` in that
    # window would wait for SIGKILL. uvicorn installs its own handlers once it serves.
    for sig in STOP_SIGNALS:
        signal.signal(sig, _stop_during_startup)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)  # blocked across a re-exec
    parser = argparse.ArgumentParser(
        prog="galley",
        description="Galley MCP server. Settings come from GALLEY_* environment variables.",
    )
    parser.add_argument("--version", action="version", version=f"galley {__version__}")
    parser.add_argument("command", nargs="?", choices=("serve", "healthcheck"), default="serve")
    args = parser.parse_args(argv)

    if args.command == "healthcheck":
        problem = check_health()
        if problem is not None:
            print(f"galley: unhealthy: {problem}", file=sys.stderr)
            return EXIT_UNHEALTHY
        return 0

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"galley: error: {exc}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    if os.environ.get(TOKEN_VAR) and argv is None:
        _without_plaintext_token()
    # Imported here so `healthcheck` does not pay for loading the MCP SDK and uvicorn.
    from galley.server import serve

    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())

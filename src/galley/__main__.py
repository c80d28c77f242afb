"""Command line: `python -m galley [serve]` runs the server, `healthcheck` probes it."""

import argparse
import signal
import sys
from types import FrameType

from galley import __version__
from galley.healthcheck import check_health
from galley.settings import SettingsError, load_settings

EXIT_BAD_SETTINGS = 2
EXIT_UNHEALTHY = 1


def _stop_during_startup(sig: int, _: FrameType | None) -> None:
    print(f"galley: {signal.Signals(sig).name} during start-up: exiting", file=sys.stderr)
    sys.exit(0)


def main(argv: list[str] | None = None) -> int:
    # First thing, before the ~1 s of importing the MCP SDK and uvicorn: as PID 1 (the container's
    # entrypoint) a signal whose action is the default one is dropped, so a `docker stop` in that
    # window would wait for SIGKILL. uvicorn installs its own handlers once it serves.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, _stop_during_startup)
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
    # Imported here so `healthcheck` does not pay for loading the MCP SDK and uvicorn.
    from galley.server import serve

    return serve(settings)


if __name__ == "__main__":
    sys.exit(main())

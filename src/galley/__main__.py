"""Command line: `python -m galley [serve]` runs the server, `healthcheck` probes it."""

import argparse
import sys

from galley import __version__
from galley.healthcheck import check_health
from galley.settings import SettingsError, load_settings

EXIT_BAD_SETTINGS = 2
EXIT_UNHEALTHY = 1


def main(argv: list[str] | None = None) -> int:
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

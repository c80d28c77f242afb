"""`python -m galley healthcheck`: exit 0 iff the local /health answers 200 (stdlib only)."""

import os
import urllib.error
import urllib.request
from collections.abc import Mapping

from galley.settings import SettingsError, parse_port

TIMEOUT_SECONDS = 3.0


def check_health(env: Mapping[str, str] = os.environ) -> str | None:
    """Return why the local server is not healthy, or None when it is."""
    try:
        port = parse_port(env)
    except SettingsError as exc:
        return str(exc)
    url = f"http://127.0.0.1:{port}/health"
    # No proxies: HTTP(S)_PROXY in the container's environment must not capture loopback.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=TIMEOUT_SECONDS) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
        return f"{url} unreachable: {reason}"
    return None if status == 200 else f"{url} answered {status}"

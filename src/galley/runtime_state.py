"""State shared by the HTTP app and the server loop (one event loop, so no locks)."""

from dataclasses import dataclass


@dataclass
class RuntimeState:
    draining: bool = False
    """Set on SIGTERM: /ready answers 503 while in-flight requests finish."""
    in_flight: int = 0
    """Requests being served, not counting /health and /ready."""

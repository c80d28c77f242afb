"""State shared by the HTTP app and the server loop (one event loop, so no locks)."""

import asyncio
from dataclasses import dataclass, field


@dataclass
class RuntimeState:
    draining: bool = False
    """Set on SIGTERM: /ready answers 503 while in-flight requests finish."""
    in_flight: int = 0
    """Requests being served, not counting /health and /ready."""
    cut: asyncio.Event = field(default_factory=asyncio.Event)
    """Set when the drain is about to end: MCP requests still running end with an error."""

"""API Gateway request policies: parameter validations and rate limiting."""

from __future__ import annotations

import math
from collections.abc import Iterable

from oci_emulator.dataplane.desired import RateLimit, Validation

_MAX_TRACKED_KEYS = 10_000  # client IPs remembered at once (memory stays bounded)


def missing(validation: Validation | None, present: Iterable[str]) -> list[str]:
    """Required names absent from the request (presence only, as OCI checks)."""
    if validation is None or validation.mode == "DISABLED":
        return []
    have = set(present)
    return [name for name in validation.required if name not in have]


def refuses(validation: Validation | None, present: Iterable[str]) -> bool:
    """True when the request must be refused before the backend (ENFORCING and a miss)."""
    return bool(validation and validation.mode == "ENFORCING" and missing(validation, present))


class RateLimiter:
    """Token buckets per rate key: N requests per second, bursts of at most N."""

    def __init__(self, limit: RateLimit) -> None:
        self.limit = limit
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, last time)

    def key_for(self, client_ip: str) -> str:
        return client_ip if self.limit.key == "CLIENT_IP" else "TOTAL"

    def retry_after(self, client_ip: str, now: float) -> int | None:
        """None when the request may pass (a token is taken), else seconds until it may."""
        rate = self.limit.per_second
        key = self.key_for(client_ip)
        tokens, last = self._buckets.get(key, (rate, now))
        tokens = min(rate, tokens + (now - last) * rate)
        if tokens >= 1:
            self._remember(key, (tokens - 1, now))
            return None
        self._remember(key, (tokens, now))
        return max(1, math.ceil((1 - tokens) / rate))

    def _remember(self, key: str, bucket: tuple[float, float]) -> None:
        if key not in self._buckets and len(self._buckets) >= _MAX_TRACKED_KEYS:
            # Full buckets carry no information: forget the stalest key.
            self._buckets.pop(min(self._buckets, key=lambda k: self._buckets[k][1]))
        self._buckets[key] = bucket

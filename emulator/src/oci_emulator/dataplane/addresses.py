"""The address map: emulated private addresses (10.0.2.10:8000) -> ports published on loopback.

A private IP of the emulated VCN is only a name here. The gateway looks every backend up in this
map and connects to 127.0.0.1 at the published port; an address the map does not hold is
unreachable (the gateway answers 502), so nothing ever connects to a private address itself.
"""

from __future__ import annotations

LOOPBACK = "127.0.0.1"


class AddressMap:
    def __init__(self) -> None:
        self._ports: dict[tuple[str, int], int] = {}

    def replace(self, entries: dict[tuple[str, int], int]) -> None:
        """Swap in the whole map at once (readers never see a half-updated one)."""
        self._ports = dict(entries)

    def resolve(self, host: str, port: int) -> tuple[str, int] | None:
        """(127.0.0.1, published port) for a private address, or None when nothing serves it."""
        published = self._ports.get((host, port))
        return (LOOPBACK, published) if published is not None else None

    def as_dict(self) -> dict[str, str]:
        return {f"{h}:{p}": f"{LOOPBACK}:{port}" for (h, p), port in sorted(self._ports.items())}

"""What a served provider implements, on decoded Python values (the server does the wire work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from oci_emulator.plan import Path
from oci_emulator.schema import ProviderSchema


@dataclass
class Diag:
    summary: str
    detail: str = ""
    path: Path = field(default_factory=list)
    warning: bool = False


class ProviderFailure(Exception):
    """Ends a call with error diagnostics (shown by Terraform as `Error: <summary>`)."""

    def __init__(self, *diags: Diag) -> None:
        super().__init__("; ".join(d.summary for d in diags))
        self.diags = list(diags)


@dataclass
class PlanResult:
    planned: dict[str, Any] | None
    requires_replace: list[Path] = field(default_factory=list)


class Backend:
    """Base: generic no-op behaviour; subclasses implement the provider's resources."""

    def __init__(self, schema: ProviderSchema) -> None:
        self.schema = schema

    def configure(self, config: dict[str, Any]) -> None:
        return None

    def validate_resource(self, type_name: str, config: dict[str, Any]) -> list[Diag]:
        return []

    def validate_data_source(self, type_name: str, config: dict[str, Any]) -> list[Diag]:
        return []

    def plan(
        self,
        type_name: str,
        prior: dict[str, Any] | None,
        proposed: dict[str, Any] | None,
        config: dict[str, Any] | None,
    ) -> PlanResult:
        raise NotImplementedError

    def apply(
        self,
        type_name: str,
        prior: dict[str, Any] | None,
        planned: dict[str, Any] | None,
        config: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        raise NotImplementedError

    def read(self, type_name: str, state: dict[str, Any]) -> dict[str, Any] | None:
        return state

    def import_state(self, type_name: str, id_: str) -> dict[str, Any]:
        raise ProviderFailure(Diag(f"{type_name} does not support import"))

    def read_data_source(self, type_name: str, config: dict[str, Any]) -> dict[str, Any]:
        raise ProviderFailure(Diag(f"data source {type_name} is not served"))

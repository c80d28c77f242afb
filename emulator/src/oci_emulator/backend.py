"""What a served provider implements, on decoded Python values (the server does the wire work)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from oci_emulator.plan import Path
from oci_emulator.schema import ProviderSchema

State = dict[str, Any]  # a resource's decoded object value

# Which connection the current call came in on (gRPC's peer, e.g. "ipv4:127.0.0.1:53412").
# Terraform opens one connection per provider configuration, so a backend serving several
# configurations (reattach mode) keeps per-configuration settings under this key.
CALLER: ContextVar[str] = ContextVar("caller", default="")


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
    planned: State | None
    requires_replace: list[Path] = field(default_factory=list)


class Backend:
    """Base: generic no-op behaviour; subclasses implement the provider's resources."""

    def __init__(self, schema: ProviderSchema) -> None:
        self.schema = schema

    def configure(self, config: State) -> None:
        return None

    def validate_resource(self, type_name: str, config: State) -> list[Diag]:
        return []

    def validate_data_source(self, type_name: str, config: State) -> list[Diag]:
        return []

    def plan(
        self, type_name: str, prior: State | None, proposed: State | None, config: State | None
    ) -> PlanResult:
        if proposed is None:
            return PlanResult(None)  # a destroy: Terraform plans null
        return self.plan_change(type_name, prior, proposed, config)

    def apply(
        self, type_name: str, prior: State | None, planned: State | None, config: State | None
    ) -> State | None:
        if planned is None:
            assert prior is not None
            self.delete(type_name, prior)
            return None
        return self.apply_change(type_name, prior, planned)

    # What subclasses implement: a create (prior None) or an update, and a delete.

    def plan_change(
        self, type_name: str, prior: State | None, proposed: State, config: State | None = None
    ) -> PlanResult:
        raise NotImplementedError

    def apply_change(self, type_name: str, prior: State | None, planned: State) -> State:
        raise NotImplementedError

    def delete(self, type_name: str, prior: State) -> None:
        return None

    def read(self, type_name: str, state: State) -> State | None:
        return state

    def import_state(self, type_name: str, id_: str) -> State:
        raise ProviderFailure(Diag(f"{type_name} does not support import"))

    def read_data_source(self, type_name: str, config: State) -> State:
        raise ProviderFailure(Diag(f"data source {type_name} is not served"))

"""The tfplugin6 gRPC service: wire format in, Backend calls, wire format out."""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Callable
from functools import wraps
from typing import Any

from tf.gen import tfplugin_pb2 as pb
from tf.gen import tfplugin_pb2_grpc as rpc

from oci_emulator import schema as schema_mod
from oci_emulator.backend import CALLER, Backend, Diag, ProviderFailure
from oci_emulator.plan import Path
from oci_emulator.values import conform, decode, encode

# One schema response per provider, shared by every service instance of the process.
_SCHEMA_RESPONSES: dict[str, Any] = {}
_SCHEMA_LOCK = threading.Lock()
_CAPABILITIES = pb.ServerCapabilities(plan_destroy=False, get_provider_schema_optional=True)


def _attr_path(path: Path) -> Any:
    return pb.AttributePath(
        steps=[
            pb.AttributePath.Step(element_key_int=step)
            if isinstance(step, int)
            else pb.AttributePath.Step(attribute_name=step)
            for step in path
        ]
    )


def _diag(d: Diag) -> Any:
    severity = pb.Diagnostic.WARNING if d.warning else pb.Diagnostic.ERROR
    kwargs: dict[str, Any] = {"severity": severity, "summary": d.summary, "detail": d.detail}
    if d.path:
        kwargs["attribute"] = _attr_path(d.path)
    return pb.Diagnostic(**kwargs)


def _guarded(response_type: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a ProviderFailure (or a crash) into error diagnostics instead of a gRPC failure."""

    def decorate(method: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(method)
        def wrapper(self: ProviderService, request: Any, context: Any) -> Any:
            caller = CALLER.set(context.peer() if context is not None else "")
            try:
                return method(self, request, context)
            except ProviderFailure as failure:
                return response_type(diagnostics=[_diag(d) for d in failure.diags])
            except Exception as exc:
                traceback.print_exc(file=sys.stderr)
                return response_type(
                    diagnostics=[_diag(Diag(f"emulator internal error: {exc!r}", method.__name__))]
                )
            finally:
                CALLER.reset(caller)

        return wrapper

    return decorate


class ProviderService(rpc.ProviderServicer):
    def __init__(self, backend: Backend) -> None:
        self.backend = backend
        self.schema = backend.schema

    def _build_schema_response(self) -> Any:
        # Built on first use: ~0.1 s that most of Terraform's short-lived provider processes
        # skip, since the capability below lets Terraform reuse a schema it already has.
        return pb.GetProviderSchema.Response(
            provider=schema_mod.to_proto(self.schema.provider, pb),
            resource_schemas={
                n: schema_mod.to_proto(s, pb) for n, s in self.schema.resources.items()
            },
            data_source_schemas={
                n: schema_mod.to_proto(s, pb) for n, s in self.schema.data_sources.items()
            },
            server_capabilities=_CAPABILITIES,
        )

    def _type(self, type_name: str, data: bool = False) -> Any:
        table = self.schema.data_sources if data else self.schema.resources
        if type_name not in table:
            raise ProviderFailure(Diag(f"unknown {'data source' if data else 'resource'} type"))
        return table[type_name].block.implied_type()

    # --- schema and configuration ------------------------------------------------------------

    def GetMetadata(self, request: Any, context: Any) -> Any:
        return pb.GetMetadata.Response(
            server_capabilities=_CAPABILITIES,
            resources=[pb.GetMetadata.ResourceMetadata(type_name=n) for n in self.schema.resources],
            data_sources=[
                pb.GetMetadata.DataSourceMetadata(type_name=n) for n in self.schema.data_sources
            ],
        )

    def GetProviderSchema(self, request: Any, context: Any) -> Any:
        address = self.schema.spec.address
        with _SCHEMA_LOCK:
            if address not in _SCHEMA_RESPONSES:
                _SCHEMA_RESPONSES[address] = self._build_schema_response()
        return _SCHEMA_RESPONSES[address]

    @_guarded(pb.ValidateProviderConfig.Response)
    def ValidateProviderConfig(self, request: Any, context: Any) -> Any:
        return pb.ValidateProviderConfig.Response()

    @_guarded(pb.ConfigureProvider.Response)
    def ConfigureProvider(self, request: Any, context: Any) -> Any:
        self.backend.configure(decode(request.config) or {})
        return pb.ConfigureProvider.Response()

    @_guarded(pb.ValidateResourceConfig.Response)
    def ValidateResourceConfig(self, request: Any, context: Any) -> Any:
        diags = self.backend.validate_resource(request.type_name, decode(request.config) or {})
        return pb.ValidateResourceConfig.Response(diagnostics=[_diag(d) for d in diags])

    @_guarded(pb.ValidateDataResourceConfig.Response)
    def ValidateDataResourceConfig(self, request: Any, context: Any) -> Any:
        diags = self.backend.validate_data_source(request.type_name, decode(request.config) or {})
        return pb.ValidateDataResourceConfig.Response(diagnostics=[_diag(d) for d in diags])

    @_guarded(pb.UpgradeResourceState.Response)
    def UpgradeResourceState(self, request: Any, context: Any) -> Any:
        type_ = self._type(request.type_name)
        raw = json.loads(request.raw_state.json) if request.raw_state.json else {}
        return pb.UpgradeResourceState.Response(
            upgraded_state=pb.DynamicValue(msgpack=encode(conform(raw, type_), type_))
        )

    # --- resources ---------------------------------------------------------------------------

    @_guarded(pb.ReadResource.Response)
    def ReadResource(self, request: Any, context: Any) -> Any:
        type_ = self._type(request.type_name)
        state = decode(request.current_state)
        new_state = None if state is None else self.backend.read(request.type_name, state)
        return pb.ReadResource.Response(
            new_state=pb.DynamicValue(msgpack=encode(new_state, type_)), private=request.private
        )

    @_guarded(pb.PlanResourceChange.Response)
    def PlanResourceChange(self, request: Any, context: Any) -> Any:
        type_ = self._type(request.type_name)
        result = self.backend.plan(
            request.type_name,
            decode(request.prior_state),
            decode(request.proposed_new_state),
            decode(request.config),
        )
        return pb.PlanResourceChange.Response(
            planned_state=pb.DynamicValue(msgpack=encode(result.planned, type_)),
            requires_replace=[_attr_path(p) for p in result.requires_replace],
            planned_private=request.prior_private,
        )

    @_guarded(pb.ApplyResourceChange.Response)
    def ApplyResourceChange(self, request: Any, context: Any) -> Any:
        type_ = self._type(request.type_name)
        new_state = self.backend.apply(
            request.type_name,
            decode(request.prior_state),
            decode(request.planned_state),
            decode(request.config),
        )
        return pb.ApplyResourceChange.Response(
            new_state=pb.DynamicValue(msgpack=encode(new_state, type_)),
            private=request.planned_private,
        )

    @_guarded(pb.ImportResourceState.Response)
    def ImportResourceState(self, request: Any, context: Any) -> Any:
        type_ = self._type(request.type_name)
        state = self.backend.import_state(request.type_name, request.id)
        return pb.ImportResourceState.Response(
            imported_resources=[
                pb.ImportResourceState.ImportedResource(
                    type_name=request.type_name,
                    state=pb.DynamicValue(msgpack=encode(state, type_)),
                )
            ]
        )

    @_guarded(pb.MoveResourceState.Response)
    def MoveResourceState(self, request: Any, context: Any) -> Any:
        raise ProviderFailure(Diag("moving resource state between types is not supported"))

    @_guarded(pb.ReadDataSource.Response)
    def ReadDataSource(self, request: Any, context: Any) -> Any:
        type_ = self._type(request.type_name, data=True)
        state = self.backend.read_data_source(request.type_name, decode(request.config) or {})
        return pb.ReadDataSource.Response(state=pb.DynamicValue(msgpack=encode(state, type_)))

    def GetFunctions(self, request: Any, context: Any) -> Any:
        return pb.GetFunctions.Response()

    def StopProvider(self, request: Any, context: Any) -> Any:
        return pb.StopProvider.Response()


def make_backend(source: str, store: Any = None) -> Backend:
    """The backend for `oracle/oci`, `hashicorp/random` or `hashicorp/time`, schema loaded."""
    loaded = schema_mod.load_provider_schema(source)
    if source == schema_mod.RANDOM.source:
        from oci_emulator.random_resources import RandomBackend

        return RandomBackend(loaded)
    if source == schema_mod.TIME.source:
        from oci_emulator.time_resources import TimeBackend

        return TimeBackend(loaded)
    from oci_emulator.oci_backend import OciBackend

    return OciBackend(loaded, store)

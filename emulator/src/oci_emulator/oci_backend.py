"""oracle/oci: generic schema-driven resources in the persistent cloud, plus the OCI API rules.

Type-specific behaviour lives in `oci_emulator.oci.api` (written separately); every type it does
not list in RESOURCE_TYPES / DATA_SOURCE_TYPES gets the generic behaviour here.
"""

from __future__ import annotations

import importlib
from collections import OrderedDict
from types import ModuleType
from typing import Any

from oci_emulator import ocids
from oci_emulator.backend import CALLER, Backend, Diag, PlanResult, ProviderFailure, State
from oci_emulator.dataplane.daemon import running_pid
from oci_emulator.oci import work_requests
from oci_emulator.plan import (
    Path,
    fill_unknowns,
    keep_planned,
    mark_computed_unknown,
    plan_generic,
    requires_replace,
    zero_value,
)
from oci_emulator.schema import Attribute, CtyType, ProviderSchema
from oci_emulator.store import Store, World
from oci_emulator.validation import validate
from oci_emulator.values import UNKNOWN, conform

_API_MODULE = "oci_emulator.oci.api"
# Provider configurations remembered per connection; Terraform opens a handful per command.
_MAX_CALLERS = 1024


def load_api() -> ModuleType | None:
    """The OCI rules module, or None when it is not installed (generic behaviour only)."""
    try:
        return importlib.import_module(_API_MODULE)
    except ModuleNotFoundError as exc:
        if exc.name in ("oci_emulator.oci", _API_MODULE):
            return None
        raise


def _lifecycle_state(type_name: str) -> str:
    # Networking resources report AVAILABLE; most other OCI services report ACTIVE.
    return "AVAILABLE" if type_name.startswith("oci_core_") else "ACTIVE"


def resource_id(type_name: str, attrs: dict[str, Any], world: World) -> str:
    """The id the real provider gives a resource: an OCID, or a path for object storage."""
    ns = attrs.get("namespace") or world.namespace
    if type_name == "oci_objectstorage_bucket":
        return f"n/{ns}/b/{attrs.get('name')}"
    if type_name == "oci_objectstorage_object":
        return f"n/{ns}/b/{attrs.get('bucket')}/o/{attrs.get('object')}"
    if type_name == "oci_objectstorage_object_lifecycle_policy":
        return f"n/{ns}/b/{attrs.get('bucket')}/l"
    if type_name in ("oci_core_default_route_table", "oci_core_default_security_list"):
        return str(attrs.get("manage_default_resource_id"))
    if type_name == "oci_core_route_table_attachment":
        return f"{attrs.get('subnet_id')}/{attrs.get('route_table_id')}"
    if type_name == "oci_core_network_security_group_security_rule":
        return ocids.short_id()
    return ocids.new_ocid(ocids.kind_for(type_name), world.region)


class OciBackend(Backend):
    def __init__(self, schema: ProviderSchema, store: Store | None = None) -> None:
        super().__init__(schema)
        self._store = store
        # Region per provider configuration (connection), and the last one configured: the
        # fallback for calls whose connection cannot be told apart (unix sockets).
        self._regions: OrderedDict[str, str | None] = OrderedDict()
        self._last_region: str | None = None
        self._api: ModuleType | None = None
        self._api_loaded = False

    @property
    def store(self) -> Store:
        # Opened on first use: a process that only validates never creates a state directory.
        if self._store is None:
            self._store = Store()
        return self._store

    @property
    def region(self) -> str | None:
        """The region of the provider configuration making the current call."""
        caller = CALLER.get()
        if caller in self._regions:
            return self._regions[caller]
        return self._last_region

    @property
    def api(self) -> ModuleType | None:
        # Loaded on first use: validate-only provider processes never need the rules.
        if not self._api_loaded:
            self._api, self._api_loaded = load_api(), True
        return self._api

    @api.setter
    def api(self, module: Any) -> None:
        self._api, self._api_loaded = module, True

    # --- helpers -----------------------------------------------------------------------------

    def _has_rules(self, type_name: str, kind: str = "RESOURCE_TYPES") -> bool:
        return self.api is not None and type_name in getattr(self.api, kind, set())

    def _api_call(self, fn: str, *args: Any) -> Any:
        assert self.api is not None
        try:
            return getattr(self.api, fn)(*args)
        except self.api.OciError as exc:
            raise ProviderFailure(
                Diag(str(exc), f"Service error during {fn} of {args[0]}")
            ) from exc

    def _filler(self, type_name: str, world: World, rules: bool = False) -> Any:
        """Generic values for what the plan left unknown.

        With rules for the type, optional+computed attributes stay null: the rules decide their
        value (a default, or null), and "" would read as a value the user set. Without rules,
        every unknown gets a non-null value, since config may interpolate it.
        """

        def fill(path: Path, attr: Attribute | None, type_: CtyType) -> Any:
            names = [p for p in path if isinstance(p, str)]
            name = names[-1] if names else ""
            if rules and attr is not None and attr.optional and name not in ("state", "id"):
                return None
            if type_ != "string":
                return zero_value(type_)
            if path == ["id"]:
                return None  # resource_id() fills it once the other attributes are known
            if name in ("state", "lifecycle_state"):
                return _lifecycle_state(type_name)
            if name.startswith("time_"):
                return ocids.now()
            if name in ("compartment_id", "tenancy_id"):
                return world.tenancy_id
            if name == "namespace":
                return world.namespace
            if name == "region":
                return world.region
            if name.endswith("_id") and not (attr and attr.optional):
                # Only provider-made references get an OCID; an optional one left unset stays empty.
                return ocids.new_ocid(name.removesuffix("_id").replace("_", ""), world.region)
            return ""

        return fill

    def _block(self, type_name: str, data: bool = False) -> Any:
        table = self.schema.data_sources if data else self.schema.resources
        if type_name not in table:
            kind = "data source" if data else "resource type"
            raise ProviderFailure(Diag(f"{kind} {type_name} is not in the loaded schema"))
        return table[type_name].block

    def _conformed(self, type_name: str, attrs: dict[str, Any]) -> dict[str, Any]:
        return conform(attrs, self._block(type_name).implied_type())

    # --- provider calls ----------------------------------------------------------------------

    def configure(self, config: dict[str, Any]) -> None:
        region = config.get("region")
        # Unknown (a region derived from a resource not yet created) counts as not set.
        region = region if isinstance(region, str) and region else None
        self._last_region = region
        caller = CALLER.get()
        self._regions[caller] = region
        self._regions.move_to_end(caller)
        while len(self._regions) > _MAX_CALLERS:
            self._regions.popitem(last=False)

    def validate_resource(self, type_name: str, config: dict[str, Any]) -> list[Diag]:
        rules = self.schema.validations(type_name)
        return [Diag(p.message, "", p.path) for p in validate(rules, config)]

    def plan_change(
        self, type_name: str, prior: State | None, proposed: State, config: State | None = None
    ) -> PlanResult:
        block = self._block(type_name)
        planned = plan_generic(block, prior, proposed)
        if prior is not None and proposed != prior and self.api is not None:
            # An in-place update: what the service recomputes must not keep its prior value,
            # or the rules' new value would be discarded at apply (known planned values win).
            for name in getattr(self.api, "RECOMPUTED_ON_UPDATE", {}).get(type_name, ()):
                attr = block.attributes.get(name)
                if attr is not None and attr.computed and not attr.optional:
                    planned[name] = UNKNOWN
        return PlanResult(
            planned, requires_replace(self.schema.force_new(type_name), prior, planned)
        )

    def delete(self, type_name: str, prior: State) -> None:
        with self.store.transaction(self.region) as world:
            kept = None
            if self._has_rules(type_name):
                # A rule may return what stays in the cloud instead (a VCN's default security
                # list is reset, not deleted, when Terraform stops managing it).
                kept = self._api_call("delete", type_name, prior, world)
            kept = kept or work_requests.deleting(type_name, prior, world.region)
            if isinstance(kept, dict):
                world.resources[str(prior.get("id"))] = kept
            else:
                world.resources.pop(str(prior.get("id")), None)
            world.compartment_parent.pop(str(prior.get("id")), None)
        data_plane = running_pid(self.store.state_dir) is not None
        work_requests.finish_delete(self.store, type_name, prior, data_plane)

    def apply_change(self, type_name: str, prior: State | None, planned: State) -> State:
        records_only = running_pid(self.store.state_dir) is None
        if prior is None and type_name == "oci_container_instances_container_instance":
            self._admit(type_name, planned)
        block = self._block(type_name)
        with self.store.transaction(self.region) as world:
            rules = self._has_rules(type_name)
            filled = fill_unknowns(block, planned, self._filler(type_name, world, rules))
            if prior is None:
                filled["id"] = filled.get("id") or resource_id(type_name, filled, world)
                call: tuple[Any, ...] = ("create", type_name, filled, world)
            else:
                filled["id"] = filled.get("id") or prior.get("id")
                call = ("update", type_name, prior, filled, world)
            result = {**filled, **(self._api_call(*call) or {})} if rules else filled
            if records_only and type_name == "oci_container_instances_container_instance":
                _recorded_as_healthy(result)
            new_state = self._conformed(type_name, keep_planned(planned, result))
            if prior is not None and prior.get("id") != new_state["id"]:
                world.resources.pop(str(prior.get("id")), None)
            world.resources[new_state["id"]] = {
                "type": type_name,
                "id": new_state["id"],
                "attrs": new_state,
            }
            if type_name == "oci_identity_compartment":
                world.compartment_parent[new_state["id"]] = new_state["compartment_id"]
            work_requests.begin(type_name, prior, world.resources[new_state["id"]], world.region)
        # The provider waits for the work request it started (oci/work_requests.py).
        try:
            final = work_requests.finish(self.store, type_name, prior, new_state, not records_only)
        except work_requests.WorkRequestFailed as exc:
            raise ProviderFailure(Diag(str(exc))) from exc
        return self._conformed(type_name, keep_planned(planned, final))

    def _admit(self, type_name: str, planned: State) -> None:
        """A data plane running for this cloud refuses what it could not run (dataplane/)."""
        from oci_emulator.dataplane.admission import refusal

        region = self.region or self.store.snapshot().region
        problem = refusal(self.store.state_dir, type_name, planned, region)
        if problem is not None:
            raise ProviderFailure(Diag(problem))

    def read(self, type_name: str, state: dict[str, Any]) -> dict[str, Any] | None:
        record = self.store.snapshot(self.region).resources.get(str(state.get("id")))
        if record is None or record["type"] != type_name:
            return None  # gone from the cloud: Terraform plans to create it again
        return self._conformed(type_name, record["attrs"])

    def import_state(self, type_name: str, id_: str) -> dict[str, Any]:
        record = self.store.snapshot(self.region).resources.get(id_)
        if record is None or record["type"] != type_name:
            raise ProviderFailure(
                Diag(
                    f"404-NotAuthorizedOrNotFound: {type_name} {id_} not found "
                    "or not authorized to be accessed",
                )
            )
        return self._conformed(type_name, record["attrs"])

    def read_data_source(self, type_name: str, config: dict[str, Any]) -> dict[str, Any]:
        block = self._block(type_name, data=True)
        marked = mark_computed_unknown(block, config) or {}
        world = self.store.snapshot(self.region)
        rules = self._has_rules(type_name, "DATA_SOURCE_TYPES")
        filled = fill_unknowns(block, marked, self._filler(type_name, world, rules))
        if not filled.get("id"):
            filled["id"] = ocids.new_ocid(ocids.kind_for(type_name), world.region)
        if rules:
            filled.update(self._api_call("read_data_source", type_name, config, world) or {})
        return conform(keep_planned(marked, filled), block.implied_type())


def _recorded_as_healthy(instance: State) -> None:
    """Without a data plane nothing runs, and the cloud records every container instance as a
    working one (ACTIVE, as it always has): its health checks read HEALTHY. With a data plane,
    the checks start UNKNOWN and the data plane writes what it observes."""
    for container in instance.get("containers") or []:
        for check in container.get("health_checks") or []:
            check["status"] = "HEALTHY"
            check["status_details"] = "no data plane: the container is recorded, not run"

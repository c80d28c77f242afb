"""Generic, schema-driven planning: unknown computed values, forced replacement, apply-time fills.

Works on decoded values (see values.py) and the block schemas of schema.py, so it applies equally
to every resource type in the schema files, nested blocks included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oci_emulator.schema import Attribute, Block, CtyType
from oci_emulator.values import UNKNOWN, Unknown, contains_unknown

Path = list[str | int]


def mark_computed_unknown(
    block: Block, value: dict[str, Any] | None, prior: dict[str, Any] | None = None
) -> dict[str, Any] | None:
    """Computed attributes left null in a *new* object become unknown, at every depth.

    Terraform interpolates such attributes into other resources at plan time; null there would
    break templates at apply ("Invalid template interpolation value"). An object that already
    exists (`prior`) keeps its values, null ones included, as the SDK-based provider does: an
    in-place change must not turn e.g. a null force-new attribute into "known after apply".
    """
    if value is None or isinstance(value, Unknown):
        return value
    out = dict(value)
    if prior is None:
        for name, attr in block.attributes.items():
            if attr.computed and out.get(name) is None:
                out[name] = UNKNOWN
    for name, nb in block.block_types.items():
        current = out.get(name)
        if current is None or isinstance(current, Unknown):
            continue
        before = None if prior is None else prior.get(name)
        if nb.nesting == "list":
            olds = before if isinstance(before, list) else []
            out[name] = [
                mark_computed_unknown(nb.block, e, olds[i] if i < len(olds) else None)
                for i, e in enumerate(current)
            ]
        elif nb.nesting == "set":
            olds = before if isinstance(before, list) else []
            out[name] = [
                mark_computed_unknown(nb.block, e, _matching(nb.block, e, olds)) for e in current
            ]
        elif nb.nesting == "map":
            olds = before if isinstance(before, dict) else {}
            out[name] = {
                k: mark_computed_unknown(nb.block, e, olds.get(k)) for k, e in current.items()
            }
        else:
            out[name] = mark_computed_unknown(
                nb.block, current, before if isinstance(before, dict) else None
            )
    return out


def _configurable(block: Block, value: dict[str, Any]) -> dict[str, Any]:
    return {
        k: v
        for k, v in value.items()
        if k in block.block_types
        or not block.attributes[k].computed
        or block.attributes[k].optional
    }


def _matching(block: Block, element: Any, candidates: list[Any]) -> dict[str, Any] | None:
    """The prior set element this one continues: same values apart from computed-only ones."""
    if not isinstance(element, dict):
        return None
    key = _configurable(block, element)
    for candidate in candidates:
        if isinstance(candidate, dict) and _configurable(block, candidate) == key:
            return candidate
    return None


def plan_generic(
    block: Block, prior: dict[str, Any] | None, proposed: dict[str, Any]
) -> dict[str, Any]:
    """The SDK-like plan: Terraform's proposed state, with unknowns where the provider computes.

    On update Terraform's proposed state already carries the prior computed values for
    attributes the config leaves null, so an in-place change keeps them.
    """
    if prior is not None and proposed == prior:
        return proposed
    planned = mark_computed_unknown(block, proposed, prior)
    assert planned is not None
    return planned


def _values_at(value: Any, segments: list[str]) -> Any:
    """Everything found at a dotted path, descending through lists of nested blocks."""
    if not segments or value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, list):
        return [_values_at(e, segments) for e in value]
    if isinstance(value, dict):
        return _values_at(value.get(segments[0]), segments[1:])
    return None


def requires_replace(
    force_new: list[str], prior: dict[str, Any] | None, planned: dict[str, Any]
) -> list[Path]:
    """Top-level attribute paths whose force-new values change (or become unknown)."""
    if prior is None:
        return []
    hits: list[Path] = []
    for dotted in force_new:
        segments = dotted.split(".")
        before = _values_at(prior, segments)
        after = _values_at(planned, segments)
        if (contains_unknown(after) or before != after) and [segments[0]] not in hits:
            hits.append([segments[0]])
    return hits


# --- apply-time filling ------------------------------------------------------------------------

Filler = Callable[[Path, Attribute | None, CtyType], Any]


def fill_unknowns(block: Block, value: Any, filler: Filler, path: Path | None = None) -> Any:
    """Replace every unknown left in a planned object with a value from `filler`."""
    path = path or []
    if value is None:
        return None
    if isinstance(value, Unknown):
        return filler(path, None, block.implied_type())
    out = dict(value)
    for name, attr in block.attributes.items():
        out[name] = _fill_value(out.get(name), attr.type, filler, [*path, name], attr)
    for name, nb in block.block_types.items():
        current = out.get(name)
        if isinstance(current, Unknown) or current is None:
            out[name] = [] if nb.nesting in ("list", "set") else None
        elif nb.nesting in ("list", "set"):
            out[name] = [
                fill_unknowns(nb.block, e, filler, [*path, name, i]) for i, e in enumerate(current)
            ]
        elif nb.nesting == "map":
            out[name] = {
                k: fill_unknowns(nb.block, e, filler, [*path, name, k]) for k, e in current.items()
            }
        else:
            out[name] = fill_unknowns(nb.block, current, filler, [*path, name])
    return out


def _fill_value(value: Any, type_: CtyType, filler: Filler, path: Path, attr: Attribute) -> Any:
    if isinstance(value, Unknown):
        return filler(path, attr, type_)
    if value is None or isinstance(type_, str):
        return value
    kind = type_[0]
    if kind in ("list", "set"):
        return [_fill_value(v, type_[1], filler, [*path, i], attr) for i, v in enumerate(value)]
    if kind == "map":
        return {k: _fill_value(v, type_[1], filler, [*path, k], attr) for k, v in value.items()}
    if kind == "object":
        return {
            k: _fill_value(value.get(k), t, filler, [*path, k], attr) for k, t in type_[1].items()
        }
    return value


def zero_value(type_: CtyType) -> Any:
    """An empty value of a type (never null: config may interpolate it)."""
    if type_ == "string":
        return ""
    if type_ == "number":
        return 0
    if type_ == "bool":
        return False
    if isinstance(type_, list):
        if type_[0] in ("list", "set", "tuple"):
            return []
        if type_[0] == "map":
            return {}
        if type_[0] == "object":
            return {k: zero_value(t) for k, t in type_[1].items()}
    return None


def keep_planned(planned: Any, result: Any) -> Any:
    """Known planned values win over a backend's result: Terraform rejects any that changed."""
    if isinstance(planned, Unknown):
        return result
    if isinstance(planned, dict) and isinstance(result, dict):
        return {k: keep_planned(v, result.get(k)) for k, v in planned.items()}
    if (
        isinstance(planned, list)
        and isinstance(result, list)
        and len(planned) == len(result)
        and contains_unknown(planned)
    ):
        return [keep_planned(p, r) for p, r in zip(planned, result, strict=True)]
    return planned

"""hashicorp/random: random_password, random_string and random_id as the real provider has them.

Values come from `secrets`; every argument forces a new value (as in the real provider), so
values stay stable across plans until an argument or a keeper changes.
"""

from __future__ import annotations

import base64
import importlib.util
import secrets
from typing import Any

from oci_emulator.backend import Backend, Diag, PlanResult, ProviderFailure
from oci_emulator.plan import Path
from oci_emulator.values import UNKNOWN, Unknown, conform

LOWER = "abcdefghijklmnopqrstuvwxyz"
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
NUMERIC = "0123456789"
SPECIAL = "!@#$%&*()-_=+[]{}<>:?"

_STRING_ARGS = (
    "keepers",
    "length",
    "lower",
    "min_lower",
    "min_numeric",
    "min_special",
    "min_upper",
    "number",
    "numeric",
    "override_special",
    "special",
    "upper",
)
_ID_ARGS = ("byte_length", "keepers", "prefix")
_MINS = ("min_upper", "min_lower", "min_numeric", "min_special")
_BOOL_DEFAULTS = ("lower", "upper", "special")

HAVE_BCRYPT = importlib.util.find_spec("bcrypt") is not None


def _known(value: Any) -> bool:
    return value is not None and not isinstance(value, Unknown)


def generate_string(attrs: dict[str, Any]) -> str:
    """A random string honouring length, the enabled classes and their minimum counts."""
    special = attrs.get("override_special") or SPECIAL
    classes = [
        (attrs["upper"], UPPER, attrs["min_upper"]),
        (attrs["lower"], LOWER, attrs["min_lower"]),
        (attrs["numeric"], NUMERIC, attrs["min_numeric"]),
        (attrs["special"], special, attrs["min_special"]),
    ]
    chars: list[str] = []
    pool = ""
    for enabled, alphabet, minimum in classes:
        if enabled:
            pool += alphabet
            chars.extend(secrets.choice(alphabet) for _ in range(int(minimum)))
    if not pool:
        raise ProviderFailure(Diag("no character classes enabled: nothing to generate from"))
    chars.extend(secrets.choice(pool) for _ in range(int(attrs["length"]) - len(chars)))
    # Fisher-Yates with a CSPRNG, so the guaranteed characters are not at the front.
    for i in range(len(chars) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def _with_defaults(attrs: dict[str, Any]) -> dict[str, Any]:
    out = dict(attrs)
    for name in _BOOL_DEFAULTS:
        if out.get(name) is None:
            out[name] = True
    # `number` is the deprecated spelling of `numeric`; the provider keeps them equal.
    numeric = out.get("numeric")
    number = out.get("number")
    value = numeric if numeric is not None else number if number is not None else True
    out["numeric"] = out["number"] = value
    for name in _MINS:
        if out.get(name) is None:
            out[name] = 0
    return out


def _bcrypt(result: str) -> str | None:
    if not HAVE_BCRYPT:
        return None  # documented: without the optional bcrypt package the hash stays null
    import bcrypt

    return bcrypt.hashpw(result.encode(), bcrypt.gensalt()).decode()


def id_values(raw: bytes, prefix: str | None) -> dict[str, str]:
    prefix = prefix or ""
    return {
        "id": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "b64_url": prefix + base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "b64_std": prefix + base64.b64encode(raw).decode(),
        "hex": prefix + raw.hex(),
        "dec": prefix + str(int.from_bytes(raw, "big")),
    }


class RandomBackend(Backend):
    def _args(self, type_name: str) -> tuple[str, ...]:
        return _ID_ARGS if type_name == "random_id" else _STRING_ARGS

    def validate_resource(self, type_name: str, config: dict[str, Any]) -> list[Diag]:
        if type_name == "random_id":
            size = config.get("byte_length")
            if _known(size) and size < 1:
                return [
                    Diag(
                        "Invalid Attribute Value",
                        f"Attribute byte_length value must be at least 1, got: {size}",
                        ["byte_length"],
                    )
                ]
            return []
        length = config.get("length")
        if not _known(length):
            return []
        if length < 1:
            return [
                Diag(
                    "Invalid Attribute Value",
                    f"Attribute length value must be at least 1, got: {length}",
                    ["length"],
                )
            ]
        mins = [config.get(m) for m in _MINS]
        if all(_known(m) or m is None for m in mins):
            total = sum(int(m or 0) for m in mins)
            if length < total:
                return [
                    Diag(
                        "Invalid Attribute Value",
                        "Attribute length value must be at least sum of min_upper + min_lower + "
                        f"min_numeric + min_special, got: {length}",
                        ["length"],
                    )
                ]
        return []

    def plan(
        self,
        type_name: str,
        prior: dict[str, Any] | None,
        proposed: dict[str, Any] | None,
        config: dict[str, Any] | None,
    ) -> PlanResult:
        if proposed is None:
            return PlanResult(None)
        if prior is not None:
            planned = dict(proposed)
            if type_name != "random_id":
                planned = _with_defaults(planned)
            changed: list[Path] = [
                [name] for name in self._args(type_name) if planned.get(name) != prior.get(name)
            ]
            if not changed:
                return PlanResult(prior)
            return PlanResult(planned, changed)
        planned = dict(proposed)
        if type_name == "random_id":
            for name in ("id", "b64_url", "b64_std", "hex", "dec"):
                planned[name] = UNKNOWN
        else:
            planned = _with_defaults(planned)
            planned["id"] = UNKNOWN
            planned["result"] = UNKNOWN
            if type_name == "random_password":
                planned["bcrypt_hash"] = UNKNOWN
        return PlanResult(planned)

    def apply(
        self,
        type_name: str,
        prior: dict[str, Any] | None,
        planned: dict[str, Any] | None,
        config: dict[str, Any] | None,
    ) -> dict[str, Any] | None:
        if planned is None:
            return None
        if prior is not None and not any(isinstance(v, Unknown) for v in planned.values()):
            return planned
        state = dict(planned)
        if type_name == "random_id":
            state.update(id_values(secrets.token_bytes(int(state["byte_length"])), state["prefix"]))
        else:
            result = generate_string(state)
            state["result"] = result
            if type_name == "random_password":
                state["id"] = "none"
                state["bcrypt_hash"] = _bcrypt(result)
            else:
                state["id"] = result
        return conform(state, self.schema.resources[type_name].block.implied_type())

    def import_state(self, type_name: str, id_: str) -> dict[str, Any]:
        if type_name == "random_id":
            padded = id_ + "=" * (-len(id_) % 4)
            try:
                raw = base64.urlsafe_b64decode(padded)
            except ValueError as exc:
                raise ProviderFailure(
                    Diag("Invalid import id", f"{id_!r} is not a base64url-encoded random_id")
                ) from exc
            state: dict[str, Any] = {"byte_length": len(raw), "prefix": None, "keepers": None}
            state.update(id_values(raw, None))
        else:
            state = _with_defaults({"length": len(id_), "result": id_, "keepers": None})
            state["id"] = "none" if type_name == "random_password" else id_
            if type_name == "random_password":
                state["bcrypt_hash"] = _bcrypt(id_)
        return conform(state, self.schema.resources[type_name].block.implied_type())

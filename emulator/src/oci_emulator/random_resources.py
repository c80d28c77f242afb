"""hashicorp/random: random_password, random_string and random_id as the real provider has them.

Values come from `secrets`; every argument forces a new value (as in the real provider), so
values stay stable across plans until an argument or a keeper changes.
"""

from __future__ import annotations

import base64
import secrets
from typing import Any

from oci_emulator.backend import Backend, Diag, PlanResult, ProviderFailure, State
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


def _known(value: Any) -> bool:
    return value is not None and not isinstance(value, Unknown)


def generate_string(attrs: dict[str, Any]) -> str:
    """A random string of `length`: the `min_*` characters of each class, the rest from the pool.

    As the real provider's CreateString: every class's minimum is added even when the class is
    disabled (upper=false, min_upper=3 gives three capitals); only the fill comes from the
    enabled classes.
    """
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
        chars.extend(secrets.choice(alphabet) for _ in range(int(minimum)))
        if enabled:
            pool += alphabet
    rest = int(attrs["length"]) - len(chars)
    if rest > 0 and not pool:
        raise ProviderFailure(Diag("no character classes enabled: nothing to generate from"))
    chars.extend(secrets.choice(pool) for _ in range(rest))
    # Fisher-Yates with a CSPRNG, so the guaranteed characters are not at the front.
    for i in range(len(chars) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        chars[i], chars[j] = chars[j], chars[i]
    return "".join(chars)


def _with_defaults(attrs: dict[str, Any], config: dict[str, Any] | None = None) -> dict[str, Any]:
    out = dict(attrs)
    for name in _BOOL_DEFAULTS:
        if out.get(name) is None:
            out[name] = True
    # `number` is the deprecated spelling of `numeric`; the provider keeps them equal. On an
    # update both carry prior values, so the one the configuration sets decides (`number` when
    # only it is set), as the provider's NumberNumericAttributePlanModifier does.
    numeric = out.get("numeric")
    number = out.get("number")
    if config is not None and config.get("numeric") is None and config.get("number") is not None:
        numeric = config["number"]
    value = numeric if numeric is not None else number if number is not None else True
    out["numeric"] = out["number"] = value
    for name in _MINS:
        if out.get(name) is None:
            out[name] = 0
    return out


def bcrypt_hash(result: str) -> str:
    """The hash the real provider stores: Go's bcrypt ("$2a$", DefaultCost 10).

    bcrypt reads at most 72 bytes; the provider truncates longer passwords itself (since 3.5.1),
    where the `bcrypt` package would refuse them.
    """
    import bcrypt  # imported when a password is made, not at every plugin start

    return bcrypt.hashpw(result.encode()[:72], bcrypt.gensalt(rounds=10, prefix=b"2a")).decode()


def id_values(raw: bytes, prefix: str | None) -> dict[str, str]:
    prefix = prefix or ""
    return {
        "id": base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "b64_url": prefix + base64.urlsafe_b64encode(raw).decode().rstrip("="),
        "b64_std": prefix + base64.b64encode(raw).decode(),
        "hex": prefix + raw.hex(),
        "dec": prefix + str(int.from_bytes(raw, "big")),
    }


def _too_small(name: str, bound: str, value: Any) -> list[Diag]:
    message = f"Attribute {name} value must be at least {bound}, got: {value}"
    return [Diag("Invalid Attribute Value", message, [name])]


class RandomBackend(Backend):
    def _args(self, type_name: str) -> tuple[str, ...]:
        return _ID_ARGS if type_name == "random_id" else _STRING_ARGS

    def validate_resource(self, type_name: str, config: dict[str, Any]) -> list[Diag]:
        if type_name == "random_id":
            size = config.get("byte_length")
            return _too_small("byte_length", "1", size) if _known(size) and size < 1 else []
        length = config.get("length")
        if not _known(length):
            return []
        if length < 1:
            return _too_small("length", "1", length)
        mins = [config.get(m) for m in _MINS]
        if all(_known(m) or m is None for m in mins) and length < sum(int(m or 0) for m in mins):
            bound = "sum of min_upper + min_lower + min_numeric + min_special"
            return _too_small("length", bound, length)
        return []

    def plan_change(
        self, type_name: str, prior: State | None, proposed: State, config: State | None = None
    ) -> PlanResult:
        planned = dict(proposed) if type_name == "random_id" else _with_defaults(proposed, config)
        if prior is not None:
            changed: list[Path] = [
                [name] for name in self._args(type_name) if planned.get(name) != prior.get(name)
            ]
            return PlanResult(planned, changed) if changed else PlanResult(prior)
        if type_name == "random_id":
            for name in ("id", "b64_url", "b64_std", "hex", "dec"):
                planned[name] = UNKNOWN
        else:
            planned["id"] = UNKNOWN
            planned["result"] = UNKNOWN
            if type_name == "random_password":
                planned["bcrypt_hash"] = UNKNOWN
        return PlanResult(planned)

    def apply_change(self, type_name: str, prior: State | None, planned: State) -> State:
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
                state["bcrypt_hash"] = bcrypt_hash(result)
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
                state["bcrypt_hash"] = bcrypt_hash(id_)
        return conform(state, self.schema.resources[type_name].block.implied_type())

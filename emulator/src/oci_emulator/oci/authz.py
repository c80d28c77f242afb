"""Request-time authorization: whether the policies in the cloud let a principal make one call.

OCI decides every API call against the policies in effect ("How Policies Work"): a statement
grants when one of its subjects is the caller, its verb and resource type (or permission list)
cover a permission the operation needs, its location contains the target's compartment and its
``where`` clause holds for the request. Here, unlike the create-time checks of ``iam_policy`` and
``image_pull`` (which give the benefit of the doubt), what cannot be shown to grant does not:
- a ``where`` condition on a variable the request does not have is false, as OCI documents for
  variables that do not apply to a request ("Conditions");
- a dynamic group grants only when the cloud holds it and its matching rule matches the
  principal (a group made outside the emulated cloud matches nothing);
- a compartment named by a path the cloud does not hold covers nothing.

Statements still propagating (``propagation.py``) do not grant yet; a removed one stops at once.
Which permissions each verb gives and which each operation needs: ``OBJECT_STORAGE`` below, from
OCI's "Details for Object Storage and Archive Storage" (emulator/README.md).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from . import propagation
from . import world as w
from .errors import OciError
from .iam_policy import VERBS, Condition, Location, Statement, Subject, parse_statement


@dataclass(frozen=True)
class Principal:
    """Who calls: a resource principal (a container instance) with the claims of its token."""

    type: str  # e.g. "computecontainerinstance"
    id: str
    compartment_id: str
    tenancy_id: str
    # The resource's defined tags, "<namespace>.<key>" -> value (the provider's form), for the
    # ``tag.*`` clauses of matching rules. When the cloud holds the resource, its current tags
    # are used instead (``_with_current_tags``): a tag change applies to the next request.
    defined_tags: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class ResourceType:
    """Permissions each verb adds for one resource type (cumulative: read has inspect's)."""

    name: str
    family: str
    by_verb: Mapping[str, tuple[str, ...]]

    def granted(self, verb: str) -> set[str]:
        upto = VERBS[: VERBS.index(verb) + 1]
        return {p for v in upto for p in self.by_verb.get(v, ())}


# "Details for Object Storage and Archive Storage", Details for Verb + Resource-Type Combinations.
OBJECT_STORAGE = (
    ResourceType(
        "buckets",
        "object-family",
        {
            "inspect": ("BUCKET_INSPECT",),
            "read": ("BUCKET_READ",),
            "use": ("BUCKET_UPDATE",),
            "manage": (
                "BUCKET_CREATE",
                "BUCKET_DELETE",
                "PAR_MANAGE",
                "RETENTION_RULE_MANAGE",
                "RETENTION_RULE_LOCK",
            ),
        },
    ),
    ResourceType(
        "objects",
        "object-family",
        {
            "inspect": ("OBJECT_INSPECT",),
            "read": ("OBJECT_READ",),
            "use": ("OBJECT_OVERWRITE",),
            "manage": (
                "OBJECT_CREATE",
                "OBJECT_DELETE",
                "OBJECT_VERSION_DELETE",
                "OBJECT_RESTORE",
                "OBJECT_UPDATE_TIER",
            ),
        },
    ),
    ResourceType(
        "objectstorage-namespaces",
        "object-family",
        {"read": ("OBJECTSTORAGE_NAMESPACE_READ",), "manage": ("OBJECTSTORAGE_NAMESPACE_UPDATE",)},
    ),
)
# "Logging Policy Reference": log-groups and log-content, in logging-family; PutLogs (ingestion)
# takes `use log-content`, and `target.loggroup.id` narrows it to one log group. The permission
# names are the emulator's (unverified: the reference names none for ingestion).
LOGGING = (
    ResourceType(
        "log-groups",
        "logging-family",
        {
            "inspect": ("LOG_GROUP_INSPECT",),
            "read": ("LOG_GROUP_READ",),
            "use": ("LOG_GROUP_UPDATE",),
            "manage": ("LOG_GROUP_CREATE", "LOG_GROUP_DELETE"),
        },
    ),
    ResourceType(
        "log-content",
        "logging-family",
        {"read": ("LOG_CONTENT_READ",), "use": ("LOG_CONTENT_PUSH",)},
    ),
)
_TYPES = (*OBJECT_STORAGE, *LOGGING)
RESOURCE_TYPES = {t.name: t for t in _TYPES}
_OWNER = {p: t for t in _TYPES for perms in t.by_verb.values() for p in perms}


@dataclass(frozen=True)
class Target:
    """What a call acts on: the compartment holding it and the policy variables it sets."""

    compartment_id: str
    variables: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    # Seconds until a statement that would grant it takes effect (None: nothing would).
    pending_s: float | None = None


def _principal_variables(principal: Principal) -> dict[str, str]:
    return {
        "request.principal.type": principal.type,
        "request.principal.id": principal.id,
        "request.principal.compartment.id": principal.compartment_id,
    }


# --- dynamic groups: matching rules ------------------------------------------------------------

_RULE_CLAUSE = re.compile(r"^\s*([a-z][a-z0-9_.]*)\s*(=|!=)\s*'([^']*)'\s*$", re.IGNORECASE)
# ``tag.<namespace>.<key>.value = '<value>'`` (or ``!=``), or ``tag.<namespace>.<key>.value``
# alone: the tag is set, whatever its value ("Writing Matching Rules to Define Dynamic Groups").
# Namespace and key names hold no '.' or space ("Creating a Tag Namespace", "Creating a Tag Key
# Definition").
_TAG_CLAUSE = re.compile(
    r"^\s*tag\.([^.\s=!']+)\.([^.\s=!']+)\.value\s*(?:(=|!=)\s*'([^']*)')?\s*$", re.IGNORECASE
)


def _split_top(body: str) -> list[str]:
    """``body`` split at the commas outside braces."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(body):
        depth += ch == "{"
        depth -= ch == "}"
        if ch == "," and depth == 0:
            parts.append(body[start:i])
            start = i + 1
    parts.append(body[start:])
    return parts


def rule_matches(rule: str, principal: Principal) -> bool:
    """Whether a dynamic group's matching rule holds for ``principal``.

    Rules are ``ANY {…}`` / ``ALL {…}`` of clauses (nesting allowed) or one clause, a clause
    comparing ``resource.type``, ``resource.id``, ``resource.compartment.id`` (or the
    ``instance.*`` forms of compute) with a quoted value, or a defined tag of the principal's
    resource, ``tag.<namespace>.<key>.value`` with or without ``= '<value>'`` ("Writing
    Matching Rules to Define Dynamic Groups"). A clause on anything else (another service's
    variables) is false.
    """
    text = rule.strip()
    grouped = re.match(r"^(all|any)\s*\{(.*)\}$", text, re.IGNORECASE | re.DOTALL)
    if grouped:
        results = [rule_matches(part, principal) for part in _split_top(grouped.group(2))]
        return any(results) if grouped.group(1).lower() == "any" else all(results)
    tag = _TAG_CLAUSE.match(text)
    if tag is not None:
        return _tag_clause_holds(tag, principal)
    found = _RULE_CLAUSE.match(text)
    if found is None:
        return False
    actual = {
        "resource.type": principal.type,
        "resource.id": principal.id,
        "resource.compartment.id": principal.compartment_id,
        "instance.id": principal.id if principal.type == "instance" else None,
        "instance.compartment.id": (
            principal.compartment_id if principal.type == "instance" else None
        ),
    }.get(found.group(1).lower())
    if actual is None:
        return False
    # Resource types are compared without case ("computecontainerinstance"); OCIDs exactly.
    same = (
        actual.lower() == found.group(3).lower()
        if found.group(1).lower() == "resource.type"
        else actual == found.group(3)
    )
    return same == (found.group(2) == "=")


def _tag_clause_holds(clause: re.Match[str], principal: Principal) -> bool:
    """Tag namespace and key names are case-insensitive ("Creating a Tag Namespace"); the value
    is compared exactly (unverified: OCI does not say). A resource without the tag fails both
    ``=`` and ``!=`` (a variable that does not apply, as for policy conditions)."""
    wanted = f"{clause.group(1)}.{clause.group(2)}".lower()
    tags = {str(k).lower(): str(v) for k, v in principal.defined_tags.items()}
    if wanted not in tags:
        return False
    if clause.group(3) is None:
        return True  # tag.<namespace>.<key>.value alone: tagged, any value
    return (tags[wanted] == clause.group(4)) == (clause.group(3) == "=")


def _with_current_tags(world: w.WorldView, principal: Principal) -> Principal:
    """``principal`` with its resource's defined tags as the cloud holds them now (its token
    carries none); unchanged when the cloud does not hold the resource."""
    for resource in w.of_type(world, "oci_container_instances_container_instance"):
        if resource["id"] == principal.id:
            tags = resource["attrs"].get("defined_tags") or {}
            return replace(principal, defined_tags=dict(tags))
    return principal


def _is_caller(world: w.WorldView, subject: Subject, principal: Principal) -> bool:
    if subject.kind == "any-user":
        return True
    if subject.kind != "dynamic-group":
        return False  # groups and any-group hold users; a service is not a resource principal
    wanted = subject.value.rsplit("/", 1)[-1]  # 'Domain'/'Group': the Default domain's group
    for group in w.of_type(world, "oci_identity_dynamic_group"):
        by_id = str(group["id"]) == wanted
        by_name = str(group["attrs"].get("name") or "").lower() == wanted.lower()
        if by_id or by_name:
            rule = str(group["attrs"].get("matching_rule") or "")
            return rule_matches(rule, _with_current_tags(world, principal))
    return False


# --- locations and conditions --------------------------------------------------------------------


def _named(world: w.WorldView, path: str, policy_compartment: str) -> list[str]:
    """Compartments named by ``path`` ("A:B") below the policy's compartment."""
    by_id = {r["id"]: r["attrs"] for r in w.of_type(world, "oci_identity_compartment")}
    found = []
    for ocid in by_id:
        node, ok = ocid, True
        for name in reversed(path.split(":")):
            if node not in by_id or by_id[node].get("name") != name:
                ok = False
                break
            node = by_id[node].get("compartment_id")
        if ok and policy_compartment in w.ancestors(world, ocid):
            found.append(ocid)
    return found


def _covers(world: w.WorldView, location: Location, policy_compartment: str, target: str) -> bool:
    if location.kind == "tenancy":
        return True
    chain = w.ancestors(world, target)
    if location.kind == "id":
        return location.value in chain
    return any(c in chain for c in _named(world, location.value, policy_compartment))


def _matches(actual: str, value: str, variable: str) -> bool:
    # Object Storage: "Condition matching is case insensitive" for target.bucket.name.
    if variable == "target.bucket.name":
        actual, value = actual.lower(), value.lower()
    if len(value) > 1 and value.startswith("/") and value.endswith("/"):
        return fnmatch.fnmatchcase(actual, value[1:-1])
    return actual == value


def holds(condition: Condition | None, variables: Mapping[str, str]) -> bool:
    """A ``where`` clause, strictly: a variable the request does not set makes it false."""
    if condition is None:
        return True
    if condition.kind == "all":
        return all(holds(c, variables) for c in condition.children)
    if condition.kind == "any":
        return any(holds(c, variables) for c in condition.children)
    actual = variables.get(condition.variable)
    if actual is None or condition.operator not in ("=", "!=", "in"):
        return False  # before/after/between compare times: none of the emulated calls sets one
    values = [
        variables.get(v[1:]) if v.startswith("$") else v for v in condition.values
    ]  # "$target.x": another variable's value
    hit = any(v is not None and _matches(actual, v, condition.variable) for v in values)
    return not hit if condition.operator == "!=" else hit


def _grants_permission(statement: Statement, permission: str) -> bool:
    if not statement.verb:
        return permission in statement.permissions
    owner = _OWNER.get(permission)
    if owner is None:
        return False
    named = set(statement.resources)
    if not named & {owner.name, owner.family, "all-resources"}:
        return False
    return permission in owner.granted(statement.verb)


# --- the decision --------------------------------------------------------------------------------


def _waits(
    world: w.WorldView, principal: Principal, permission: str, target: Target
) -> Iterable[float]:
    """For each statement granting ``permission`` to ``principal`` on ``target``: seconds until
    it takes effect (0: in effect)."""
    variables = {
        **_principal_variables(principal),
        "target.compartment.id": target.compartment_id,
        "request.permission": permission,
        **target.variables,
    }
    for policy in w.of_type(world, "oci_identity_policy"):
        home = str(policy["attrs"].get("compartment_id"))
        for text in policy["attrs"].get("statements") or []:
            try:
                statement = parse_statement(text)
            except OciError:
                continue
            if statement.head != "allow" or statement.location is None:
                continue
            if not _grants_permission(statement, permission):
                continue
            if not any(_is_caller(world, s, principal) for s in statement.subjects):
                continue
            if not _covers(world, statement.location, home, target.compartment_id):
                continue
            if holds(statement.condition, variables):
                yield propagation.remaining(world, str(policy["id"]), text)


def decide(
    world: w.WorldView, principal: Principal, permissions: Iterable[str], target: Target
) -> Decision:
    """Whether every one of ``permissions`` is granted now (each by some statement in effect)."""
    pending: float | None = None
    allowed = True
    for permission in permissions:
        waits = list(_waits(world, principal, permission, target))
        if any(left == 0 for left in waits):
            continue
        allowed = False
        if not waits:
            return Decision(False, None)  # one permission nothing would grant: not pending
        soonest = min(waits)
        pending = soonest if pending is None else max(pending, soonest)
    return Decision(allowed, None if allowed else pending)

"""IAM policy rules: a tokenizer and parser for policy statements, and the compartment subtree.

The grammar follows OCI's "Policy Syntax" page:
  Allow <subjects> to <verb> <resource-type>[, ...] | {PERMISSION, ...} in <location>
        [where <condition> | any {<condition>, ...} | all {<condition>, ...}]
  Define / Endorse / Admit statements (cross-tenancy) are checked for their keywords only.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NoReturn, TypeVar

from . import propagation
from . import world as w
from .errors import OciError, conflict, invalid, limit_exceeded
from .identity import check_description
from .ocids import ocid_type, require_compartment

Attrs = dict[str, Any]
T = TypeVar("T")

VERBS = ("inspect", "read", "use", "manage")
# Resource types are not a closed list: OCI adds services (and their types) all the time, so any
# well-formed name is accepted, like "cloud-shell" or "generative-ai-family".
_RESOURCE_TYPE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_SUBJECT_WORDS = ("group", "dynamic-group", "any-user", "any-group", "service")
_VARIABLE = re.compile(r"^(request|target)\.[A-Za-z0-9_.\-]+$")
_NAME = re.compile(r"^[A-Za-z0-9_.\-@+]+$")
# A compartment may be named by its path below the policy's compartment: "Parent:Child".
_COMPARTMENT_PATH = re.compile(r"^[A-Za-z0-9_.\-@+]+(:[A-Za-z0-9_.\-@+]+)*$")


@dataclass(frozen=True)
class Token:
    kind: str  # WORD, STR, PATTERN, PUNCT, OP
    text: str


@dataclass(frozen=True)
class Location:
    kind: str  # "tenancy", "id", "name"
    value: str


@dataclass(frozen=True)
class Subject:
    kind: str  # group, dynamic-group, any-user, any-group, service
    value: str = ""  # a name, "id <ocid>" as the OCID, or "" for any-*


@dataclass(frozen=True)
class Condition:
    """``where`` clauses: ("all"|"any", children) or a comparison (var, op, values)."""

    kind: str  # "all", "any", "cmp"
    children: tuple[Condition, ...] = ()
    variable: str = ""
    operator: str = ""
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statement:
    head: str  # allow, define, endorse, admit
    subjects: tuple[Subject, ...] = ()
    verb: str = ""  # "" when the statement lists permissions instead
    resources: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()
    location: Location | None = None
    condition: Condition | None = None


def tokenize(statement: str) -> list[Token]:
    tokens: list[Token] = []
    i, n = 0, len(statement)
    in_condition = False  # /pattern/ values exist only in the where clause
    while i < n:
        ch = statement[i]
        if ch.isspace():
            i += 1
        elif ch in "'\"":
            end = statement.find(ch, i + 1)
            if end < 0:
                raise invalid(f"unterminated quote in policy statement: {statement!r}")
            tokens.append(Token("STR", statement[i + 1 : end]))
            i = end + 1
        elif ch in ",{}()":
            tokens.append(Token("PUNCT", ch))
            i += 1
        elif statement.startswith("!=", i):
            tokens.append(Token("OP", "!="))
            i += 2
        elif ch == "=":
            tokens.append(Token("OP", "="))
            i += 1
        elif ch == "/":
            if not in_condition:  # Domain/Group or 'Domain'/'Group' names a subject
                tokens.append(Token("PUNCT", "/"))
                i += 1
                continue
            end = statement.find("/", i + 1)
            if end < 0:
                raise invalid(f"unterminated /pattern/ in policy statement: {statement!r}")
            tokens.append(Token("PATTERN", statement[i : end + 1]))
            i = end + 1
        else:
            start = i
            while i < n and not statement[i].isspace() and statement[i] not in ",{}()='\"!/":
                i += 1
            if i == start:
                raise invalid(f"unexpected character {ch!r} in policy statement: {statement!r}")
            tokens.append(Token("WORD", statement[start:i]))
            in_condition = in_condition or statement[start:i].lower() == "where"
    return tokens


class _Parser:
    def __init__(self, statement: str) -> None:
        self.statement = statement
        self.tokens = tokenize(statement)
        self.pos = 0
        self.locations: list[Location] = []

    # -- token helpers
    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self, expected: str) -> Token:
        tok = self.peek()
        if tok is None:
            self.fail(f"ended early, expected {expected}")
        self.pos += 1
        return tok

    def at_word(self, *words: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "WORD" and tok.text.lower() in words

    def at_punct(self, ch: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "PUNCT" and tok.text == ch

    def keyword(self, *words: str) -> str:
        tok = self.next(" or ".join(repr(x) for x in words))
        if tok.kind != "WORD" or tok.text.lower() not in words:
            self.fail(f"expected {' or '.join(repr(x) for x in words)}, got {tok.text!r}")
        return tok.text.lower()

    def punct(self, ch: str) -> None:
        tok = self.next(repr(ch))
        if tok.kind != "PUNCT" or tok.text != ch:
            self.fail(f"expected {ch!r}, got {tok.text!r}")

    def fail(self, why: str) -> NoReturn:
        raise invalid(f"policy statement {self.statement!r} is invalid: {why}")

    # -- grammar
    def statement_(self) -> Statement:
        head = self.keyword("allow", "define", "endorse", "admit")
        if head == "define":
            self.keyword("tenancy", "group", "dynamic-group")
            self.name("name")
            self.keyword("as")
            self.ocid_value("definition")
            return Statement(head)
        if head in ("endorse", "admit"):
            if not any(t.kind == "WORD" and t.text.lower() == "to" for t in self.tokens):
                self.fail(f"{head} statement needs 'to <verb> <resource>'")
            return Statement(head)
        subjects = self.subjects()
        self.keyword("to")
        verb, resources, permissions = self.verb_part()
        self.keyword("in")
        self.location()
        condition = None
        if self.peek() is not None:
            self.keyword("where")
            condition = self.condition()
        if self.peek() is not None:
            self.fail(f"unexpected {self.tokens[self.pos].text!r} after the statement")
        return Statement(head, subjects, verb, resources, permissions, self.locations[0], condition)

    def name(self, what: str, pattern: re.Pattern[str] = _NAME) -> str:
        tok = self.next(what)
        if tok.kind == "STR":
            return tok.text
        if tok.kind != "WORD" or not pattern.match(tok.text):
            self.fail(f"expected a {what}, got {tok.text!r}")
        return tok.text

    def ocid_value(self, what: str, *types: str) -> str:
        tok = self.next(f"{what} OCID")
        kind = ocid_type(tok.text)
        if kind is None:
            self.fail(f"{what} {tok.text!r} is not an OCID")
        if types and kind not in types:
            self.fail(
                f"{what} {tok.text} is an OCID of type {kind!r}, expected " + " or ".join(types)
            )
        return tok.text

    def subjects(self) -> tuple[Subject, ...]:
        found = [self.subject()]
        while self.at_punct(","):
            self.pos += 1
            if found[-1].kind == "service" and not self.at_word(*_SUBJECT_WORDS):
                # "service blockstorage, objectstorage-us-ashburn-1": one list of services.
                found.append(Subject("service", self.name("service name")))
            else:
                found.append(self.subject())
        return tuple(found)

    def subject(self) -> Subject:
        word = self.keyword(*_SUBJECT_WORDS)
        if word in ("any-user", "any-group"):
            return Subject(word)
        if word == "service":
            return Subject(word, self.name("service name"))
        if self.at_word("id"):
            self.pos += 1
            return Subject(
                word, self.ocid_value(f"{word} id", "group" if word == "group" else "dynamicgroup")
            )
        tok = self.peek()
        if tok is not None and tok.kind == "WORD" and tok.text.startswith("ocid1."):
            self.fail(f"{word} {tok.text} needs 'id' before an OCID ({word} id <ocid>)")
        name = self.name(f"{word} name")
        if self.at_punct("/"):  # 'IdentityDomain'/'GroupName'
            self.pos += 1
            name = f"{name}/{self.name(f'{word} name')}"
        return Subject(word, name)

    def verb_part(self) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
        if self.at_punct("{"):
            self.pos += 1
            permissions = [self.name("permission")]
            while self.at_punct(","):
                self.pos += 1
                permissions.append(self.name("permission"))
            self.punct("}")
            return "", (), tuple(p.upper() for p in permissions)
        verb = self.next("a verb")
        if verb.text.lower() not in VERBS:
            self.fail(f"verb {verb.text!r} is not one of {', '.join(VERBS)}")
        resources = [self.resource()]
        while self.at_punct(","):
            self.pos += 1
            resources.append(self.resource())
        return verb.text.lower(), tuple(resources), ()

    def resource(self) -> str:
        tok = self.next("a resource type")
        if tok.kind != "WORD" or not _RESOURCE_TYPE.match(tok.text.lower()):
            self.fail(
                f"resource type {tok.text!r} is not a resource type or family name "
                "(lower-case words joined by '-', e.g. buckets or object-family)"
            )
        return tok.text.lower()

    def location(self) -> None:
        where = self.keyword("tenancy", "compartment")
        if where == "tenancy":
            self.locations.append(Location("tenancy", ""))
            return
        if self.at_word("id"):
            self.pos += 1
            value = self.ocid_value("compartment id", "compartment", "tenancy")
            self.locations.append(Location("id", value))
            return
        tok = self.peek()
        if tok is not None and tok.text.startswith("ocid1."):
            self.fail(
                f"'compartment {tok.text}' names an OCID without 'id' "
                f"(write 'compartment id {tok.text}')"
            )
        self.locations.append(Location("name", self.name("compartment name", _COMPARTMENT_PATH)))

    def delimited(self, opening: str, item: Callable[[], T], closing: str) -> tuple[T, ...]:
        """``opening item (, item)* closing``."""
        self.punct(opening)
        items = [item()]
        while self.at_punct(","):
            self.pos += 1
            items.append(item())
        self.punct(closing)
        return tuple(items)

    def condition(self) -> Condition:
        if self.at_word("any", "all"):
            kind = self.next("any or all").text.lower()
            return Condition(kind, self.delimited("{", self.condition, "}"))
        var = self.next("a condition variable")
        if var.kind != "WORD" or not _VARIABLE.match(var.text):
            self.fail(
                f"condition variable {var.text!r} is invalid (expected request.* or target.*)"
            )
        op = self.next("an operator")
        operator = op.text.lower()
        if op.kind == "OP" or (op.kind == "WORD" and operator in ("before", "after")):
            values: tuple[str, ...] = (self.value(),)
        elif op.kind == "WORD" and operator == "between":
            low = self.value()
            self.keyword("and")
            values = (low, self.value())
        elif op.kind == "WORD" and operator == "in":
            values = self.delimited("(", self.value, ")")
        else:
            self.fail(
                f"operator {op.text!r} is invalid (expected =, !=, before, after, between or in)"
            )
        return Condition("cmp", variable=var.text.lower(), operator=operator, values=values)

    def value(self) -> str:
        tok = self.next("a value")
        if tok.kind in ("STR", "PATTERN"):
            return tok.text
        if tok.kind == "WORD" and _VARIABLE.match(tok.text):
            return "$" + tok.text.lower()  # another variable: not a literal
        self.fail(f"condition value {tok.text} must be quoted ('{tok.text}')")


@lru_cache(maxsize=4096)
def parse_statement(statement: str) -> Statement:
    """``statement`` parsed (400 with the reason when invalid); cached, statements repeat."""
    if not isinstance(statement, str) or not statement.strip():
        raise invalid("policy statement is empty")
    return _Parser(statement).statement_()


def parse(statement: str) -> list[Location]:
    """Check ``statement``; return the locations it names (400 with the reason when invalid)."""
    location = parse_statement(statement).location
    return [location] if location else []


def _named_compartments(world: w.WorldView, path: str) -> list[str]:
    """Known compartments whose name path ends with ``path`` ("A:B")."""
    parts = path.split(":")
    by_id = {r["id"]: r["attrs"] for r in w.of_type(world, "oci_identity_compartment")}
    found = []
    for ocid in by_id:
        chain, node, ok = list(reversed(parts)), ocid, True
        for name in chain:
            if node not in by_id or by_id[node].get("name") != name:
                ok = False
                break
            node = by_id[node].get("compartment_id")
        if ok:
            found.append(ocid)
    return found


def _check_subtree(attrs: Attrs, location: Location, world: w.WorldView) -> None:
    home = attrs["compartment_id"]
    if location.kind == "name":
        candidates = _named_compartments(world, location.value)
        if not candidates:
            return  # a compartment the emulator does not manage: existence assumed
        if any(home in w.ancestors(world, c) for c in candidates):
            return
        target = f"{location.value} ({', '.join(candidates)})"
    else:
        named = world.tenancy_id if location.kind == "tenancy" else location.value
        if home in w.ancestors(world, named):
            return
        target = named
    raise invalid(
        f"compartment {target} is not part of the policy compartment subtree "
        f"(policy compartment {home})"
    )


# Statements per policy: OCI's documented figure (Private Cloud Appliance "Policy Statements";
# commercial OCI's IAM limits page lists the same, unverified here).
MAX_STATEMENTS_PER_POLICY = 50
# Statements along one compartment path, root to leaf: a hard limit ("Policy Statements Limit
# per Compartment Hierarchy").
MAX_STATEMENTS_PER_HIERARCHY = 500


def _check_hierarchy(attrs: Attrs, world: w.WorldView) -> None:
    """Every root-to-leaf path through the policy's compartment stays within the limit."""
    counts = [
        (p["attrs"].get("compartment_id"), len(p["attrs"].get("statements") or []))
        for p in w.other(world, "oci_identity_policy", attrs.get("id"))
    ]
    counts.append((attrs["compartment_id"], len(attrs["statements"])))
    for compartment in {c for c, _ in counts}:
        chain = w.ancestors(world, compartment)
        if attrs["compartment_id"] not in chain:
            continue  # a path that does not pass through this policy's compartment
        used = sum(n for c, n in counts if c in chain)
        if used > MAX_STATEMENTS_PER_HIERARCHY:
            raise OciError(
                400,
                "LimitExceeded",
                "You have reached the maximum number of policy statements allowed for this "
                f"compartment hierarchy (Limit: {MAX_STATEMENTS_PER_HIERARCHY}, Current Usage: "
                f"{used})",
            )


def _validate(attrs: Attrs, world: w.WorldView) -> None:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    name = attrs.get("name")
    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_.\- ]{1,100}$", name):
        raise invalid(
            f"policy name {name!r} is invalid (expected 1-100 letters, digits, "
            "spaces, '-', '_' or '.')"
        )
    check_description("policy", attrs.get("description"))
    statements = attrs.get("statements") or []
    if not statements:
        raise invalid(f"policy {name} has no statements (at least one is required)")
    if len(statements) > MAX_STATEMENTS_PER_POLICY:
        raise limit_exceeded(
            f"policy {name} has {len(statements)} statements "
            f"(limit {MAX_STATEMENTS_PER_POLICY} per policy)"
        )
    for statement in statements:
        for location in parse(statement):
            _check_subtree(attrs, location, world)
    for other in w.other(world, "oci_identity_policy", attrs.get("id")):
        if other["attrs"].get("name") == name:
            raise conflict(
                f"a policy named {name!r} already exists in the tenancy "
                f"({other['id']}); policy names are unique across the tenancy"
            )
    _check_hierarchy(attrs, world)


def create(attrs: Attrs, world: w.WorldView) -> Attrs:
    _validate(attrs, world)
    attrs["ETag"] = attrs["lastUpdateETag"] = w.etag()
    attrs["policyHash"] = w.digest(*attrs["statements"], length=32)
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={})
    propagation.record(world, str(attrs["id"]), attrs["statements"])
    return attrs


def update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    _validate(attrs, world)
    attrs["ETag"] = prior.get("ETag")
    attrs["lastUpdateETag"] = w.etag()
    attrs["policyHash"] = w.digest(*attrs["statements"], length=32)
    propagation.record(world, str(attrs["id"]), attrs["statements"])
    return attrs


def delete(attrs: Attrs, world: w.WorldView) -> None:
    propagation.forget(world, str(attrs.get("id")))


# --- what the policies in the cloud allow ----------------------------------------------------


@dataclass(frozen=True)
class Need:
    """A permission a service principal needs: ``verb`` on one of ``resources``.

    ``permission_prefix`` matches statements written as permission lists ({KEY_READ, ...}).
    """

    verb: str
    resources: frozenset[str]
    permission_prefix: str


def _covers(location: Location, policy: Attrs, compartment: str, world: w.WorldView) -> bool:
    chain = w.ancestors(world, compartment)
    if location.kind == "tenancy":
        return True
    if location.kind == "id":
        return location.value in chain
    candidates = [
        c
        for c in _named_compartments(world, location.value)
        if policy.get("compartment_id") in w.ancestors(world, c)
    ]
    # A name the emulator does not know cannot be disproved: counted as covering (permissive).
    return not candidates or any(c in chain for c in candidates)


def _holds(condition: Condition | None, variables: dict[str, str]) -> bool:
    """A where clause against known variables; what cannot be evaluated counts as true."""
    if condition is None:
        return True
    if condition.kind == "all":
        return all(_holds(c, variables) for c in condition.children)
    if condition.kind == "any":
        return any(_holds(c, variables) for c in condition.children)
    actual = variables.get(condition.variable)
    literals = [v for v in condition.values if not v.startswith("$")]
    if actual is None or condition.operator not in ("=", "!=", "in") or not literals:
        return True

    def match(value: str) -> bool:
        if len(value) > 1 and value.startswith("/") and value.endswith("/"):
            return fnmatch.fnmatchcase(actual, value[1:-1])
        return actual == value

    hit = any(match(v) for v in literals)
    return not hit if condition.operator == "!=" else hit


def service_allowed(
    world: w.WorldView,
    service: str,
    need: Need,
    compartment: str,
    variables: dict[str, str],
) -> bool:
    """Whether a policy in the cloud lets ``service`` (a service principal) do ``need`` on a
    resource in ``compartment`` whose policy variables are ``variables``, now (a statement
    still propagating does not count: ``service_grant_pending``)."""
    return any(left == 0 for left in _service_grants(world, service, need, compartment, variables))


def service_grant_pending(
    world: w.WorldView,
    service: str,
    need: Need,
    compartment: str,
    variables: dict[str, str],
) -> float | None:
    """Seconds until the first statement that would allow it takes effect; None when none
    would (the grant is missing, not propagating)."""
    return min(_service_grants(world, service, need, compartment, variables), default=None)


def _service_grants(
    world: w.WorldView, service: str, need: Need, compartment: str, variables: dict[str, str]
) -> Iterator[float]:
    def is_service(s: Subject) -> bool:
        return s.kind == "any-user" or (s.kind == "service" and s.value.lower() == service)

    return grants(world, is_service, need, compartment, variables)


def grants(
    world: w.WorldView,
    subject: Callable[[Subject], bool],
    need: Need,
    compartment: str | None,
    variables: dict[str, str],
) -> Iterator[float]:
    """For each allow statement that names a ``subject`` and grants ``need``: seconds until it
    takes effect (0: in effect). ``compartment`` None: the target's compartment is unknown, so
    every location counts."""
    rank = VERBS.index(need.verb)
    for policy in w.of_type(world, "oci_identity_policy"):
        for text in policy["attrs"].get("statements") or []:
            try:
                st = parse_statement(text)
            except OciError:
                continue
            if st.head != "allow" or st.location is None:
                continue
            if not any(subject(s) for s in st.subjects):
                continue
            if st.verb:
                if VERBS.index(st.verb) < rank or not (
                    set(st.resources) & (need.resources | {"all-resources"})
                ):
                    continue
            elif not any(p.startswith(need.permission_prefix) for p in st.permissions):
                continue
            covered = compartment is None or _covers(
                st.location, policy["attrs"], compartment, world
            )
            if covered and _holds(st.condition, variables):
                yield propagation.remaining(world, str(policy["id"]), text)

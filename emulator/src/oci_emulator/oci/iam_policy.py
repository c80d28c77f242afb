"""IAM policy rules: a tokenizer and parser for policy statements, and the compartment subtree.

The grammar follows OCI's "Policy Syntax" page:
  Allow <subjects> to <verb> <resource-type>[, ...] | {PERMISSION, ...} in <location>
        [where <condition> | any {<condition>, ...} | all {<condition>, ...}]
  Define / Endorse / Admit statements (cross-tenancy) are checked for their keywords only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

from . import world as w
from .errors import conflict, invalid
from .ocids import ocid_type, require_compartment

Attrs = dict[str, Any]

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
    def statement_(self) -> list[Location]:
        head = self.keyword("allow", "define", "endorse", "admit")
        if head == "define":
            self.keyword("tenancy", "group", "dynamic-group")
            self.name("name")
            self.keyword("as")
            self.ocid_value("definition")
            return []
        if head in ("endorse", "admit"):
            if not any(t.kind == "WORD" and t.text.lower() == "to" for t in self.tokens):
                self.fail(f"{head} statement needs 'to <verb> <resource>'")
            return []
        self.subjects()
        self.keyword("to")
        self.verb_part()
        self.keyword("in")
        self.location()
        if self.peek() is not None:
            self.keyword("where")
            self.condition()
        if self.peek() is not None:
            self.fail(f"unexpected {self.tokens[self.pos].text!r} after the statement")
        return self.locations

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

    def subjects(self) -> None:
        self.subject()
        while self.at_punct(","):
            self.pos += 1
            self.subject()

    def subject(self) -> None:
        word = self.keyword(*_SUBJECT_WORDS)
        if word in ("any-user", "any-group"):
            return
        if word == "service":
            self.name("service name")
            return
        if self.at_word("id"):
            self.pos += 1
            self.ocid_value(f"{word} id", "group" if word == "group" else "dynamicgroup")
            return
        tok = self.peek()
        if tok is not None and tok.kind == "WORD" and tok.text.startswith("ocid1."):
            self.fail(f"{word} {tok.text} needs 'id' before an OCID ({word} id <ocid>)")
        self.name(f"{word} name")
        if self.at_punct("/"):  # 'IdentityDomain'/'GroupName'
            self.pos += 1
            self.name(f"{word} name")

    def verb_part(self) -> None:
        if self.at_punct("{"):
            self.pos += 1
            self.name("permission")
            while self.at_punct(","):
                self.pos += 1
                self.name("permission")
            self.punct("}")
            return
        verb = self.next("a verb")
        if verb.text.lower() not in VERBS:
            self.fail(f"verb {verb.text!r} is not one of {', '.join(VERBS)}")
        self.resource()
        while self.at_punct(","):
            self.pos += 1
            self.resource()

    def resource(self) -> None:
        tok = self.next("a resource type")
        if tok.kind != "WORD" or not _RESOURCE_TYPE.match(tok.text.lower()):
            self.fail(
                f"resource type {tok.text!r} is not a resource type or family name "
                "(lower-case words joined by '-', e.g. buckets or object-family)"
            )

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

    def delimited(self, opening: str, item: Callable[[], None], closing: str) -> None:
        """``opening item (, item)* closing``."""
        self.punct(opening)
        item()
        while self.at_punct(","):
            self.pos += 1
            item()
        self.punct(closing)

    def condition(self) -> None:
        if self.at_word("any", "all"):
            self.pos += 1
            self.delimited("{", self.condition, "}")
            return
        var = self.next("a condition variable")
        if var.kind != "WORD" or not _VARIABLE.match(var.text):
            self.fail(
                f"condition variable {var.text!r} is invalid (expected request.* or target.*)"
            )
        op = self.next("an operator")
        if op.kind == "OP" or (op.kind == "WORD" and op.text.lower() in ("before", "after")):
            self.value()
        elif op.kind == "WORD" and op.text.lower() == "between":
            self.value()
            self.keyword("and")
            self.value()
        elif op.kind == "WORD" and op.text.lower() == "in":
            self.delimited("(", self.value, ")")
        else:
            self.fail(
                f"operator {op.text!r} is invalid (expected =, !=, before, after, between or in)"
            )

    def value(self) -> None:
        tok = self.next("a value")
        if tok.kind in ("STR", "PATTERN"):
            return
        if tok.kind == "WORD" and _VARIABLE.match(tok.text):
            return
        self.fail(f"condition value {tok.text} must be quoted ('{tok.text}')")


def parse(statement: str) -> list[Location]:
    """Check ``statement``; return the locations it names (400 with the reason when invalid)."""
    if not isinstance(statement, str) or not statement.strip():
        raise invalid("policy statement is empty")
    return _Parser(statement).statement_()


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


def _validate(attrs: Attrs, world: w.WorldView) -> None:
    require_compartment("compartment_id", attrs.get("compartment_id"), world.tenancy_id)
    name = attrs.get("name")
    if not isinstance(name, str) or not re.match(r"^[A-Za-z0-9_.\- ]{1,100}$", name):
        raise invalid(
            f"policy name {name!r} is invalid (expected 1-100 letters, digits, "
            "spaces, '-', '_' or '.')"
        )
    statements = attrs.get("statements") or []
    if not statements:
        raise invalid(f"policy {name} has no statements (at least one is required)")
    for statement in statements:
        for location in parse(statement):
            _check_subtree(attrs, location, world)
    for other in w.other(world, "oci_identity_policy", attrs.get("id")):
        if other["attrs"].get("name") == name:
            raise conflict(
                f"a policy named {name!r} already exists in the tenancy "
                f"({other['id']}); policy names are unique across the tenancy"
            )


def create(attrs: Attrs, world: w.WorldView) -> Attrs:
    _validate(attrs, world)
    attrs["ETag"] = attrs["lastUpdateETag"] = w.etag()
    attrs["policyHash"] = w.digest(*attrs["statements"], length=32)
    w.fill_defaults(attrs, defined_tags={}, freeform_tags={})
    return attrs


def update(prior: Attrs, attrs: Attrs, world: w.WorldView) -> Attrs:
    _validate(attrs, world)
    attrs["ETag"] = prior.get("ETag")
    attrs["lastUpdateETag"] = w.etag()
    attrs["policyHash"] = w.digest(*attrs["statements"], length=32)
    return attrs

"""Evaluate the subset of HCL expressions that the Terragrunt live layer uses.

The `hcl2` package parses the files (python-hcl2 or checkov's fork of it, whichever is
installed; see _parser); this module walks its Lark parse tree and computes values.
Terragrunt's own functions are supplied by the caller (they depend on which unit is being
evaluated). Anything outside the subset raises HclEvalError naming the construct, so that a new
construct in live/ makes the checker fail loudly instead of guessing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lark import Token, Tree


def _parser() -> Callable[[str], Tree]:
    """The Lark parser of whichever distribution provides the `hcl2` package.

    python-hcl2 (>= 7) and checkov's fork bc-python-hcl2 both install `hcl2`; whichever was
    installed last wins. Both parse with Lark into trees with the same rule names except for
    strings, which the fork keeps as one STRING_LIT token (handled below).
    """
    try:
        from hcl2.api import parses_to_tree

        return parses_to_tree
    except ImportError:
        from hcl2.parser import Hcl2  # bc-python-hcl2

        return lambda text: Hcl2.lark_parser.parse(text + "\n")


_parse_text = _parser()

Function = Callable[..., Any]

_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}


class HclEvalError(Exception):
    """An expression could not be evaluated (unknown name, function, or construct)."""


def parse_file(path: Path) -> Tree:
    """Parse one HCL file into a Lark tree."""
    try:
        return _parse_text(path.read_text())
    except Exception as exc:
        raise HclEvalError(f"{path}: not valid HCL: {exc}") from exc


def _is_string_token(node: Tree | Token) -> bool:
    return isinstance(node, Token) and node.type == "STRING_LIT"


def _subtrees(node: Tree) -> list[Any]:
    """Meaningful children: subtrees and (bc-python-hcl2) string tokens."""
    return [
        c
        for c in node.children
        if (isinstance(c, Tree) and c.data != "new_line_or_comment") or _is_string_token(c)
    ]


def _name(node: Tree | Token) -> str:
    """Text of an identifier/keyword node, or of a quoted block label."""
    if _is_string_token(node):
        return _unescape(str(node)[1:-1])
    assert isinstance(node, Tree)
    if node.data == "string":
        return "".join(str(p.children[0]) for p in node.children if isinstance(p, Tree))
    return str(node.children[0])


def body_items(tree: Tree) -> tuple[dict[str, Any], list[tuple[str, list[str], Tree]]]:
    """Attributes (name -> expression) and blocks (type, labels, body) of a body or start node."""
    body = tree.children[0] if tree.data == "start" else tree
    attributes: dict[str, Tree] = {}
    blocks: list[tuple[str, list[str], Tree]] = []
    for item in _subtrees(body):
        parts = _subtrees(item)
        if item.data == "attribute":
            attributes[_name(parts[0])] = parts[-1]
        elif item.data == "block":
            blocks.append((_name(parts[0]), [_name(p) for p in parts[1:-1]], parts[-1]))
    return attributes, blocks


def _unescape(text: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text) and text[i + 1] in _ESCAPES:
            out.append(_ESCAPES[text[i + 1]])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _to_template_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    raise HclEvalError(f"cannot interpolate {value!r} into a string")


class Evaluator:
    """Computes expression values from variables (local, dependency, ...) and functions."""

    def __init__(self, variables: Mapping[str, Any], functions: Mapping[str, Function]) -> None:
        self.variables = variables
        self.functions = functions

    def eval(self, node: Tree | Token) -> Any:
        if _is_string_token(node):
            return self._eval_template(str(node)[1:-1])
        if isinstance(node, Token):
            raise HclEvalError(f"unexpected token {node!r}")
        handler = getattr(self, f"_eval_{node.data}", None)
        if handler is None:
            raise HclEvalError(f"unsupported HCL construct: {node.data}")
        return handler(node)

    def _eval_expr_term(self, node: Tree) -> Any:
        (inner,) = _subtrees(node)
        return self.eval(inner)

    def _eval_int_lit(self, node: Tree) -> int:
        return int("".join(str(t) for t in node.children))

    def _eval_float_lit(self, node: Tree) -> float:
        return float("".join(str(t) for t in node.children))

    def _eval_template(self, raw: str) -> str:
        """A quoted template kept as raw text (bc-python-hcl2): literal parts and ${...}."""
        out: list[str] = []
        for literal, expression in _split_template(raw):
            out.append(_unescape(literal))
            if expression is not None:
                (attribute,) = _subtrees(_parse_text(f"x = {expression}\n").children[0])
                out.append(_to_template_text(self.eval(_subtrees(attribute)[-1])))
        return "".join(out)

    def _eval_literal_value(self, node: Tree) -> Any:
        return {"true": True, "false": False, "null": None}[str(node.children[0])]

    def _eval_string(self, node: Tree) -> str:
        out: list[str] = []
        for part in _subtrees(node):
            (piece,) = part.children
            if isinstance(piece, Token):
                text = str(piece)
                out.append(text[1:] if piece.type == "ESCAPED_INTERPOLATION" else _unescape(text))
            elif piece.data == "interpolation":
                (expr,) = _subtrees(piece)
                out.append(_to_template_text(self.eval(expr)))
            else:
                raise HclEvalError(f"unsupported template directive: {piece.data}")
        return "".join(out)

    def _eval_heredoc_template(self, node: Tree) -> str:
        text = str(node.children[0])
        lines = text.split("\n", 1)[1].rstrip("\n")
        body = lines.rsplit("\n", 1)[0] + "\n" if "\n" in lines else ""
        if "${" in body.replace("$${", ""):
            raise HclEvalError("interpolation inside heredocs is not supported by this checker")
        return body.replace("$${", "${")

    def _eval_identifier(self, node: Tree) -> Any:
        name = _name(node)
        if name in _KEYWORDS and name not in self.variables:  # bc-python-hcl2 has no literals
            return _KEYWORDS[name]
        if name not in self.variables:
            raise HclEvalError(f"unknown variable {name!r}")
        return self.variables[name]

    def _eval_tuple(self, node: Tree) -> list[Any]:
        return [self.eval(item) for item in _subtrees(node)]

    def _eval_object(self, node: Tree) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for elem in _subtrees(node):
            key_node, value_node = _subtrees(elem)
            key_expr = key_node
            if isinstance(key_node, Tree) and key_node.data == "object_elem_key":
                (key_expr,) = _subtrees(key_node)
            inner = _subtrees(key_expr) if isinstance(key_expr, Tree) else []
            if isinstance(key_expr, Tree) and key_expr.data == "identifier":
                key = _name(key_expr)
            elif (
                isinstance(key_expr, Tree)
                and key_expr.data == "expr_term"
                and len(inner) == 1
                and isinstance(inner[0], Tree)
                and inner[0].data == "identifier"
            ):
                # A bare name as key is the literal name, as in Terraform; `(expr)` evaluates.
                key = _name(inner[0])
            else:
                key = _to_template_text(self.eval(key_expr))
            result[key] = self.eval(value_node)
        return result

    def _eval_get_attr_expr_term(self, node: Tree) -> Any:
        target, get_attr = _subtrees(node)
        (attr,) = _subtrees(get_attr)
        return _index(self.eval(target), _name(attr))

    def _eval_index_expr_term(self, node: Tree) -> Any:
        target, index = _subtrees(node)
        expressions = _subtrees(index)
        if expressions:
            key: Any = self.eval(expressions[0])
        else:  # `.0`, a short index
            key = int("".join(str(t) for t in index.children if str(t) != "."))
        return _index(self.eval(target), key)

    def _eval_function_call(self, node: Tree) -> Any:
        parts = _subtrees(node)
        name = _name(parts[0])
        args = [self.eval(a) for a in _subtrees(parts[1])] if len(parts) > 1 else []
        if name not in self.functions:
            raise HclEvalError(f"unsupported function {name}()")
        return self.functions[name](*args)

    def _eval_conditional(self, node: Tree) -> Any:
        condition, if_true, if_false = _subtrees(node)
        return self.eval(if_true) if self.eval(condition) else self.eval(if_false)

    def _eval_unary_op(self, node: Tree) -> Any:
        operator = str(node.children[0])
        value = self.eval(_subtrees(node)[0])
        return (not value) if operator == "!" else -value

    def _eval_binary_op(self, node: Tree) -> Any:
        left, term = _subtrees(node)
        operator_node, right = _subtrees(term)
        operator = str(operator_node.children[0])
        a = self.eval(left)
        if operator == "&&":
            return bool(a) and bool(self.eval(right))
        if operator == "||":
            return bool(a) or bool(self.eval(right))
        b = self.eval(right)
        operations: dict[str, Callable[[Any, Any], Any]] = {
            "==": lambda x, y: x == y,
            "!=": lambda x, y: x != y,
            "<": lambda x, y: x < y,
            ">": lambda x, y: x > y,
            "<=": lambda x, y: x <= y,
            ">=": lambda x, y: x >= y,
            "+": lambda x, y: x + y,
            "-": lambda x, y: x - y,
            "*": lambda x, y: x * y,
            "/": lambda x, y: x / y,
            "%": lambda x, y: x % y,
        }
        return operations[operator](a, b)


_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _split_template(raw: str) -> list[tuple[str, str | None]]:
    """Split template text into (literal, expression-or-None) pairs; `$${` is a literal `${`."""
    parts: list[tuple[str, str | None]] = []
    literal: list[str] = []
    i = 0
    while i < len(raw):
        if raw.startswith("$${", i):
            literal.append("${")
            i += 3
        elif raw.startswith("${", i):
            depth, j, quoted = 1, i + 2, False
            while depth:
                if j >= len(raw):
                    raise HclEvalError(f"unterminated interpolation in {raw!r}")
                char = raw[j]
                if char == '"' and raw[j - 1] != "\\":
                    quoted = not quoted
                elif not quoted and char == "{":
                    depth += 1
                elif not quoted and char == "}":
                    depth -= 1
                j += 1
            parts.append(("".join(literal), raw[i + 2 : j - 1]))
            literal = []
            i = j
        else:
            literal.append(raw[i])
            i += 1
    parts.append(("".join(literal), None))
    return parts


def _index(value: Any, key: Any) -> Any:
    try:
        return value[key]
    except (KeyError, IndexError, TypeError) as exc:
        raise HclEvalError(f"no attribute or element {key!r} in {_short(value)}") from exc


def _short(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"object with keys {sorted(value)}"
    return repr(value)[:80]


def _merge(*maps: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for m in maps:
        if m is not None:
            result.update(m)
    return result


def _lookup(m: Mapping[str, Any], key: str, *default: Any) -> Any:
    if key in m:
        return m[key]
    if default:
        return default[0]
    raise HclEvalError(f"lookup: no key {key!r}")


# Terraform functions the live layer may use; Terragrunt's own ones come from the caller.
TERRAFORM_FUNCTIONS: dict[str, Function] = {
    "merge": _merge,
    "lookup": _lookup,
    "contains": lambda seq, item: item in seq,
    "jsonencode": lambda v: json.dumps(v, separators=(",", ":")),
    "dirname": lambda p: str(Path(p).parent),
    "basename": lambda p: Path(p).name,
    "tostring": str,
    "lower": str.lower,
    "upper": str.upper,
    "length": len,
    "keys": lambda m: sorted(m),
    "concat": lambda *lists: [x for seq in lists for x in seq],
}

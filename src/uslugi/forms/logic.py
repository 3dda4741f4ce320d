"""A small, safe expression language for conditions: a subset of JSON Logic.

Operators: `==`, `!=`, `<`, `>`, `and`, `or`, `!` (also spelt `not`), `in`, `var`.
Expressions are data (parsed from YAML/JSON), evaluated by walking them; nothing is
ever passed to `eval`. Anything that is not a one-key mapping with a known operator is
a literal. `check_rule` lists the problems of an expression for the definition linter.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

OPERATORS = frozenset({"==", "!=", "<", ">", "and", "or", "!", "not", "in", "var"})
_MAX_DEPTH = 32


class RuleError(ValueError):
    """The expression is malformed (unknown operator, wrong arity, too deep)."""


def _lookup(data: Mapping[str, Any], path: str, default: Any = None) -> Any:
    value: Any = data
    for part in str(path).split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return default
    return value


def _compare(op: str, a: Any, b: Any) -> bool:
    try:
        return bool(a < b) if op == "<" else bool(a > b)
    except TypeError:
        # Comparing a missing answer (None) or unlike types is simply false.
        return False


def _args(rule: Mapping[str, Any]) -> tuple[str, list[Any]]:
    if len(rule) != 1:
        raise RuleError("an expression is a mapping with exactly one operator")
    ((op, raw),) = rule.items()
    if op not in OPERATORS:
        raise RuleError(f"unknown operator {op!r}")
    args = raw if isinstance(raw, list) else [raw]
    return op, args


def evaluate(rule: Any, data: Mapping[str, Any], *, _depth: int = 0) -> Any:  # noqa: PLR0911, PLR0912 - one branch per operator
    """The value of `rule` against the answers in `data`."""
    if _depth > _MAX_DEPTH:
        raise RuleError("expression nested too deeply")
    if isinstance(rule, list):
        return [evaluate(item, data, _depth=_depth + 1) for item in rule]
    if not isinstance(rule, Mapping):
        return rule
    op, args = _args(rule)
    if op == "var":
        if not args or not isinstance(args[0], str):
            raise RuleError("'var' takes a field name")
        return _lookup(data, args[0], args[1] if len(args) > 1 else None)

    def ev(item: Any) -> Any:
        return evaluate(item, data, _depth=_depth + 1)

    if op in {"!", "not"}:
        return not ev(args[0]) if args else True
    if op == "and":
        result: Any = True
        for item in args:
            result = ev(item)
            if not result:
                return result
        return result
    if op == "or":
        result = False
        for item in args:
            result = ev(item)
            if result:
                return result
        return result
    if len(args) != 2:
        raise RuleError(f"{op!r} takes two arguments")
    a, b = ev(args[0]), ev(args[1])
    binary: dict[str, Callable[[Any, Any], bool]] = {
        "==": lambda x, y: bool(x == y),
        "!=": lambda x, y: bool(x != y),
        "<": lambda x, y: _compare("<", x, y),
        ">": lambda x, y: _compare(">", x, y),
        "in": lambda x, y: isinstance(y, (list, str)) and x in y,
    }
    return binary[op](a, b)


def truthy(rule: Any, data: Mapping[str, Any]) -> bool:
    """Whether the condition holds; a missing condition (None) holds."""
    return True if rule is None else bool(evaluate(rule, data))


def check_rule(  # noqa: PLR0911 - one return per kind of problem
    rule: Any, *, known: frozenset[str] | None = None, _depth: int = 0
) -> list[str]:
    """Problems with an expression: unknown operators, bad arity, unknown variables."""
    if _depth > _MAX_DEPTH:
        return ["expression nested too deeply"]
    if isinstance(rule, list):
        return [p for item in rule for p in check_rule(item, known=known, _depth=_depth + 1)]
    if not isinstance(rule, Mapping):
        return []
    try:
        op, args = _args(rule)
    except RuleError as exc:
        return [str(exc)]
    if op == "var":
        if not args or not isinstance(args[0], str):
            return ["'var' takes a field name"]
        root = args[0].split(".")[0]
        if known is not None and root not in known:
            return [f"'var' refers to unknown field {args[0]!r}"]
        return []
    if op in {"==", "!=", "<", ">", "in"} and len(args) != 2:
        return [f"{op!r} takes two arguments"]
    return [p for item in args for p in check_rule(item, known=known, _depth=_depth + 1)]

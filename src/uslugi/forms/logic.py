"""A small, safe expression language for conditions: a subset of JSON Logic.

Operators: `==`, `!=`, `<`, `>`, `<=`, `>=`, `and`, `or`, `!` (also spelt `not`), `in`, `var`.
Expressions are data (parsed from YAML/JSON), evaluated by walking them; nothing is
ever passed to `eval`. Anything that is not a one-key mapping with a known operator is
a literal. `check_rule` lists the problems of an expression for the definition linter.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any

OPERATORS = frozenset({"==", "!=", "<", ">", "<=", ">=", "and", "or", "!", "not", "in", "var"})
_MAX_DEPTH = 32


class RuleError(ValueError):
    """The expression is malformed (unknown operator, wrong arity, too deep)."""


def lookup(data: Mapping[str, Any], path: str, default: Any = None) -> Any:
    """The value at a dotted path (`passport.series`, `children.0.name`), else `default`."""
    value: Any = data
    for part in str(path).split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return default
    return value


_ORDER: dict[str, Callable[[Any, Any], Any]] = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}


def _compare(op: str, a: Any, b: Any) -> bool:
    try:
        if a is None or b is None:
            return False
        return bool(_ORDER[op](a, b))
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
        return lookup(data, args[0], args[1] if len(args) > 1 else None)

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
        **{o: functools.partial(_compare, o) for o in _ORDER},
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
    if (op in _ORDER or op in {"==", "!=", "in"}) and len(args) != 2:
        return [f"{op!r} takes two arguments"]
    return [p for item in args for p in check_rule(item, known=known, _depth=_depth + 1)]


def rule_vars(rule: Any) -> set[str]:
    """Every path a well-formed expression reads with `var`."""
    if isinstance(rule, list):
        return {v for item in rule for v in rule_vars(item)}
    if not isinstance(rule, Mapping) or len(rule) != 1:
        return set()
    ((op, raw),) = rule.items()
    args = raw if isinstance(raw, list) else [raw]
    if op == "var":
        return {args[0]} if args and isinstance(args[0], str) else set()
    return rule_vars(args)


def describe(  # noqa: PLR0911 - one return per operator
    rule: Any,
    labels: Mapping[str, str],
    *,
    yes: str = "yes",
    no: str = "no",
    choices: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """A condition in words for people (call-centre instructions): «Label» == «Choice».

    `choices` maps a field name to its options' labels, so a comparison with an option's
    value reads as the option's label.
    """
    if isinstance(rule, bool):
        return yes if rule else no
    if not isinstance(rule, Mapping) or len(rule) != 1:
        return json.dumps(rule, ensure_ascii=False)
    ((op, raw),) = rule.items()
    args = raw if isinstance(raw, list) else [raw]

    def words(item: Any) -> str:
        return describe(item, labels, yes=yes, no=no, choices=choices)

    def value_words(item: Any, other: Any) -> str:
        """A literal compared with a choice field reads as the choice's label."""
        if isinstance(other, Mapping) and set(other) == {"var"} and choices:
            name = str(other["var"][0] if isinstance(other["var"], list) else other["var"])
            known = choices.get(name, {})
            if isinstance(item, str) and item in known:
                return f"«{known[item]}»"
            if isinstance(item, list) and item and all(i in known for i in item):
                return ", ".join(f"«{known[i]}»" for i in item)
        return words(item)

    if op == "var":
        name = str(args[0]) if args else ""
        return f"«{labels.get(name, labels.get(name.split('.')[0], name))}»"
    if op in {"!", "not"}:
        return f"not ({words(args[0])})" if args else "true"
    if op in {"and", "or"}:
        return f" {op} ".join(
            f"({words(a)})" if isinstance(a, Mapping) and {"and", "or"} & set(a) else words(a)
            for a in args
        )
    if len(args) == 2:
        return f"{value_words(args[0], args[1])} {op} {value_words(args[1], args[0])}"
    return json.dumps(rule, ensure_ascii=False)

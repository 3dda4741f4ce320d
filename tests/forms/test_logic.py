from __future__ import annotations

import pytest

from uslugi.forms.logic import RuleError, check_rule, evaluate, truthy

DATA = {"age": 30, "married": True, "name": "Иван", "child": {"age": 5}, "kids": ["a", "b"]}


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ({"var": "age"}, 30),
        ({"var": "child.age"}, 5),
        ({"var": ["missing", 7]}, 7),
        ({"==": [{"var": "married"}, True]}, True),
        ({"!=": [{"var": "name"}, "Иван"]}, False),
        ({"<": [{"var": "age"}, 40]}, True),
        ({">": [{"var": "age"}, 40]}, False),
        ({">": [{"var": "missing"}, 1]}, False),
        ({"and": [{"var": "married"}, {">": [{"var": "age"}, 18]}]}, True),
        ({"or": [False, {"var": "missing"}]}, None),
        ({"!": [{"var": "married"}]}, False),
        ({"not": {"var": "missing"}}, True),
        ({"in": ["b", {"var": "kids"}]}, True),
        ({"in": ["x", {"var": "missing"}]}, False),
        ("literal", "literal"),
    ],
)
def test_evaluate(rule: object, expected: object) -> None:
    assert evaluate(rule, DATA) == expected


def test_missing_condition_holds() -> None:
    assert truthy(None, {}) is True


@pytest.mark.parametrize(
    "rule",
    [{"__import__": ["os"]}, {"==": [1]}, {"==": [1, 2], "!=": [1, 2]}, {"var": 3}],
)
def test_malformed_rules_refused(rule: object) -> None:
    with pytest.raises(RuleError):
        evaluate(rule, DATA)
    assert check_rule(rule)


def test_check_rule_names_unknown_variables() -> None:
    rule = {"and": [{"var": "age"}, {"var": "agee"}]}
    assert check_rule(rule, known=frozenset({"age"})) == ["'var' refers to unknown field 'agee'"]
    assert check_rule(rule, known=frozenset({"age", "agee"})) == []


def test_deep_nesting_refused() -> None:
    rule: object = True
    for _ in range(50):
        rule = {"!": [rule]}
    with pytest.raises(RuleError):
        evaluate(rule, {})
    assert check_rule(rule) == ["expression nested too deeply"]

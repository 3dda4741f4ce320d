"""Synthetic service definitions for the forms benchmark (bench/suite_forms.py), built in
code so the figures do not move when the shipped definitions change.

* `step_document`: one step of N fields of the simple types a step posts (text with a
  length and a pattern, number with a range, date with relative bounds, select, yes/no,
  email, phone, SNILS, INN), a few of them shown or required under a condition on an
  earlier answer of the same step; `step_answers` is a valid POST for it.
* `load_document`: a large definition as an agency would write it: several steps (some
  shown under a condition), every field type with a single control, composites
  (passport, address), a repeating group per step, info blocks, hints, examples and
  conditions.

Pure data: nothing here imports Django.
"""

from __future__ import annotations

import copy
from typing import Any

SNILS = "112-233-445 95"  # valid check digits
SNILS_WRONG = "112-233-445 96"  # right shape, wrong check digits
INN_ORGANISATION = "7707083893"
INN_PERSON = "500100732259"

_CYCLE = ("text", "number", "date", "select", "yesno", "email", "phone", "snils", "inn")
_OPTIONS = [{"value": f"o{n}", "label": f"Вариант {n}"} for n in range(1, 7)]
_SURNAME_PATTERN = r"^[А-ЯЁа-яё][А-ЯЁа-яё' -]*$"


def _simple(kind: str, name: str, index: int) -> dict[str, Any]:
    """One field of a simple type, with the validation keys of that type."""
    field: dict[str, Any] = {"name": name, "type": kind, "label": f"Поле {index + 1} ({kind})"}
    if kind == "text":
        field.update(max_length=100, min_length=1, pattern=_SURNAME_PATTERN, example="Петров")
    elif kind == "number":
        field.update(min=0, max=10_000, example=42)
    elif kind == "date":
        field.update(min_date="-120y", max_date="today", example="1988-04-30")
    elif kind in {"select", "radio", "checkbox"}:
        field["options"] = _OPTIONS
    elif kind == "email":
        field["example"] = "ivan@example.org"
    elif kind == "textarea":
        field["max_length"] = 2000
    return field


def _value(field: dict[str, Any], index: int) -> str | list[str]:
    """A valid posted value for a simple field, as a browser sends it."""
    kind = field["type"]
    values: dict[str, Any] = {
        "text": "Петрова-Водкина",
        "textarea": "Текст заявления",
        "number": str(index % 10_000),
        "money": "2000.00",
        "date": "1988-04-30",
        "select": f"o{index % 6 + 1}",
        "radio": f"o{index % 6 + 1}",
        "checkbox": ["o1", "o3"],
        # Alternating by position in the cycle: the conditional fields after a "no" hide.
        "yesno": "no" if (index // len(_CYCLE)) % 3 == 1 else "yes",
        "email": f"person{index}@example.org",
        "phone": f"+7916{index:07d}",
        "snils": SNILS,
        "inn": INN_ORGANISATION if index % 2 else INN_PERSON,
    }
    value: str | list[str] = values[kind]
    return value


def step_document(*, code: str, fields: int = 100, conditional_every: int = 12) -> dict[str, Any]:
    """A one-step application of `fields` simple fields, all required, every
    `conditional_every`-th shown (and required) only under a condition on the yes/no
    answer just before it in the cycle; the answers of `step_answers` show some of them
    and hide the others."""
    items: list[dict[str, Any]] = []
    last_yesno = ""
    for index in range(fields):
        kind = _CYCLE[index % len(_CYCLE)]
        field = _simple(kind, f"f{index:03d}_{kind}", index)
        field["required"] = True
        if index and index % conditional_every == 0 and last_yesno:
            rule = {"==": [{"var": last_yesno}, True]}
            field.pop("required")
            field["visible_if"] = rule
            field["required_if"] = rule
        if kind == "yesno":
            last_yesno = field["name"]
        items.append(field)
    return {
        "code": code,
        "variant": "main",
        "kind": "application",
        "title": f"Benchmark form: one step of {fields} fields",
        "steps": [{"id": "main", "title": "Все сведения", "fields": items}],
    }


def _visible(field: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Whether a field of `step_document` is shown (its conditions are `==` on a var)."""
    rule = field.get("visible_if")
    if rule is None:
        return True
    var, expected = rule["=="]
    posted = answers.get(var["var"])
    return (posted == "yes") == expected


def step_answers(document: dict[str, Any]) -> dict[str, Any]:
    """A valid POST of the first step: a value for every field the step shows."""
    answers: dict[str, Any] = {}
    for index, field in enumerate(document["steps"][0]["fields"]):
        if _visible(field, answers):
            answers[field["name"]] = _value(field, index)
    return answers


def visible_count(document: dict[str, Any]) -> int:
    """How many fields of the first step `step_answers` answers."""
    return len(step_answers(document))


def with_one_error(document: dict[str, Any], answers: dict[str, Any]) -> dict[str, Any]:
    """The same POST with one mistake: the first SNILS with wrong check digits."""
    snils = next(f["name"] for f in document["steps"][0]["fields"] if f["type"] == "snils")
    return {**answers, snils: SNILS_WRONG}


_LOAD_CYCLE = (
    "text", "number", "date", "select", "yesno", "email", "phone", "snils", "inn",
    "textarea", "money", "radio", "checkbox",
)  # fmt: skip
_GROUP_CYCLE = ("text", "date", "select", "number", "email", "phone", "text")


def load_document(
    *, code: str, steps: int = 6, per_step: int = 50, group_size: int = 7
) -> dict[str, Any]:
    """A definition of `steps × per_step` fields counted as the linter walks them (a
    group and each of its inner fields count one each): per step, an info block, a
    repeating group of `group_size` fields, the rest single fields (a passport and an
    address on the first step). Every step after the first two is shown only when the
    first step's first yes/no answer is yes; every seventh field has a condition."""
    first_yesno = "s0_f004_yesno"  # _LOAD_CYCLE[4] on the first step
    out_steps: list[dict[str, Any]] = []
    for s in range(steps):
        singles = per_step - 2 - group_size  # the info block and the group itself
        items: list[dict[str, Any]] = [
            {"name": f"s{s}_intro", "type": "info", "text": f"Шаг {s + 1}: ответьте на вопросы."}
        ]
        kinds = [_LOAD_CYCLE[i % len(_LOAD_CYCLE)] for i in range(singles)]
        if s == 0:
            kinds[-2:] = ["passport", "address"]
        previous_yesno = ""
        for i, kind in enumerate(kinds):
            name = f"s{s}_f{i:03d}_{kind}"
            field = _simple(kind, name, i)
            field["required"] = i % 4 != 0
            if i % 5 == 0:
                field["hint"] = "Как в документе"
            if i % 7 == 6 and previous_yesno:
                rule = {"==": [{"var": previous_yesno}, True]}
                field.pop("required")
                field["visible_if"] = rule
                field["required_if"] = {"and": [rule, {"!=": [{"var": first_yesno}, False]}]}
            if kind == "yesno":
                previous_yesno = name
            items.append(field)
        inner = [
            {**_simple(kind, f"g{j}_{kind}", j), "required": j == 0}
            for j, kind in enumerate(_GROUP_CYCLE[:group_size])
        ]
        items.append(
            {
                "name": f"s{s}_people",
                "type": "group",
                "label": "Члены семьи",
                "min_items": 0,
                "max_items": 10,
                "fields": inner,
            }
        )
        step: dict[str, Any] = {"id": f"step{s}", "title": f"Шаг {s + 1}", "fields": items}
        if s >= 2:
            step["visible_if"] = {"==": [{"var": first_yesno}, True]}
        out_steps.append(step)
    return {
        "code": code,
        "variant": "main",
        "kind": "application",
        "title": f"Benchmark definition: {steps * per_step} fields in {steps} steps",
        "description": "Synthetic definition generated by bench/forms_synthetic.py.",
        "fee": {"amount": "500.00", "note": "State fee"},
        "steps": out_steps,
    }


def field_count(document: dict[str, Any]) -> int:
    """Fields as the linter walks them: every field of every step, groups' inner ones too."""

    def count(fields: list[dict[str, Any]]) -> int:
        return sum(1 + count(f.get("fields", [])) for f in fields)

    return sum(count(step["fields"]) for step in document["steps"])


def revised(document: dict[str, Any], revision: int) -> dict[str, Any]:
    """A copy with one label changed, so its digest (and so its stored version) is new."""
    changed = copy.deepcopy(document)
    field = changed["steps"][0]["fields"][1]
    field["label"] = f"{field['label']} (ред. {revision})"
    return changed

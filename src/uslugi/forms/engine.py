"""The renderer's engine: a Django form per step, built from the definition.

Conditions are evaluated server-side against the answers so far plus what the step
posts, so hidden fields are neither shown nor required, with or without JavaScript.
Answers are kept as JSON (dates ISO, money as strings, yes/no as booleans), in the
shape of the payload schema (`payload.py`).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django import forms as djforms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock, validators
from uslugi.forms.constants import NON_INPUT_TYPES
from uslugi.forms.logic import truthy

__all__ = ["StepForm", "relative_date", "step_visible", "truthy", "visible_steps"]

YES, NO = "yes", "no"
YES_LABEL, NO_LABEL = _("Yes"), _("No")
_OFFSET_RE = re.compile(r"^([+-])([0-9]+)([dmy])$")
SIMPLE_TYPES = frozenset(
    {"text", "textarea", "number", "money", "date", "select", "radio", "checkbox", "yesno",
     "phone", "email", "snils", "inn"}
)  # fmt: skip
_SUBFIELDS: dict[str, tuple[tuple[str, Any, bool], ...]] = {
    "passport": (
        ("series_number", _("Series and number"), True),
        ("issued_on", _("Date of issue"), True),
        ("issued_by", _("Issued by"), True),
        ("division_code", _("Division code"), False),
    ),
    "address": (
        ("region", _("Region"), True),
        ("municipality", _("Town or municipality"), False),
        ("street", _("Street"), True),
        ("house", _("House"), True),
        ("flat", _("Flat"), False),
    ),
}


def relative_date(spec: str, today: dt.date | None = None) -> dt.date:
    """'today', '-18y', '+30d', '-6m' → a date relative to today."""
    today = today or clock.now().date()
    match = _OFFSET_RE.match(spec)
    if match is None:
        return today
    sign = -1 if match.group(1) == "-" else 1
    amount, unit = int(match.group(2)) * sign, match.group(3)
    if unit == "d":
        return today + dt.timedelta(days=amount)
    months = amount * (12 if unit == "y" else 1)
    year, month = divmod(today.month - 1 + months, 12)
    year += today.year
    day = min(today.day, 28) if (today.month, today.day) == (2, 29) else today.day
    try:
        return dt.date(year, month + 1, day)
    except ValueError:
        return dt.date(year, month + 1, 28)


def step_visible(step: dict[str, Any], answers: dict[str, Any]) -> bool:
    return truthy(step.get("visible_if"), answers)


def visible_steps(document: dict[str, Any], answers: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in document["steps"] if step_visible(s, answers)]


def _choices(field: dict[str, Any]) -> list[tuple[str, str]]:
    return [(o["value"], o["label"]) for o in field["options"]]


def _date_validators(field: dict[str, Any]) -> list[Any]:
    checks: list[Any] = []
    if "min_date" in field:

        def not_before(value: dt.date, spec: str = field["min_date"]) -> None:
            if value < relative_date(spec):
                raise ValidationError(
                    _("The date must be on or after %(date)s."),
                    params={"date": relative_date(spec)},
                )

        checks.append(not_before)
    if "max_date" in field:

        def not_after(value: dt.date, spec: str = field["max_date"]) -> None:
            if value > relative_date(spec):
                raise ValidationError(
                    _("The date must be on or before %(date)s."),
                    params={"date": relative_date(spec)},
                )

        checks.append(not_after)
    return checks


def django_field(field: dict[str, Any], *, required: bool) -> djforms.Field:  # noqa: PLR0911 - one branch per type
    """The Django form field for one definition field (composites excepted)."""
    kind = field["type"]
    common: dict[str, Any] = {
        "label": field.get("label", ""),
        "required": required,
        "help_text": field.get("hint", ""),
    }
    if kind in {"text", "textarea"}:
        checks = [RegexValidator(field["pattern"])] if "pattern" in field else []
        widget = djforms.Textarea(attrs={"rows": 4}) if kind == "textarea" else None
        return djforms.CharField(
            max_length=field.get("max_length"),
            min_length=field.get("min_length"),
            validators=checks,
            widget=widget,
            **common,
        )
    if kind == "number":
        return djforms.DecimalField(
            min_value=field.get("min"), max_value=field.get("max"), **common
        )
    if kind == "money":
        return djforms.DecimalField(min_value=Decimal(0), decimal_places=2, **common)
    if kind == "date":
        return djforms.DateField(
            validators=_date_validators(field),
            widget=djforms.DateInput(attrs={"type": "date"}),
            **common,
        )
    if kind == "select":
        return djforms.ChoiceField(choices=[("", "—"), *_choices(field)], **common)
    if kind == "radio":
        return djforms.ChoiceField(choices=_choices(field), widget=djforms.RadioSelect, **common)
    if kind == "checkbox":
        return djforms.MultipleChoiceField(
            choices=_choices(field), widget=djforms.CheckboxSelectMultiple, **common
        )
    if kind == "yesno":
        return djforms.ChoiceField(
            choices=[(YES, YES_LABEL), (NO, NO_LABEL)], widget=djforms.RadioSelect, **common
        )
    if kind == "phone":
        return djforms.CharField(
            validators=[
                RegexValidator(r"^\+7[0-9]{10}$", _("Enter a phone number like +79161234567."))
            ],
            **common,
        )
    if kind == "email":
        return djforms.EmailField(**common)
    if kind == "snils":
        return djforms.CharField(validators=[validators.validate_snils], **common)
    if kind == "inn":
        return djforms.CharField(validators=[validators.validate_inn], **common)
    raise ValueError(f"field type {kind!r} has no single control")  # pragma: no cover


def _to_json(kind: str, value: Any) -> Any:  # noqa: PLR0911 - one return per kind
    if value in (None, "", []):
        return None
    if kind == "yesno":
        return value == YES
    if kind == "date":
        return value.isoformat()
    if kind == "money":
        return f"{value:.2f}"
    if kind == "number":
        return int(value) if value == value.to_integral_value() else float(value)
    if kind == "snils":
        d = validators.normalize_snils(value)
        return f"{d[:3]}-{d[3:6]}-{d[6:9]} {d[9:]}"
    if kind == "inn":
        return validators.normalize_inn(value)
    return value


def _to_initial(kind: str, value: Any) -> Any:
    if kind == "yesno" and isinstance(value, bool):
        return YES if value else NO
    return value


class StepForm(djforms.Form):
    """One step of a definition; `answers()` gives its cleaned values as JSON."""

    def __init__(
        self,
        *args: Any,
        step: dict[str, Any],
        saved: dict[str, Any],
        locked: dict[str, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step, self.saved, self.locked = step, saved, locked
        posted = self._posted_answers()
        self.context = {**saved, **posted}
        self.visible: list[dict[str, Any]] = []
        for field in step["fields"]:
            if not truthy(field.get("visible_if"), self.context):
                continue
            self.visible.append(field)
            if field["type"] in NON_INPUT_TYPES or field["type"] == "file":
                continue
            if field["type"] == "group":
                self._add_group(field)
                continue
            required = bool(field.get("required")) or (
                "required_if" in field and truthy(field["required_if"], self.context)
            )
            self._add(field, required=required)

    def _posted_answers(self) -> dict[str, Any]:
        """Raw posted choices, so conditions on this very step see the new answers."""
        if not self.is_bound:
            return {}
        found: dict[str, Any] = {}
        for field in self.step["fields"]:
            if field["type"] == "yesno" and field["name"] in self.data:
                found[field["name"]] = self.data.get(field["name"]) == YES
            elif field["type"] in {"select", "radio"} and field["name"] in self.data:
                found[field["name"]] = self.data.get(field["name"])
        return found

    def group_rows(self, field: dict[str, Any]) -> int:
        """How many rows a group shows: those saved plus one blank, within its limits."""
        saved = self.saved.get(field["name"]) or []
        rows = max(len(saved) + 1, field.get("min_items", 1), 1)
        return min(rows, field.get("max_items", rows))

    def _add_group(self, field: dict[str, Any]) -> None:
        saved = self.saved.get(field["name"]) or []
        for index in range(self.group_rows(field)):
            row = saved[index] if index < len(saved) else {}
            for sub in field["fields"]:
                if sub["type"] not in SIMPLE_TYPES:
                    continue
                key = f"{field['name']}__{index}__{sub['name']}"
                # Required inside a row means: required when the row is used (clean()).
                self.fields[key] = django_field(sub, required=False)
                self.fields[key].label = f"{sub['label']} ({index + 1})"
                if sub["name"] in row:
                    self.initial[key] = _to_initial(sub["type"], row[sub["name"]])

    def _group_answer(self, field: dict[str, Any], *, report: bool) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        subs = [f for f in field["fields"] if f["type"] in SIMPLE_TYPES]
        for index in range(self.group_rows(field)):
            keys = {f["name"]: f"{field['name']}__{index}__{f['name']}" for f in subs}
            values = {
                f["name"]: _to_json(f["type"], self.cleaned_data.get(keys[f["name"]])) for f in subs
            }
            if all(v is None for v in values.values()):
                continue
            if report:
                for f in subs:
                    if (
                        f.get("required")
                        and values[f["name"]] is None
                        and keys[f["name"]] not in self.errors
                    ):
                        self.add_error(keys[f["name"]], _("This field is required."))
            rows.append({k: v for k, v in values.items() if v is not None})
        if report and len(rows) < field.get("min_items", 0):
            first = f"{field['name']}__0__{subs[0]['name']}"
            self.add_error(
                first,
                _("Add at least %(count)d entries to “%(label)s”.")
                % {"count": field["min_items"], "label": field["label"]},
            )
        return rows

    def _add(self, field: dict[str, Any], *, required: bool) -> None:
        name, kind = field["name"], field["type"]
        saved = self.saved.get(name)
        if kind in _SUBFIELDS:
            saved = saved or {}
            for sub, label, sub_required in _SUBFIELDS[kind]:
                key = f"{name}__{sub}"
                sub_field: djforms.Field
                if sub == "issued_on":
                    sub_field = djforms.DateField(widget=djforms.DateInput(attrs={"type": "date"}))
                elif sub == "series_number":
                    sub_field = djforms.CharField(
                        validators=[validators.validate_passport_series_number]
                    )
                elif sub == "division_code":
                    sub_field = djforms.CharField(validators=[validators.validate_division_code])
                else:
                    sub_field = djforms.CharField(max_length=300)
                sub_field.label = f"{field['label']}: {label}"
                sub_field.required = required and sub_required
                self.fields[key] = sub_field
                if sub == "series_number" and saved.get("series"):
                    self.initial[key] = f"{saved['series']} {saved.get('number', '')}"
                else:
                    self.initial[key] = saved.get(sub)
            return
        self.fields[name] = django_field(field, required=required)
        if saved is not None:
            self.initial[name] = _to_initial(kind, saved)
        if name in self.locked:
            self.fields[name].disabled = True  # shown, never taken from the POST
            self.initial[name] = _to_initial(kind, self.locked[name])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field in self.visible:
            if field["type"] == "group":
                self._group_answer(field, report=True)
        # A locked prefilled value is stored server-side; a crafted POST that sends a
        # different one is refused rather than silently ignored.
        for name, value in self.locked.items():
            if name in self.fields and name in self.data:
                kind = next(f["type"] for f in self.visible if f["name"] == name)
                if str(self.data.get(name)) != str(_to_initial(kind, value)):
                    self.add_error(
                        name,
                        _(
                            "This value comes from your verified profile and cannot be changed here."
                        ),
                    )
        return cleaned

    def answers(self) -> dict[str, Any]:
        """The step's answers as JSON; hidden fields of the step are cleared."""
        result: dict[str, Any] = {}
        for field in self.step["fields"]:
            name, kind = field["name"], field["type"]
            if kind in NON_INPUT_TYPES or kind == "file":
                continue
            if field not in self.visible:
                result[name] = None
                continue
            if kind == "group":
                result[name] = self._group_answer(field, report=False) or None
                continue
            if name in self.locked:
                result[name] = self.locked[name]
                continue
            if kind in _SUBFIELDS:
                parts = {
                    s: self.cleaned_data.get(f"{name}__{s}") for s, _label, _req in _SUBFIELDS[kind]
                }
                if not any(parts.values()):
                    result[name] = None
                    continue
                if kind == "passport":
                    digits = validators.normalize_passport(parts.pop("series_number"))
                    issued = parts.pop("issued_on")
                    parts = {
                        "series": f"{digits[:2]} {digits[2:4]}",
                        "number": digits[4:],
                        "issued_on": issued.isoformat() if issued else None,
                        **parts,
                    }
                result[name] = {k: v for k, v in parts.items() if v not in (None, "")}
                continue
            result[name] = _to_json(kind, self.cleaned_data.get(name))
        return result

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
from typing import Any, cast

from django import forms as djforms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import RegexValidator
from django.forms.utils import ErrorDict
from django.http import QueryDict
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock, validators
from uslugi.forms import files, reference
from uslugi.forms.constants import NON_INPUT_TYPES
from uslugi.forms.logic import lookup, rule_vars, truthy

__all__ = [
    "StepForm",
    "condition_sources",
    "post_data",
    "relative_date",
    "step_visible",
    "truthy",
    "validate_answers",
    "visible_steps",
]

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
    return [(o["value"], o["label"]) for o in field.get("options", [])]


def source_choices(field: dict[str, Any], sources: dict[str, Any]) -> list[tuple[str, str]]:
    """Choices a field takes from an exchange prefill source's answer (`options_from`)."""
    spec = field.get("options_from")
    if spec is None:
        return []
    answer = sources.get(spec["source"]) or {}
    items = lookup(answer, spec["items"]) or []
    found = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get(spec["value"]) not in (None, ""):
            label = " ".join(str(item[k]) for k in spec["label"] if item.get(k) not in (None, ""))
            found.append((str(item[spec["value"]]), label or str(item[spec["value"]])))
    return found


def office_choices(field: dict[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The offices an `office` field offers, grouped by region (none: the form does not ask)."""
    return reference.office_choices(
        field["department"],
        get_language() or "ru",
        service_centres=bool(field.get("service_centres")),
    )


def condition_sources(step: dict[str, Any]) -> set[str]:
    """Fields of this step that other fields' conditions read: a change re-renders the step."""
    names = {f["name"] for f in step["fields"]}
    read: set[str] = set()
    for field in step["fields"]:
        for key in ("visible_if", "required_if"):
            read |= {v.split(".")[0] for v in rule_vars(field.get(key))}
    return read & names


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


class MultipleFileInput(djforms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(djforms.FileField):
    """Several files in one control; each is checked by the step form's own rules."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


def django_field(  # noqa: PLR0911, PLR0912 - one branch per type
    field: dict[str, Any], *, required: bool, sources: dict[str, Any] | None = None
) -> djforms.Field:
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
    if kind in {"select", "radio"} and "options_from" in field:
        choices = source_choices(field, sources or {}) + _choices(field)
        if not choices:
            # The source did not answer: the person types the value instead.
            common["help_text"] = _(
                "We could not fetch the list for you just now. Type the value yourself."
            )
            return djforms.CharField(max_length=200, **common)
        if kind == "radio":
            return djforms.ChoiceField(choices=choices, widget=djforms.RadioSelect, **common)
        return djforms.ChoiceField(choices=[("", "—"), *choices], **common)
    if kind == "select":
        return djforms.ChoiceField(choices=[("", "—"), *_choices(field)], **common)
    if kind == "office":
        return djforms.ChoiceField(choices=[("", "—"), *office_choices(field)], **common)
    if kind == "radio":
        return djforms.ChoiceField(choices=_choices(field), widget=djforms.RadioSelect, **common)
    if kind == "file":
        return MultipleFileField(**common)
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
        inn_checks: list[Any] = [validators.validate_inn]
        if "pattern" in field:  # e.g. only an organisation's 10 digits
            inn_checks.append(
                RegexValidator(field["pattern"], _("Enter the INN in the form shown."))
            )
        return djforms.CharField(validators=inn_checks, **common)
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


def _composite_initial(kind: str, value: Any) -> dict[str, str]:
    """A composite answer (passport, address) as the strings its sub-controls show."""
    value = value if isinstance(value, dict) else {}
    shown = {sub: str(value.get(sub) or "") for sub, _label, _req in _SUBFIELDS[kind]}
    if kind == "passport":
        series = value.get("series")
        shown["series_number"] = f"{series} {value.get('number', '')}" if series else ""
    return shown


def _to_post(kind: str, value: Any) -> Any:
    if kind == "yesno" and isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, list):
        return [str(v) for v in value]
    return str(value)


def post_data(step: dict[str, Any], answers: dict[str, Any]) -> QueryDict:
    """Saved answers of a step as the POST that would give them (to re-validate a draft)."""
    data = QueryDict(mutable=True)

    def put(key: str, kind: str, value: Any) -> None:
        posted = _to_post(kind, value)
        if isinstance(posted, list):
            data.setlist(key, posted)
        else:
            data[key] = posted

    for field in step["fields"]:
        name, kind = field["name"], field["type"]
        value = answers.get(name)
        if value is None or kind in NON_INPUT_TYPES or kind == "file":
            continue
        if kind == "group":
            for index, row in enumerate(value if isinstance(value, list) else []):
                for sub in field["fields"]:
                    if isinstance(row, dict) and row.get(sub["name"]) is not None:
                        put(f"{name}__{index}__{sub['name']}", sub["type"], row[sub["name"]])
        elif kind in _SUBFIELDS:
            for sub, text in _composite_initial(kind, value).items():
                data[f"{name}__{sub}"] = text
        else:
            put(name, kind, value)
    return data


class StepForm(djforms.Form):
    """One step of a definition; `answers()` gives its cleaned values as JSON.

    `saved` are the draft's answers, `locked` the prefilled values nobody may change,
    `sources` the answers of the definition's exchange prefill sources. Files posted
    and accepted are in `new_files` (field name → [(file, content type)]) for the
    service to store.
    """

    def __init__(
        self,
        *args: Any,
        step: dict[str, Any],
        saved: dict[str, Any],
        locked: dict[str, Any],
        sources: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step, self.saved, self.locked = step, saved, locked
        self.sources = sources or {}
        self.language = get_language() or "ru"
        self.new_files: dict[str, list[tuple[UploadedFile, str]]] = {}
        posted = self._posted_answers()
        self.context = {**saved, **posted}
        self.visible: list[dict[str, Any]] = []
        for field in step["fields"]:
            if not truthy(field.get("visible_if"), self.context):
                continue
            if field["type"] == "office" and not office_choices(field):
                continue  # the catalogue lists no office of the department: nothing to ask
            self.visible.append(field)
            if field["type"] in NON_INPUT_TYPES:
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
            name = field["name"]
            if field["type"] == "yesno" and name in self.data:
                found[name] = self.data.get(name) == YES
            elif field["type"] in {"select", "radio", "office"} and name in self.data:
                found[name] = self.data.get(name)
            elif field["type"] == "checkbox" and name in self.data:
                found[name] = cast(QueryDict, self.data).getlist(name)
        return found

    def required_now(self, field: dict[str, Any]) -> bool:
        return bool(field.get("required")) or (
            "required_if" in field and truthy(field["required_if"], self.context)
        )

    # --- building ---------------------------------------------------------------------------

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
                self.fields[key].widget.attrs["hx-preserve"] = "true"
                self.fields[key].label = f"{sub['label']} ({index + 1})"
                if sub["name"] in row:
                    self.initial[key] = _to_initial(sub["type"], row[sub["name"]])

    def _composite_field(self, kind: str, sub: str) -> djforms.Field:
        if sub == "issued_on":
            return djforms.DateField(widget=djforms.DateInput(attrs={"type": "date"}))
        if sub == "series_number":
            return djforms.CharField(validators=[validators.validate_passport_series_number])
        if sub == "division_code":
            return djforms.CharField(validators=[validators.validate_division_code])
        if kind == "address" and sub == "region":
            return djforms.ChoiceField(
                choices=[("", "—"), *reference.region_choices(self.language)]
            )
        if kind == "address" and sub == "municipality":
            return djforms.ChoiceField(
                choices=[("", "—"), *reference.municipality_choices(self.language)]
            )
        return djforms.CharField(max_length=300)

    def _add(self, field: dict[str, Any], *, required: bool) -> None:
        name, kind = field["name"], field["type"]
        saved = self.saved.get(name)
        if kind in _SUBFIELDS:
            shown = _composite_initial(kind, self.locked.get(name, saved))
            for sub, label, sub_required in _SUBFIELDS[kind]:
                key = f"{name}__{sub}"
                sub_field = self._composite_field(kind, sub)
                sub_field.label = f"{field['label']}: {label}"
                sub_field.required = required and sub_required
                sub_field.disabled = name in self.locked
                sub_field.widget.attrs["hx-preserve"] = "true"
                self.fields[key] = sub_field
                self.initial[key] = shown[sub] or None
            return
        if kind == "file":
            self.fields[name] = django_field(field, required=False)
            self.fields[name].help_text = ""  # the page shows the hint with the allowed types
            return
        self.fields[name] = django_field(field, required=required, sources=self.sources)
        # A live update (htmx) keeps the controls as they are now, so an answer given
        # while it loads is not replaced by the one sent when it started.
        self.fields[name].widget.attrs["hx-preserve"] = "true"
        if saved is not None:
            self.initial[name] = _to_initial(kind, saved)
        if name in self.locked:
            self.fields[name].disabled = True  # shown, never taken from the POST
            self.initial[name] = _to_initial(kind, self.locked[name])

    # --- validating -------------------------------------------------------------------------

    def _key_for(self, name: str) -> str | None:
        """The control an error about a field is shown on."""
        if name in self.fields:
            return name
        return next((k for k in self.fields if k.startswith(f"{name}__")), None)

    def _rows(self, field: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        """(row index, answers) of the used rows of a group."""
        rows: list[tuple[int, dict[str, Any]]] = []
        subs = [f for f in field["fields"] if f["type"] in SIMPLE_TYPES]
        for index in range(self.group_rows(field)):
            values = {
                f["name"]: _to_json(
                    f["type"], self.cleaned_data.get(f"{field['name']}__{index}__{f['name']}")
                )
                for f in subs
            }
            if any(v is not None for v in values.values()):
                rows.append((index, {k: v for k, v in values.items() if v is not None}))
        return rows

    def _check_group(self, field: dict[str, Any]) -> None:
        rows = self._rows(field)
        for index, row in rows:
            for sub in field["fields"]:
                key = f"{field['name']}__{index}__{sub['name']}"
                if sub.get("required") and sub["name"] not in row and key not in self.errors:
                    self.add_error(key, _("This field is required."))
        if len(rows) < field.get("min_items", 0):
            self.add_error(
                self._key_for(field["name"]),
                _("Add at least %(count)d entries to “%(label)s”.")
                % {"count": field["min_items"], "label": field["label"]},
            )

    def _check_files(self, field: dict[str, Any]) -> None:
        name = field["name"]
        uploads = self.cleaned_data.get(name) or []
        saved = self.saved.get(name) or []
        limit = field.get("max_files", 1)
        if len(saved) + len(uploads) > limit:
            self.add_error(name, _("You can attach up to %(count)d files here.") % {"count": limit})
            return
        accepted = []
        for upload in uploads:
            content_type, problem = files.check_upload(field, upload)
            if content_type is None:
                self.add_error(name, problem)
            else:
                accepted.append((upload, content_type))
        if not saved and not uploads and self.required_now(field):
            self.add_error(name, _("Choose a file to upload."))
        if name not in self.errors:
            self.new_files[name] = accepted

    def _check_address(self, field: dict[str, Any]) -> None:
        name = field["name"]
        region = self.cleaned_data.get(f"{name}__region")
        municipality = self.cleaned_data.get(f"{name}__municipality")
        if region and municipality and not str(municipality).startswith(f"{region}-"):
            self.add_error(
                f"{name}__municipality", _("This municipality is not in the region you chose.")
            )

    def _check_locked(self) -> None:
        # A locked prefilled value is stored server-side; a crafted POST that sends a
        # different one is refused rather than silently ignored.
        message = _("This value comes from your verified profile and cannot be changed here.")
        kinds = {f["name"]: f["type"] for f in self.visible}
        for name, value in self.locked.items():
            kind = kinds.get(name)
            if kind is None:
                continue
            if kind in _SUBFIELDS:
                for sub, text in _composite_initial(kind, value).items():
                    key = f"{name}__{sub}"
                    if key in self.data and str(self.data.get(key)).strip() != text:
                        self.add_error(key, message)
            elif (
                name in self.fields
                and name in self.data
                and str(self.data.get(name)) != str(_to_initial(kind, value))
            ):
                self.add_error(name, message)

    def _check_rules(self) -> None:
        """Cross-field rules of the step and, row by row, of its groups."""
        context = {**self.saved, **self.answers()}
        for check in self.step.get("checks", []):
            if not truthy(check["rule"], context):
                first = next((f["name"] for f in self.visible if f["type"] != "info"), "")
                self.add_error(self._key_for(check.get("field", first)), check["message"])
        for field in self.visible:
            if field["type"] != "group":
                continue
            for index, row in self._rows(field):
                for check in field.get("checks", []):
                    if not truthy(check["rule"], {**context, **row}):
                        target = check.get("field", field["fields"][0]["name"])
                        key = f"{field['name']}__{index}__{target}"
                        self.add_error(key if key in self.fields else None, check["message"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for field in self.visible:
            if field["type"] == "group":
                self._check_group(field)
            elif field["type"] == "file":
                self._check_files(field)
            elif field["type"] == "address":
                self._check_address(field)
        self._check_locked()
        if not self.errors:
            self._check_rules()
        return cleaned

    def quiet(self) -> None:
        """Forget the errors found (a live preview shows the step, not its problems yet)."""
        self._errors = ErrorDict()

    def answers(self) -> dict[str, Any]:
        """The step's answers as JSON; hidden fields of the step are cleared."""
        result: dict[str, Any] = {}
        for field in self.step["fields"]:
            name, kind = field["name"], field["type"]
            if kind in NON_INPUT_TYPES:
                continue
            if field not in self.visible:
                result[name] = None
            elif kind == "file":
                result[name] = self.saved.get(name) or None  # new files: the service adds them
            elif kind == "group":
                result[name] = [row for _index, row in self._rows(field)] or None
            elif name in self.locked:
                result[name] = self.locked[name]
            elif kind in _SUBFIELDS:
                result[name] = self._composite_answer(kind, name)
            else:
                result[name] = _to_json(kind, self.cleaned_data.get(name))
        return result

    def _composite_answer(self, kind: str, name: str) -> dict[str, Any] | None:
        parts = {s: self.cleaned_data.get(f"{name}__{s}") for s, _label, _req in _SUBFIELDS[kind]}
        if not any(parts.values()):
            return None
        if kind == "passport":
            digits = validators.normalize_passport(parts.pop("series_number") or "")
            issued = parts.pop("issued_on")
            parts = {
                "series": f"{digits[:2]} {digits[2:4]}",
                "number": digits[4:],
                "issued_on": issued.isoformat() if issued else None,
                **parts,
            }
        return {k: v for k, v in parts.items() if v not in (None, "")}


_OPTION_TYPES = frozenset({"radio", "yesno", "checkbox"})


def anchor(step: dict[str, Any], key: str) -> str:
    """The element id a link to a control of this step should point at ("" for none).

    Radios and checkboxes are reached by their first option; a passport or an address by
    its first part; a repeating group by its first row's first field.
    """
    if not key or key == "__all__":
        return ""
    name, _sep, rest = key.partition("__")
    field = next((f for f in step["fields"] if f["name"] == name), None)
    if field is None:
        return ""
    kind = field["type"]
    if kind in _SUBFIELDS:
        return f"id_{key}" if rest else f"id_{name}__{_SUBFIELDS[kind][0][0]}"
    if kind == "group":
        subs = [f for f in field["fields"] if f["type"] in SIMPLE_TYPES]
        if not rest:
            return f"id_{name}__0__{subs[0]['name']}" if subs else ""
        sub_name = rest.split("__")[-1]
        sub = next((f for f in subs if f["name"] == sub_name), None)
        return f"id_{key}_0" if sub is not None and sub["type"] in _OPTION_TYPES else f"id_{key}"
    return f"id_{key}_0" if kind in _OPTION_TYPES else f"id_{key}"


def validate_answers(
    document: dict[str, Any],
    answers: dict[str, Any],
    *,
    locked: dict[str, Any] | None = None,
    sources: dict[str, Any] | None = None,
) -> list[tuple[str, str, str]]:
    """(step id, control, message) for every problem of a whole set of answers.

    Each visible step is re-validated by the very form that validates it in the
    browser, from the POST its saved answers would make: used on submit and when a
    draft moves to a new version of its definition.
    """
    from uslugi.forms.definitions import localize

    # Texts must be plain strings for the form fields (option labels above all).
    document = cast(dict[str, Any], localize(document, get_language() or "ru"))
    problems: list[tuple[str, str, str]] = []
    for step in visible_steps(document, answers):
        form = StepForm(
            post_data(step, answers),
            step=step,
            saved=answers,
            locked=locked or {},
            sources=sources,
        )
        if not form.is_valid():
            for key, errors in form.errors.items():
                problems.extend((step["id"], key, str(message)) for message in errors)
    return problems

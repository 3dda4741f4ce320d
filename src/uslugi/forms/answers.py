"""A registry's answer to an information service, laid out for people.

Keys of the registries' answers get names people read (in their language); yes/no,
dates and times are shown as such; nested objects (an address, a head of an
organisation) become one line.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

LABELS: dict[str, Any] = {
    "fines": _("Fine"), "uin": _("Payment identifier (UIN)"), "amount": _("Amount, ₽"),
    "amount_to_pay": _("To pay, ₽"), "article": _("Article"), "description": _("Offence"),
    "discount_until": _("Half-price payment until"), "division": _("Issued by"),
    "found_by": _("Recorded by"), "offence_at": _("Date and time"), "paid": _("Paid"),
    "paid_on": _("Paid on"), "place": _("Place"), "plate": _("Number plate"),
    "ruling_date": _("Ruling date"), "sts": _("Registration certificate"),
    "unpaid_total": _("Unpaid in total, ₽"), "debts": _("Debt"), "due_date": _("Due date"),
    "kbk": _("Budget classification code"), "kind": _("Kind"), "penalty": _("Penalty, ₽"),
    "period": _("Period"), "title": _("Name"), "total": _("Total, ₽"), "inn": _("INN"),
    "years": _("Year"), "year": _("Year"), "employer_name": _("Employer"),
    "employer_inn": _("Employer's INN"), "contributions": _("Contributions, ₽"),
    "points": _("Pension points"), "points_before": _("Points before 2015"),
    "points_total": _("Points in total"), "updated_on": _("Updated on"), "snils": _("SNILS"),
    "full_name": _("Full name"), "short_name": _("Short name"), "ogrn": _("OGRN"),
    "kpp": _("KPP"), "legal_form": _("Legal form"), "registered_on": _("Registered on"),
    "status": _("Status"), "status_changed_on": _("Status changed on"),
    "region_code": _("Region"), "address": _("Address"), "head": _("Head"),
    "okved_main": _("Main activity (OKVED)"), "okved_extra": _("Other activity"),
    "authorised_capital": _("Authorised capital, ₽"), "surname": _("Surname"),
    "first_name": _("First name"), "patronymic": _("Patronymic"), "position": _("Position"),
    "birth_date": _("Date of birth"), "ogrnip": _("OGRNIP"), "proceedings": _("Proceedings"),
}  # fmt: skip


def label(key: str) -> str:
    found = LABELS.get(key)
    return str(found) if found is not None else key.replace("_", " ").capitalize()


def shown(value: Any) -> str:  # noqa: PLR0911 - one return per kind of value
    """A value as people read it: yes/no, localised dates and times, objects in one line."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    if isinstance(value, dict):
        return ", ".join(shown(v) for v in value.values() if v not in (None, "", [], {}))
    if isinstance(value, list):
        return "; ".join(shown(v) for v in value)
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        try:
            if len(value) == 10:
                return formats.date_format(dt.date.fromisoformat(value))
            moment = dt.datetime.fromisoformat(value)
            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return formats.date_format(moment, "DATETIME_FORMAT")
        except ValueError:
            return value
    return str(value)


def answer_blocks(response: dict[str, Any]) -> list[dict[str, Any]]:
    """A registry's answer as summary lists: one per listed item, one for the totals."""
    blocks: list[dict[str, Any]] = []
    totals = []
    for key, value in response.items():
        if isinstance(value, list) and value and all(isinstance(i, dict) for i in value):
            for item in value:
                rows = [{"key": label(k), "value": shown(v)} for k, v in item.items()]
                blocks.append({"title": label(key), "rows": rows})
        else:
            totals.append({"key": label(key), "value": shown(value)})
    if totals:
        blocks.append({"title": "", "rows": totals})
    return blocks


def field_text(field: dict[str, Any], value: Any) -> str:  # noqa: PLR0911 - one return per kind
    """One answer of a form as text, by its field's type (check-your-answers, back office)."""
    from uslugi.forms import engine, reference

    if value is None or value == "":
        return ""
    if field["type"] == "yesno":
        return str(engine.YES_LABEL if value else engine.NO_LABEL)
    if "options" in field:
        labels = {o["value"]: o["label"] for o in field["options"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(v, v)) for v in values)
    if field["type"] == "office" and isinstance(value, str):
        return reference.office_name(value, get_language() or "ru")
    if field["type"] == "file" and isinstance(value, list):
        return ", ".join(str(d.get("name", "")) for d in value if isinstance(d, dict))
    if field["type"] == "address" and isinstance(value, dict):
        language = get_language() or "ru"
        parts = dict(value)
        if "region" in parts:
            parts["region"] = reference.region_name(parts["region"], language)
        if "municipality" in parts:
            parts["municipality"] = reference.municipality_name(parts["municipality"], language)
        return ", ".join(str(v) for v in parts.values() if v)
    if field["type"] == "date" and isinstance(value, str):
        return shown(value)
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v)
    if isinstance(value, list):
        return "; ".join(
            ", ".join(shown(v) for v in row.values()) if isinstance(row, dict) else str(row)
            for row in value
        )
    return str(value)

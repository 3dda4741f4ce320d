"""Prefill: values from the person's profile (identity) and from exchange requests.

`profile.<name>` takes a profile value; `exchange.<source>.<path>` a value from the
answer of one of the definition's `prefill_sources` (run by services.prefill_sources_fetch
when the draft starts). A field with `locked: true` keeps its prefilled value
server-side: the form shows it disabled and refuses a POST that changes it.
"""

from __future__ import annotations

from typing import Any

from uslugi.forms.logic import lookup
from uslugi.identity import selectors as identity_selectors
from uslugi.identity.constants import DocumentType


def profile_values(account: Any) -> dict[str, Any]:
    """The profile's values under the names definitions use after `profile.`."""
    values: dict[str, Any] = {
        "surname": account.surname or None,
        "first_name": account.first_name or None,
        "patronymic": account.patronymic or None,
        "phone": account.phone or None,
        "email": account.email or None,
    }
    data = identity_selectors.personal_data(account)
    if data is not None and data.verified_at is not None:
        if data.birth_date:
            values["birth_date"] = str(data.birth_date)[:10]
        if data.snils:
            d = "".join(c for c in str(data.snils) if c.isdigit())
            values["snils"] = f"{d[:3]}-{d[3:6]}-{d[6:9]} {d[9:]}"
        if data.document_type == DocumentType.RU_PASSPORT and data.document_number:
            d = "".join(c for c in str(data.document_number) if c.isdigit())
            passport = {
                "series": f"{d[:2]} {d[2:4]}",
                "number": d[4:],
                "issued_on": str(data.document_issued_on)[:10] if data.document_issued_on else None,
                "issued_by": str(data.document_issuer or ""),
                "division_code": str(data.document_division_code or ""),
            }
            values["passport"] = {k: v for k, v in passport.items() if v}
    return {k: v for k, v in values.items() if v is not None}


def prefill(
    document: dict[str, Any], account: Any, sources: dict[str, Any] | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(answers to start with, the locked subset) for a new draft."""
    profile = profile_values(account)
    answers: dict[str, Any] = {}
    locked: dict[str, Any] = {}
    for step in document["steps"]:
        for field in step["fields"]:
            source = field.get("prefill", "")
            value: Any = None
            if source.startswith("profile."):
                value = profile.get(source.removeprefix("profile."))
            elif source.startswith("exchange."):
                _prefix, name, *path = source.split(".")
                answer = (sources or {}).get(name)
                value = lookup(answer, ".".join(path)) if answer and path else None
            if value is None or value == "":
                continue
            answers[field["name"]] = value
            if field.get("locked"):
                locked[field["name"]] = value
    return answers, locked

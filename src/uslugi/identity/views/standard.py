"""Standard level: enter personal data, follow the registry checks, cancel and retry."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uslugi.identity import selectors
from uslugi.identity.constants import CheckStatus, Level, VerificationStatus
from uslugi.identity.errors import DomainError
from uslugi.identity.forms import StandardForm
from uslugi.identity.services import verification as service
from uslugi.identity.services.verification import submitted_data
from uslugi.identity.views.common import account_of, person_required, show_error


@person_required
def standard(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    if person.has_level(Level.STANDARD):
        return redirect("identity:account")
    if selectors.verification_running(person) is not None:
        # The data cannot be edited while it is being checked.
        return redirect("identity:standard_progress")
    initial = {
        "surname": person.surname,
        "first_name": person.first_name,
        "patronymic": person.patronymic,
    }
    latest = selectors.verification_latest(person)
    if latest is not None and latest.status in (
        VerificationStatus.FAILED,
        VerificationStatus.CANCELLED,
    ):
        initial.update(_form_initial(submitted_data(latest)))
    form = StandardForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            service.verification_submit(account=person, data=form.submitted_data())
        except DomainError as exc:
            show_error(form, exc)
        else:
            return redirect("identity:standard_progress")
    return render(
        request,
        "identity/standard.html",
        {
            "form": form,
            "previous": latest if latest and latest.status == VerificationStatus.FAILED else None,
        },
    )


def _form_initial(data: dict[str, Any]) -> dict[str, str]:
    """A failed or cancelled submission, back in the form to correct (not re-typed)."""
    initial = {k: data.get(k, "") for k in ("surname", "first_name", "patronymic", "gender", "citizenship", "snils", "document_type", "document_issuer", "division_code", "document_country")}  # fmt: skip
    for key in ("birth_date", "document_issued_on"):
        value = data.get(key, "")
        initial[key] = ".".join(reversed(value.split("-"))) if value else ""
    number = data.get("document_number", "")
    if data.get("document_type") == "ru_passport":
        initial["passport_number"] = number
    else:
        initial["foreign_number"] = number
    return initial


@person_required
def standard_progress(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    verification = selectors.verification_latest(person)
    if verification is None:
        return redirect("identity:standard")
    checks = selectors.verification_checks(verification)
    running = verification.status == VerificationStatus.RUNNING
    waiting = running and any(c.status == CheckStatus.WAITING for c in checks)
    return render(
        request,
        "identity/standard_progress.html",
        {
            "person": person,
            "verification": verification,
            "checks": checks,
            "running": running,
            # Reload by itself while an answer is due (no JavaScript needed).
            "refresh_seconds": 3 if waiting else (60 if running else 0),
        },
    )


@person_required
@require_POST
def standard_cancel(request: HttpRequest) -> HttpResponse:
    try:
        service.verification_cancel(account=account_of(request))
    except DomainError as exc:
        messages.error(request, exc.text)
        return redirect("identity:standard_progress")
    messages.info(request, _("The checks were cancelled. Correct your data and submit it again."))
    return redirect("identity:standard")

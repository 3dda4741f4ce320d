"""The service-centre operator's console. Searches are POSTed, so no SNILS or document
number ever appears in a URL or an access log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from uslugi.core.validators import format_snils
from uslugi.identity.errors import AccountNotFound, DomainError, NotAnOperator
from uslugi.identity.forms import OperatorConfirmForm, OperatorRestoreForm, OperatorSearchForm
from uslugi.identity.models import ServiceCentre
from uslugi.identity.services import operator as service
from uslugi.identity.views.common import account_of, person_required, show_error


def _centre(request: HttpRequest) -> ServiceCentre:
    try:
        return service.require_operator(account_of(request))
    except NotAnOperator:
        raise PermissionDenied from None


@person_required
def console(request: HttpRequest) -> HttpResponse:
    centre = _centre(request)
    form = OperatorSearchForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            found = service.operator_find(
                operator=account_of(request),
                snils=form.cleaned_data["snils"],
                document_number=form.cleaned_data["document_number"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            return redirect("identity:operator_person", account_id=found.account_id)
    return render(request, "identity/operator/console.html", {"form": form, "centre": centre})


@person_required
def person(request: HttpRequest, account_id: str) -> HttpResponse:
    centre = _centre(request)
    operator = account_of(request)
    confirm_form = OperatorConfirmForm(
        request.POST if request.POST.get("action") == "confirm" else None
    )
    restore_form = OperatorRestoreForm(
        request.POST if request.POST.get("action") == "restore" else None
    )
    try:
        data = service.operator_view(operator=operator, account_id=account_id)
    except AccountNotFound:
        raise Http404 from None
    if request.method == "POST" and confirm_form.is_bound and confirm_form.is_valid():
        try:
            service.operator_confirm(operator=operator, account_id=account_id)
        except DomainError as exc:
            show_error(confirm_form, exc)
        else:
            messages.success(request, _("The person's identity is confirmed."))
            return redirect("identity:operator_person", account_id=account_id)
    if request.method == "POST" and restore_form.is_bound and restore_form.is_valid():
        try:
            service.operator_restore_access(
                operator=operator,
                account_id=account_id,
                new_phone=restore_form.cleaned_data["phone"],
            )
        except DomainError as exc:
            show_error(restore_form, exc)
        else:
            messages.success(
                request,
                _(
                    "Access restored: the new phone is linked and a temporary password was sent to it by SMS."
                ),
            )
            return redirect("identity:operator_person", account_id=account_id)
    return render(
        request,
        "identity/operator/person.html",
        {
            "centre": centre,
            "data": data,
            "subject": data.account,
            "snils": format_snils(str(data.snils)) if data.snils else "",
            "confirm_form": confirm_form,
            "restore_form": restore_form,
        },
    )

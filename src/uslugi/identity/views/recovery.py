"""Password recovery: identifier, code, new password. The same pages and messages whether
or not an account exists."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from uslugi.identity.errors import DomainError
from uslugi.identity.forms import CodeForm, PasswordSetForm, RecoveryStartForm
from uslugi.identity.models import OneTimeCode
from uslugi.identity.services import recovery as service
from uslugi.identity.views.common import RECOVERY, RECOVERY_ACCEPTED, client_of, show_error


def recover(request: HttpRequest) -> HttpResponse:
    form = RecoveryStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            otc = service.recovery_start(
                identifier=form.cleaned_data["identifier"], client=client_of(request)
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[RECOVERY] = str(otc.pk)
            request.session.pop(RECOVERY_ACCEPTED, None)
            return redirect("identity:recover_code")
    return render(request, "identity/recover.html", {"form": form})


def recover_code(request: HttpRequest) -> HttpResponse:
    code_id = request.session.get(RECOVERY)
    if not code_id:
        return redirect("identity:recover")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.recovery_check_code(code_id=code_id, code=form.cleaned_data["code"])
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[RECOVERY_ACCEPTED] = code_id
            return redirect("identity:recover_password")
    expires_at = OneTimeCode.objects.filter(pk=code_id).values_list("expires_at", flat=True).first()
    return render(request, "identity/recover_code.html", {"form": form, "expires_at": expires_at})


def recover_password(request: HttpRequest) -> HttpResponse:
    code_id = request.session.get(RECOVERY_ACCEPTED)
    if not code_id:
        return redirect("identity:recover")
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.recovery_set_password(code_id=code_id, password=form.cleaned_data["password"])
        except ValidationError as exc:
            show_error(form, exc, "password")
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session.pop(RECOVERY, None)
            request.session.pop(RECOVERY_ACCEPTED, None)
            messages.success(
                request,
                _(
                    "Your password has been changed and you have been signed out everywhere. Sign in with the new password."
                ),
            )
            return redirect("identity:login")
    return render(request, "identity/recover_password.html", {"form": form})

"""Signing in and out."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uslugi.core import clock
from uslugi.identity.constants import PENDING_LOGIN_TTL, SecondFactor
from uslugi.identity.errors import DomainError
from uslugi.identity.forms import LoginForm, SecondStepForm
from uslugi.identity.models import Account
from uslugi.identity.services import login as service
from uslugi.identity.services.common import code_resendable_at
from uslugi.identity.services.sessions import session_end, session_start
from uslugi.identity.views.common import (
    PENDING_LOGIN,
    client_of,
    safe_next,
    set_device_cookie,
    show_error,
)


def _finish(request: HttpRequest, account: Account, next_url: str) -> HttpResponse:
    token = session_start(request=request, account=account)
    target = "identity:password_change" if account.must_change_password else next_url
    response = redirect(target)
    set_device_cookie(response, token)
    return response


def login(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return redirect(next_url)
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = service.login_check_password(
                identifier=form.cleaned_data["identifier"],
                password=form.cleaned_data["password"],
                client=client_of(request),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            if account.second_factor:
                if account.second_factor == SecondFactor.SMS:
                    try:
                        service.second_step_send_sms(account=account, client=client_of(request))
                    except DomainError as exc:
                        messages.error(request, exc.text)
                request.session.cycle_key()
                request.session[PENDING_LOGIN] = {
                    "account": str(account.pk),
                    "at": clock.now().timestamp(),
                    "next": next_url,
                }
                return redirect("identity:login_second_step")
            return _finish(request, account, next_url)
    return render(
        request, "identity/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


def _pending(request: HttpRequest) -> tuple[Account, str] | None:
    pending = request.session.get(PENDING_LOGIN)
    if not isinstance(pending, dict):
        return None
    if clock.now().timestamp() - float(pending.get("at", 0)) > PENDING_LOGIN_TTL.total_seconds():
        request.session.pop(PENDING_LOGIN, None)
        return None
    account = Account.objects.filter(pk=str(pending.get("account")), is_active=True).first()
    if account is None:
        return None
    return account, str(pending.get("next") or "")


def login_second_step(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        messages.info(request, _("Sign in again: the time for the second step ran out."))
        return redirect("identity:login")
    account, next_url = pending
    form = SecondStepForm(request.POST or None)
    sms_code = (
        service.sign_in_code_current(account) if account.second_factor == SecondFactor.SMS else None
    )
    if request.method == "POST" and form.is_valid():
        try:
            service.login_check_second_step(
                account=account, code=form.cleaned_data["code"], client=client_of(request)
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session.pop(PENDING_LOGIN, None)
            return _finish(request, account, next_url or safe_next(request))
    return render(
        request,
        "identity/login_second_step.html",
        {
            "form": form,
            "factor": account.second_factor,
            "sms_code": sms_code,
            "resend_at": code_resendable_at(sms_code) if sms_code else None,
        },
    )


@require_POST
def login_second_step_resend(request: HttpRequest) -> HttpResponse:
    pending = _pending(request)
    if pending is None:
        return redirect("identity:login")
    try:
        service.second_step_send_sms(account=pending[0], client=client_of(request), force=True)
    except DomainError as exc:
        messages.error(request, exc.text)
    return redirect("identity:login_second_step")


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        session_end(request=request)
        messages.success(request, _("You have signed out."))
    return redirect("home")

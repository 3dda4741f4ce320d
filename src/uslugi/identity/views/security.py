"""Security settings: password, second step, recovery codes, sessions, sign-in history."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uslugi.identity import selectors
from uslugi.identity.delivery import seal, unseal
from uslugi.identity.errors import DomainError, NotFound
from uslugi.identity.forms import PasswordChangeForm, PasswordConfirmForm, TotpSetupForm
from uslugi.identity.services import profile as profile_service
from uslugi.identity.services import second_factor as factor_service
from uslugi.identity.services import sessions as session_service
from uslugi.identity.views.common import (
    SHOW_RECOVERY_CODES,
    TOTP_SETUP,
    account_of,
    person_required,
    show_error,
)


@person_required
def security(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    return render(
        request,
        "identity/security.html",
        {
            "person": person,
            "sessions": selectors.sessions_active(person),
            "current_key": request.session.session_key,
            "history": selectors.login_history(person),
            "recovery_codes_left": person.recovery_codes.filter(used_at__isnull=True).count(),
        },
    )


@person_required
@require_POST
def session_revoke(request: HttpRequest, session_id: str) -> HttpResponse:
    try:
        session_service.session_revoke(account=account_of(request), session_id=session_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("That session has been signed out."))
    return redirect("identity:security")


@person_required
@require_POST
def sessions_revoke_others(request: HttpRequest) -> HttpResponse:
    ended = session_service.sessions_revoke_others(
        account=account_of(request), keep_session_key=request.session.session_key
    )
    messages.success(request, _("Signed out of %(count)d other sessions.") % {"count": ended})
    return redirect("identity:security")


@person_required
def password_change(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    form = PasswordChangeForm(request.POST or None)
    if person.must_change_password:
        # A temporary password from a service centre: the SMS that brought it is the proof.
        form.fields["current"].required = False
    if request.method == "POST" and form.is_valid():
        try:
            profile_service.password_change(
                request=request,
                account=person,
                current=form.cleaned_data.get("current", ""),
                new=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            show_error(form, exc, "password")
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request, _("Your password has been changed. Other sessions were signed out.")
            )
            return redirect("identity:security")
    return render(
        request,
        "identity/password_change.html",
        {"form": form, "temporary": person.must_change_password},
    )


@person_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    sealed = request.session.get(TOTP_SETUP)
    secret = unseal(sealed)["secret"] if sealed else factor_service.totp_new_secret()
    if not sealed:
        request.session[TOTP_SETUP] = seal({"secret": secret})
    form = TotpSetupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = factor_service.totp_enable(
                account=person,
                secret=secret,
                code=form.cleaned_data["code"],
                password=form.cleaned_data["password"],
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session.pop(TOTP_SETUP, None)
            request.session[SHOW_RECOVERY_CODES] = seal({"codes": codes})
            return redirect("identity:recovery_codes")
    uri, qr = factor_service.totp_provisioning(account=person, secret=secret)
    return render(
        request,
        "identity/totp_setup.html",
        {"form": form, "secret": secret, "qr": qr, "uri": uri},
    )


@person_required
def sms_factor(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = factor_service.sms_factor_enable(
                account=person, password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[SHOW_RECOVERY_CODES] = seal({"codes": codes})
            return redirect("identity:recovery_codes")
    return render(request, "identity/sms_factor.html", {"form": form, "person": person})


@person_required
def second_factor_off(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            factor_service.second_factor_disable(
                account=account_of(request), password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("The second sign-in step is off."))
            return redirect("identity:security")
    return render(request, "identity/second_factor_off.html", {"form": form})


@person_required
def recovery_codes_new(request: HttpRequest) -> HttpResponse:
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = factor_service.recovery_codes_regenerate(
                account=account_of(request), password=form.cleaned_data["password"]
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[SHOW_RECOVERY_CODES] = seal({"codes": codes})
            return redirect("identity:recovery_codes")
    return render(request, "identity/recovery_codes_new.html", {"form": form})


@person_required
def recovery_codes(request: HttpRequest) -> HttpResponse:
    """The recovery codes, shown once right after they are made."""
    sealed = request.session.pop(SHOW_RECOVERY_CODES, None)
    if not sealed:
        return redirect("identity:security")
    return render(request, "identity/recovery_codes.html", {"codes": unseal(sealed)["codes"]})

"""Helpers the identity views share."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from uslugi.core.errors import DomainError
from uslugi.core.forms import add_domain_error
from uslugi.identity.models import Account
from uslugi.identity.services.common import Client
from uslugi.identity.services.sessions import DEVICE_COOKIE, DEVICE_MAX_AGE

View = Callable[..., HttpResponse]

# Session keys of flows in progress (ids only: never personal data).
REGISTRATION = "identity_registration"
PENDING_LOGIN = "identity_pending_login"
RECOVERY = "identity_recovery"
RECOVERY_ACCEPTED = "identity_recovery_ok"
CONTACT_CHANGE = "identity_contact_change"
TOTP_SETUP = "identity_totp_setup"
SHOW_RECOVERY_CODES = "identity_recovery_codes"


def client_of(request: HttpRequest) -> Client:
    return Client.from_request(request, device_cookie=DEVICE_COOKIE)


def account_of(request: HttpRequest) -> Account:
    user = request.user
    assert isinstance(user, Account)  # noqa: S101 - guaranteed by person_required
    return user


def person_required(view: View) -> View:
    """Signed in; and with a temporary password, sent to change it before anything else."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if (
            getattr(user, "must_change_password", False)
            and request.resolver_match
            and (request.resolver_match.url_name not in {"password_change", "logout"})
        ):
            return redirect("identity:password_change")
        return view(request, *args, **kwargs)

    return wrapper


def show_error(
    form: forms.BaseForm, error: DomainError | ValidationError, field: str | None = None
) -> None:
    """A service's refusal on the form: a domain error, or a password rule's messages."""
    if isinstance(error, DomainError):
        add_domain_error(form, error)
    else:
        form.add_error(field, error)


def safe_next(request: HttpRequest, default: str = "identity:account") -> str:
    """The `next` page to return to, if it is on this site; else `default`."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(default)


def set_device_cookie(response: HttpResponse, token: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        token,
        max_age=int(DEVICE_MAX_AGE.total_seconds()),
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )

"""Registration: name and contact, the code (or email link), the password."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uslugi.identity.constants import CODE_MAX_TRIES, Channel
from uslugi.identity.contacts import mask_contact
from uslugi.identity.errors import ContactTaken, DomainError
from uslugi.identity.forms import CodeForm, PasswordSetForm, RegistrationForm
from uslugi.identity.models import Registration
from uslugi.identity.services import registration as service
from uslugi.identity.services.common import code_resendable_at
from uslugi.identity.services.sessions import session_start
from uslugi.identity.views.common import REGISTRATION, client_of, set_device_cookie, show_error


def _link_builder(request: HttpRequest) -> service.LinkBuilder:
    return lambda token: request.build_absolute_uri(
        reverse("identity:register_email", args=[token])
    )


def _current(request: HttpRequest) -> Registration | None:
    pk = request.session.get(REGISTRATION)
    if not pk:
        return None
    return Registration.objects.filter(pk=pk, completed_at__isnull=True).first()


def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("identity:account")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            registration = service.registration_start(
                surname=form.cleaned_data["surname"],
                first_name=form.cleaned_data["first_name"],
                patronymic=form.cleaned_data["patronymic"],
                contact=form.cleaned_data["contact"],
                client=client_of(request),
                build_link=_link_builder(request),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[REGISTRATION] = str(registration.pk)
            if registration.channel == Channel.EMAIL:
                return redirect("identity:register_email_sent")
            return redirect("identity:register_code")
    return render(request, "identity/register.html", {"form": form})


def register_code(request: HttpRequest) -> HttpResponse:
    registration = _current(request)
    if registration is None or registration.channel != Channel.PHONE:
        return redirect("identity:register")
    if registration.confirmed_at is not None:
        return redirect("identity:register_password")
    form = CodeForm(request.POST or None)
    taken = False
    if request.method == "POST" and form.is_valid():
        try:
            service.registration_confirm_code(
                registration=registration, code=form.cleaned_data["code"]
            )
        except ContactTaken as exc:
            taken = True
            request.session.pop(REGISTRATION, None)
            show_error(form, exc)
        except DomainError as exc:
            show_error(form, exc)
            registration.refresh_from_db()
        else:
            return redirect("identity:register_password")
    if taken:
        return render(request, "identity/register_taken.html", {"form": form}, status=409)
    return render(
        request,
        "identity/register_code.html",
        {
            "form": form,
            "registration": registration,
            "masked_contact": mask_contact(registration.channel, registration.contact),
            "resend_at": code_resendable_at(registration),
            "tries_left": max(CODE_MAX_TRIES - registration.tries, 0),
        },
    )


@require_POST
def register_resend(request: HttpRequest) -> HttpResponse:
    registration = _current(request)
    if registration is None:
        return redirect("identity:register")
    target = (
        "identity:register_code"
        if registration.channel == Channel.PHONE
        else "identity:register_email_sent"
    )
    try:
        service.registration_resend(
            registration=registration,
            client=client_of(request),
            build_link=_link_builder(request),
        )
    except DomainError as exc:
        messages.error(request, exc.text)
    return redirect(target)


def register_email_sent(request: HttpRequest) -> HttpResponse:
    registration = _current(request)
    if registration is None or registration.channel != Channel.EMAIL:
        return redirect("identity:register")
    return render(
        request,
        "identity/register_email_sent.html",
        {"masked_contact": mask_contact(registration.channel, registration.contact)},
    )


def register_email(request: HttpRequest, token: str) -> HttpResponse:
    """The link from the email. A GET only shows a button, so mail scanners that open
    links do not use it up; the POST confirms."""
    if request.method != "POST":
        return render(request, "identity/register_email_confirm.html", {})
    try:
        registration = service.registration_confirm_link(link_token=token)
    except ContactTaken:
        return render(request, "identity/register_taken.html", {}, status=409)
    except DomainError as exc:
        return render(request, "identity/register_link_invalid.html", {"error": exc}, status=400)
    request.session[REGISTRATION] = str(registration.pk)
    return redirect("identity:register_password")


def register_password(request: HttpRequest) -> HttpResponse:
    registration = _current(request)
    if registration is None:
        return redirect("identity:register")
    if registration.confirmed_at is None:
        return redirect("identity:register_code")
    form = PasswordSetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account = service.registration_complete(
                registration=registration, password=form.cleaned_data["password"]
            )
        except ValidationError as exc:
            show_error(form, exc, "password")
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session.pop(REGISTRATION, None)
            token = session_start(request=request, account=account)
            response = redirect("identity:account")
            set_device_cookie(response, token)
            messages.success(request, _("Your account is ready. You are signed in."))
            return response
    return render(request, "identity/register_password.html", {"form": form})

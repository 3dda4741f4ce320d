"""Confirmed level: the ways to confirm, the letter with a code, service centres."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from uslugi.identity import selectors
from uslugi.identity.constants import POST_CODE_TTL, Level
from uslugi.identity.errors import DomainError
from uslugi.identity.forms import CentreFilterForm, PostCodeForm, PostOrderForm
from uslugi.identity.services import confirmation as service
from uslugi.identity.views.common import account_of, person_required, show_error


@person_required
def confirm(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    return render(
        request,
        "identity/confirm.html",
        {
            "person": person,
            "standard": person.has_level(Level.STANDARD),
            "letter": service.post_code_latest(person),
        },
    )


@person_required
def confirm_post(request: HttpRequest) -> HttpResponse:
    """Order a letter with a code (GET/POST here) and enter the code (confirm_post_code)."""
    person = account_of(request)
    if not person.has_level(Level.STANDARD):
        return redirect("identity:confirm")
    personal = selectors.personal_data(person)
    address = str(personal.registration_address or "") if personal else ""
    form = PostOrderForm(request.POST or None, initial={"address": address})
    if request.method == "POST" and form.is_valid():
        try:
            service.post_code_order(account=person, address=form.cleaned_data["address"])
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "The letter is on its way. It usually takes about two weeks. When it comes, enter the code on this page."
                ),
            )
            return redirect("identity:confirm_post")
    return render(
        request,
        "identity/confirm_post.html",
        {
            "person": person,
            "form": form,
            "code_form": PostCodeForm(),
            "letter": service.post_code_latest(person),
            "reorder_at": service.post_code_reorder_at(person),
            "valid_days": POST_CODE_TTL.days,
        },
    )


@person_required
def confirm_post_code(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    form = PostCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.post_code_enter(account=person, code=form.cleaned_data["code"])
        except DomainError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request, _("Your identity is confirmed. Every service is open to you.")
            )
            return redirect("identity:account")
    return render(
        request,
        "identity/confirm_post_code.html",
        {"form": form, "letter": service.post_code_latest(person)},
    )


def centres(request: HttpRequest) -> HttpResponse:
    """The directory of service centres, filtered by region (public)."""
    regions = selectors.centre_regions()
    form = CentreFilterForm(request.GET or None, regions=regions)
    region = form.cleaned_data["region"] if form.is_valid() else ""
    return render(
        request,
        "identity/centres.html",
        {"form": form, "centres": selectors.centres(region_code=region), "region": region},
    )

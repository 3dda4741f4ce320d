"""The personal account: overview, profile, contacts, addresses, documents, deletion."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uslugi.identity import selectors
from uslugi.identity.constants import AdditionalDocumentType, Channel, Level
from uslugi.identity.contacts import mask_contact
from uslugi.identity.errors import DomainError, NotFound
from uslugi.identity.forms import (
    AddressesForm,
    CodeForm,
    ContactChangeForm,
    DocumentForm,
    PasswordConfirmForm,
)
from uslugi.identity.models import OneTimeCode
from uslugi.identity.services import profile as service
from uslugi.identity.services.common import code_resendable_at
from uslugi.identity.services.sessions import session_end
from uslugi.identity.views.common import (
    CONTACT_CHANGE,
    account_of,
    client_of,
    person_required,
    show_error,
)


@person_required
def account(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    return render(
        request,
        "identity/account.html",
        {
            "person": person,
            "gives": selectors.level_explanation(person.level),
            "next_step": selectors.next_level_step(person),
            "verification": selectors.verification_running(person)
            if person.level == Level.SIMPLIFIED
            else None,
            "is_operator": selectors.is_operator(person),
        },
    )


@person_required
def profile(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    return render(
        request,
        "identity/profile.html",
        {
            "person": person,
            "personal": selectors.personal_data(person),
            "documents": selectors.documents(person),
            "inn_lookup": selectors.inn_lookup_latest(person),
            "phone_masked": mask_contact(Channel.PHONE, person.phone) if person.phone else "",
            "email_masked": mask_contact(Channel.EMAIL, person.email) if person.email else "",
        },
    )


@person_required
def contact_change(request: HttpRequest, channel: str) -> HttpResponse:
    if channel not in Channel.values:
        raise Http404
    person = account_of(request)
    form = ContactChangeForm(request.POST or None)
    form.fields["value"].label = (
        _("New mobile phone") if channel == Channel.PHONE else _("New email address")
    )
    if request.method == "POST" and form.is_valid():
        try:
            otc = service.contact_change_start(
                account=person,
                channel=Channel(channel),
                value=form.cleaned_data["value"],
                password=form.cleaned_data["password"],
                client=client_of(request),
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session[CONTACT_CHANGE] = str(otc.pk)
            return redirect("identity:contact_confirm")
    return render(request, "identity/contact_change.html", {"form": form, "channel": channel})


@person_required
def contact_confirm(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    code_id = request.session.get(CONTACT_CHANGE)
    otc = OneTimeCode.objects.filter(pk=code_id, account=person).first() if code_id else None
    if otc is None:
        return redirect("identity:profile")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.contact_change_confirm(
                account=person, code_id=str(otc.pk), code=form.cleaned_data["code"]
            )
        except DomainError as exc:
            show_error(form, exc)
        else:
            request.session.pop(CONTACT_CHANGE, None)
            messages.success(request, _("Your contact details have been changed."))
            return redirect("identity:profile")
    return render(
        request,
        "identity/contact_confirm.html",
        {
            "form": form,
            "otc": otc,
            "masked": mask_contact(otc.channel, otc.destination),
            "resend_at": code_resendable_at(otc),
        },
    )


@person_required
def addresses(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    personal = selectors.personal_data(person)
    initial = {
        "registration": str(personal.registration_address or "") if personal else "",
        "residence": str(personal.residence_address or "") if personal else "",
    }
    form = AddressesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        service.addresses_update(
            account=person,
            registration=form.cleaned_data["registration"],
            residence=form.cleaned_data["residence"],
        )
        messages.success(request, _("Your addresses have been saved."))
        return redirect("identity:profile")
    return render(request, "identity/addresses.html", {"form": form})


@person_required
def document_add(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        service.document_save(
            account=person,
            kind=AdditionalDocumentType(data["kind"]),
            number=data["number"],
            issued_on=data["issued_on"],
            valid_until=data["valid_until"],
            issuer=data["issuer"],
        )
        messages.success(request, _("The document has been saved."))
        return redirect("identity:profile")
    return render(request, "identity/document_add.html", {"form": form})


@person_required
@require_POST
def document_delete(request: HttpRequest, document_id: str) -> HttpResponse:
    try:
        service.document_delete(account=account_of(request), document_id=document_id)
    except NotFound:
        raise Http404 from None
    messages.success(request, _("The document has been removed."))
    return redirect("identity:profile")


@person_required
@require_POST
def inn_lookup(request: HttpRequest) -> HttpResponse:
    try:
        service.inn_lookup_start(account=account_of(request))
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.info(
            request, _("We have asked the Tax Service for your INN. Refresh this page in a minute.")
        )
    return redirect("identity:profile")


@person_required
def delete(request: HttpRequest) -> HttpResponse:
    person = account_of(request)
    form = PasswordConfirmForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            service.account_delete(account=person, password=form.cleaned_data["password"])
        except (DomainError, ValidationError) as exc:
            show_error(form, exc, "password")
        else:
            session_end(request=request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("home")
    return render(request, "identity/delete.html", {"form": form})

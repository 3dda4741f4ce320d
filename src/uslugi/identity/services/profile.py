"""The person's profile: password, contacts, addresses, documents, INN, deletion."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django.contrib.auth import update_session_auth_hash
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.identity import delivery, exchange_client, registry_checks
from uslugi.identity.constants import (
    AUDIT_ACCOUNT_DELETED,
    AUDIT_CONTACT_CHANGED,
    AUDIT_INN_LOOKUP,
    AUDIT_PASSWORD_CHANGED,
    AUDIT_PROFILE_CHANGED,
    EMAIL_CODE_TTL,
    SMS_CODE_TTL,
    AdditionalDocumentType,
    Channel,
    CodePurpose,
    DocumentSource,
    DocumentType,
    Level,
    LookupStatus,
    SessionEnd,
)
from uslugi.identity.contacts import mask_contact, parse_contact
from uslugi.identity.errors import (
    ContactTaken,
    DomainError,
    InvalidInput,
    LevelTooLow,
    NotFound,
    PasswordWrong,
)
from uslugi.identity.models import (
    Account,
    AccountSession,
    AdditionalDocument,
    InnLookup,
    LoginEvent,
    OneTimeCode,
    PersonalData,
    PostalCodeRequest,
    RecoveryCode,
    StandardVerification,
)
from uslugi.identity.notices import notify_security
from uslugi.identity.passwords import validate_new_password
from uslugi.identity.services.common import Client, check_code, issue_code
from uslugi.identity.services.registration import limit_code_sending, sms_code_text
from uslugi.identity.services.sessions import sessions_end_all, sessions_revoke_others
from uslugi.identity.throttling import (
    ACCOUNT_POLICY,
    backoff_failure,
    backoff_reset,
    backoff_wait,
    rate_limited,
)
from uslugi.notifications import events

INN_CALLBACK = "uslugi.identity.tasks.inn_answered"


def reauthenticate(*, account: Account, password: str) -> None:
    """A fresh entry of the current password (before sensitive changes), with back-off."""
    key = f"reauth:{account.pk}"
    wait = backoff_wait(scope="reauth", key=key)
    if wait is not None:
        raise rate_limited(wait)
    if not account.check_password(password):
        backoff_failure(scope="reauth", key=key, policy=ACCOUNT_POLICY)
        raise PasswordWrong(field="password")
    backoff_reset(scope="reauth", key=key)


def password_change(*, request: HttpRequest, account: Account, current: str, new: str) -> int:
    """Change the password; every other session ends. Returns how many ended."""
    if not account.must_change_password:
        reauthenticate(account=account, password=current)
    validate_new_password(new, user=account)
    with transaction.atomic():
        account.set_password(new)
        account.must_change_password = False
        account.password_changed_at = clock.now()
        account.save(update_fields=["password", "must_change_password", "password_changed_at"])
        ended = sessions_revoke_others(
            account=account, keep_session_key=request.session.session_key
        )
        audit_record(
            action=AUDIT_PASSWORD_CHANGED, actor=account, obj=account,
            details={"sessions_ended": ended},
        )  # fmt: skip
        notify_security(account=account, event=events.SECURITY_PASSWORD_CHANGED, request=request)
    update_session_auth_hash(request, account)
    return ended


# --- Contacts -------------------------------------------------------------------------------


def contact_change_start(
    *, account: Account, channel: Channel, value: str, password: str, client: Client
) -> OneTimeCode:
    """Send a code to the new phone or email, after a fresh password entry."""
    reauthenticate(account=account, password=password)
    contact = parse_contact(value)
    if contact.channel != channel:
        raise InvalidInput(
            _("Enter a mobile phone number.")
            if channel == Channel.PHONE
            else _("Enter an email address."),
            field="value",
        )
    limit_code_sending(destination=contact.value, client=client)
    with transaction.atomic():
        otc = OneTimeCode(
            purpose=CodePurpose.CONTACT_CHANGE, account=account, channel=channel,
            destination=contact.value,
        )  # fmt: skip
        ttl = SMS_CODE_TTL if channel == Channel.PHONE else EMAIL_CODE_TTL
        code = issue_code(otc, scope=f"contact:{otc.pk}", ttl=ttl)
        otc.save()
        if channel == Channel.PHONE:
            delivery.queue_sms(phone=contact.value, text=sms_code_text(code))
        else:
            delivery.queue_email(
                to=contact.value,
                subject=_("Confirm your new email for Uslugi"),
                body=_("Your confirmation code is %(code)s. It is valid for 30 minutes.")
                % {"code": code},
            )
    return otc


def contact_change_confirm(*, account: Account, code_id: str, code: str) -> Account:
    """Bind the new contact once its code is right; the old contact is told."""
    with transaction.atomic():
        otc = (
            OneTimeCode.objects.select_for_update()
            .filter(pk=code_id, account=account, purpose=CodePurpose.CONTACT_CHANGE)
            .first()
        )
        if otc is None:
            raise InvalidInput(_("Start the change again."))
        error = check_code(otc, code, scope=f"contact:{otc.pk}", used_at=otc.used_at)
        if error is None:
            otc.used_at = clock.now()
        otc.save()
    if error is not None:
        raise error
    field = "phone" if otc.channel == Channel.PHONE else "email"
    old = getattr(account, field)
    try:
        with transaction.atomic():
            setattr(account, field, otc.destination)
            account.save(update_fields=[field])
            if old:
                _tell_old_contact(otc.channel, old, mask_contact(otc.channel, otc.destination))
            audit_record(
                action=AUDIT_CONTACT_CHANGED, actor=account, obj=account,
                details={"channel": otc.channel},
            )  # fmt: skip
    except IntegrityError:
        setattr(account, field, old)
        raise ContactTaken(field="value") from None
    return account


def _tell_old_contact(channel: str, old: str, new_masked: str) -> None:
    text = _(
        "Uslugi: the %(what)s of your account was changed to %(new)s. If it was not you, recover access at once."
    ) % {"what": _("phone") if channel == Channel.PHONE else _("email"), "new": new_masked}
    if channel == Channel.PHONE:
        delivery.queue_sms(phone=old, text=text)
    else:
        delivery.queue_email(to=old, subject=_("Your Uslugi account was changed"), body=text)


# --- Addresses and documents ----------------------------------------------------------------


def addresses_update(*, account: Account, registration: str, residence: str) -> PersonalData:
    with transaction.atomic():
        personal, _created = PersonalData.objects.get_or_create(account=account)
        personal.registration_address = registration.strip() or None
        personal.residence_address = residence.strip() or None
        personal.save(update_fields=["registration_address", "residence_address"])
        audit_record(
            action=AUDIT_PROFILE_CHANGED, actor=account, obj=account, details={"what": "addresses"}
        )
    return personal


def document_save(
    *,
    account: Account,
    kind: AdditionalDocumentType,
    number: str,
    issued_on: dt.date | None = None,
    valid_until: dt.date | None = None,
    issuer: str = "",
) -> AdditionalDocument:
    """Add or replace the person's document of this kind (the INN comes from the registry)."""
    with transaction.atomic():
        document, _created = AdditionalDocument.objects.update_or_create(
            account=account,
            kind=kind,
            defaults={
                "number": number.strip(),
                "issued_on": cast(Any, issued_on),
                "valid_until": cast(Any, valid_until),
                "issuer": issuer.strip() or None,
                "source": DocumentSource.ENTERED,
            },
        )
        audit_record(
            action=AUDIT_PROFILE_CHANGED, actor=account, obj=account,
            details={"what": "document", "kind": kind},
        )  # fmt: skip
    return document


def document_delete(*, account: Account, document_id: str) -> None:
    """Remove one of the person's own documents (someone else's is simply not found)."""
    with transaction.atomic():
        deleted, _ = AdditionalDocument.objects.filter(account=account, pk=document_id).delete()
        if not deleted:
            raise NotFound()
        audit_record(
            action=AUDIT_PROFILE_CHANGED, actor=account, obj=account,
            details={"what": "document_removed"},
        )  # fmt: skip


def inn_lookup_start(*, account: Account) -> InnLookup:
    """Ask the Tax Service for the INN of the holder of the account's verified passport."""
    personal = PersonalData.objects.filter(account=account).first()
    if (
        not account.has_level(Level.STANDARD)
        or personal is None
        or personal.document_type != DocumentType.RU_PASSPORT
    ):
        raise LevelTooLow(_("Finding your INN needs a standard account with a Russian passport."))
    with transaction.atomic():
        lookup = InnLookup.objects.create(account=account)
        type_key, payload = registry_checks.inn_request(
            {
                "document_number": str(personal.document_number),
                "surname": account.surname,
                "first_name": account.first_name,
                "patronymic": account.patronymic,
                "birth_date": str(personal.birth_date) if personal.birth_date else "",
            }
        )
        try:
            lookup.message_ref = exchange_client.send(
                type_key=type_key,
                payload=payload,
                correlation_id=str(lookup.pk),
                callback=INN_CALLBACK,
            )
        except DomainError:
            lookup.status = LookupStatus.UNAVAILABLE
            lookup.answered_at = clock.now()
        lookup.save()
        audit_record(action=AUDIT_INN_LOOKUP, actor=account, obj=lookup)
    return lookup


def inn_answered(*, message_id: str) -> InnLookup | None:
    """The bus's callback for an INN look-up: store the INN as a document of the person."""
    answer = exchange_client.answer(message_id)
    if answer is None:
        return None
    with transaction.atomic():
        lookup = InnLookup.objects.select_for_update().filter(message_ref=message_id).first()
        if lookup is None or lookup.status != LookupStatus.WAITING:
            return lookup
        inn = registry_checks.inn_from(answer)
        lookup.answered_at = clock.now()
        if inn:
            lookup.status = LookupStatus.FOUND
            AdditionalDocument.objects.update_or_create(
                account_id=lookup.account_id,
                kind=AdditionalDocumentType.INN,
                defaults={"number": inn, "source": DocumentSource.REGISTRY},
            )
        elif answer.kind == exchange_client.ERROR:
            lookup.status = LookupStatus.NOT_FOUND
        else:
            lookup.status = LookupStatus.UNAVAILABLE
        lookup.save(update_fields=["status", "answered_at"])
    return lookup


# --- Deletion --------------------------------------------------------------------------------


def account_delete(*, account: Account, password: str) -> None:
    """Delete the account: personal data, contacts, documents, history and sessions go;
    the audit journal keeps its entries (the law requires the record of what was done),
    and applications stay with the agencies that decided them (see the deletion page)."""
    reauthenticate(account=account, password=password)
    with transaction.atomic():
        sessions_end_all(account=account, reason=SessionEnd.ACCOUNT_DELETED)
        PersonalData.objects.filter(account=account).delete()
        AdditionalDocument.objects.filter(account=account).delete()
        InnLookup.objects.filter(account=account).delete()
        StandardVerification.objects.filter(account=account).delete()
        LoginEvent.objects.filter(account=account).delete()
        RecoveryCode.objects.filter(account=account).delete()
        OneTimeCode.objects.filter(account=account).delete()
        PostalCodeRequest.objects.filter(account=account).delete()
        AccountSession.objects.filter(account=account).delete()
        account.email = None
        account.phone = None
        account.surname = ""
        account.first_name = ""
        account.patronymic = ""
        account.totp_secret = None
        account.second_factor = ""
        account.is_active = False
        account.deleted_at = clock.now()
        account.set_unusable_password()
        account.save()
        audit_record(action=AUDIT_ACCOUNT_DELETED, actor=account, obj=account)

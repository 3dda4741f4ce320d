"""Registration at the simplified level: name and a confirmed phone or email, then a password."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from uslugi.core import clock
from uslugi.core.audit import Actor, audit_record
from uslugi.identity import delivery
from uslugi.identity.constants import (
    AUDIT_REGISTERED,
    EMAIL_LINK_TTL,
    SMS_CODE_TTL,
    Channel,
    Level,
)
from uslugi.identity.contacts import parse_contact
from uslugi.identity.errors import (
    CodeExpired,
    CodeUsed,
    ContactTaken,
    InvalidInput,
    ResendTooEarly,
)
from uslugi.identity.models import Account, Registration
from uslugi.identity.passwords import validate_new_password
from uslugi.identity.secrets import code_hash, token
from uslugi.identity.services.common import Client, check_code, code_resendable_at, issue_code
from uslugi.identity.throttling import local_time, rate_hit

# Codes sent to one phone or email, and from one IP, per hour.
CODES_PER_DESTINATION = 5
CODES_PER_IP = 20
CODE_WINDOW = dt.timedelta(hours=1)
EMAIL_RESEND_AFTER = dt.timedelta(minutes=1)

LinkBuilder = Callable[[str], str]


def limit_code_sending(*, destination: str, client: Client) -> None:
    """The per-destination and per-IP limits on sending codes (SMS cost money and annoy)."""
    rate_hit(scope="code_ip", key=client.ip_key, limit=CODES_PER_IP, window=CODE_WINDOW)
    rate_hit(scope="code_dest", key=destination, limit=CODES_PER_DESTINATION, window=CODE_WINDOW)


def _code_scope(registration: Registration) -> str:
    return f"registration:{registration.pk}"


def sms_code_text(code: str, minutes: int = 5) -> str:
    return _(
        "Uslugi: your code is %(code)s. It is valid for %(minutes)d minutes. Never tell it to anyone."
    ) % {
        "code": code,
        "minutes": minutes,
    }


def _send(registration: Registration, *, build_link: LinkBuilder) -> None:
    """A new code (phone) or link (email) for `registration`, queued for delivery."""
    if registration.channel == Channel.PHONE:
        code = issue_code(registration, scope=_code_scope(registration), ttl=SMS_CODE_TTL)
        delivery.queue_sms(phone=registration.contact, text=sms_code_text(code))
        return
    link_token = token()
    now = clock.now()
    registration.link_hash = code_hash(link_token, scope="registration-link")
    registration.sent_at = now
    registration.expires_at = now + EMAIL_LINK_TTL
    delivery.queue_email(
        to=registration.contact,
        subject=_("Confirm your email for Uslugi"),
        body=_(
            "Hello, %(name)s.\n\nTo finish registering on Uslugi, open this link within 3 days:\n%(link)s\n\n"
            "The link works once. If you did not register, ignore this letter."
        )
        % {"name": registration.first_name, "link": build_link(link_token)},
    )


def registration_start(
    *,
    surname: str,
    first_name: str,
    patronymic: str = "",
    contact: str,
    client: Client,
    build_link: LinkBuilder,
) -> Registration:
    """Start registering: send a code by SMS (valid 5 minutes) or a link by email (3 days).

    Whether the contact already has an account is told only once the person proves the
    contact is theirs (the code or link), so this page cannot be used to probe contacts.
    """
    parsed = parse_contact(contact)
    limit_code_sending(destination=parsed.value, client=client)
    with transaction.atomic():
        registration = Registration(
            surname=surname.strip(),
            first_name=first_name.strip(),
            patronymic=patronymic.strip(),
            channel=parsed.channel,
            contact=parsed.value,
        )
        _send(registration, build_link=build_link)
        registration.save()
    return registration


def registration_resend(
    *, registration: Registration, client: Client, build_link: LinkBuilder
) -> Registration:
    """A new code once the current one has run out (or a new link after a minute)."""
    if registration.confirmed_at is not None:
        raise CodeUsed()
    if registration.channel == Channel.PHONE:
        wait_until = code_resendable_at(registration)
    else:
        wait_until = (registration.sent_at or clock.now()) + EMAIL_RESEND_AFTER
        wait_until = wait_until if wait_until > clock.now() else None
    if wait_until is not None:
        raise ResendTooEarly(params={"time": local_time(wait_until)})
    limit_code_sending(destination=registration.contact, client=client)
    with transaction.atomic():
        _send(registration, build_link=build_link)
        registration.save()
    return registration


def _contact_taken(registration: Registration) -> bool:
    field = "phone" if registration.channel == Channel.PHONE else "email"
    return Account.objects.filter(**{field: registration.contact}).exists()


def registration_confirm_code(*, registration: Registration, code: str) -> Registration:
    """Check the SMS code; at most 3 wrong tries per code."""
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        error = check_code(
            registration,
            code,
            scope=_code_scope(registration),
            used_at=registration.completed_at,
        )
        if error is None:
            registration.confirmed_at = registration.confirmed_at or clock.now()
        registration.save()
    if error is not None:
        raise error
    if _contact_taken(registration):
        raise ContactTaken()
    return registration


def registration_confirm_link(*, link_token: str) -> Registration:
    """Open the email link: valid 3 days, works once."""
    hashed = code_hash(link_token, scope="registration-link")
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().filter(link_hash=hashed).first()
            if link_token
            else None
        )
        if registration is None:
            raise CodeUsed()
        if registration.expires_at is None or clock.now() >= registration.expires_at:
            raise CodeExpired()
        registration.link_hash = ""  # single use
        registration.confirmed_at = clock.now()
        registration.save()
    if _contact_taken(registration):
        raise ContactTaken()
    return registration


def registration_complete(*, registration: Registration, password: str) -> Account:
    """Set the password and create the account at the simplified level."""
    if registration.confirmed_at is None:
        raise InvalidInput(_("Confirm your phone or email first."))
    if registration.completed_at is not None:
        raise CodeUsed()
    validate_new_password(
        password,
        words=[
            registration.surname,
            registration.first_name,
            registration.patronymic,
            registration.contact,
        ],
    )
    field = "phone" if registration.channel == Channel.PHONE else "email"
    try:
        with transaction.atomic():
            account = Account(
                surname=registration.surname,
                first_name=registration.first_name,
                patronymic=registration.patronymic,
                level=Level.SIMPLIFIED,
                password_changed_at=clock.now(),
                **{field: registration.contact},
            )
            account.set_password(password)
            account.save()
            registration.completed_at = clock.now()
            registration.account = account
            registration.save(update_fields=["completed_at", "account"])
            audit_record(
                action=AUDIT_REGISTERED,
                actor=Actor.for_user(account),
                obj=account,
                details={"channel": registration.channel, "level": Level.SIMPLIFIED},
            )
    except IntegrityError:
        raise ContactTaken() from None
    return account


def registrations_purge(*, before: dt.datetime | None = None) -> int:
    """Forget unfinished registrations older than REGISTRATION_TTL (and finished ones)."""
    from uslugi.identity.constants import REGISTRATION_TTL

    cutoff = before or clock.now() - REGISTRATION_TTL
    deleted, _ = Registration.objects.filter(created_at__lt=cutoff).delete()
    return deleted

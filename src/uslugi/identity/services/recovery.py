"""Password recovery by phone, email or SNILS: a code to the bound phone or email.

The answer is the same whether or not an account matches: a code row is made either way
(with no account and a code nobody gets when none matches), so the next page, the wrong-
code messages and the limits behave identically.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from uslugi.core import clock
from uslugi.core.audit import Actor, audit_record
from uslugi.identity import delivery
from uslugi.identity.constants import (
    AUDIT_PASSWORD_RESET,
    AUDIT_RECOVERY_REQUESTED,
    EMAIL_CODE_TTL,
    SMS_CODE_TTL,
    Channel,
    CodePurpose,
    SessionEnd,
)
from uslugi.identity.contacts import parse_identifier
from uslugi.identity.errors import CodeWrong, InvalidInput
from uslugi.identity.models import Account, OneTimeCode
from uslugi.identity.notices import notify_security
from uslugi.identity.passwords import validate_new_password
from uslugi.identity.services.common import Client, check_code, find_account, issue_code
from uslugi.identity.services.login import ACCOUNT_SCOPE
from uslugi.identity.services.registration import sms_code_text
from uslugi.identity.services.sessions import sessions_end_all
from uslugi.identity.throttling import backoff_reset, rate_hit
from uslugi.notifications import events

RECOVERIES_PER_IP = 10
RECOVERIES_PER_IDENTIFIER = 3
WINDOW = dt.timedelta(hours=1)
# After the code is accepted, the new password must be set within this time.
SET_PASSWORD_WITHIN = dt.timedelta(minutes=15)


def _scope(otc: OneTimeCode) -> str:
    return f"recovery:{otc.pk}"


def recovery_start(*, identifier: str, client: Client) -> OneTimeCode:
    """Send a code to the phone or email bound to the account `identifier` names, if any."""
    parsed = parse_identifier(identifier)
    if parsed.empty:
        raise InvalidInput(
            _("Enter your mobile phone, email or SNILS, for example +7 912 345-67-89."),
            field="identifier",
        )
    rate_hit(scope="recovery_ip", key=client.ip_key, limit=RECOVERIES_PER_IP, window=WINDOW)
    rate_hit(
        scope="recovery_id",
        key=parsed.throttle_key,
        limit=RECOVERIES_PER_IDENTIFIER,
        window=WINDOW,
    )
    account = find_account(parsed)
    channel, destination = Channel.PHONE, ""
    if account is not None:
        if parsed.email or (parsed.snils and not account.phone):
            channel, destination = Channel.EMAIL, account.email or ""
        else:
            channel, destination = Channel.PHONE, account.phone or ""
    with transaction.atomic():
        otc = OneTimeCode(
            purpose=CodePurpose.RECOVERY, account=account, channel=channel, destination=destination
        )
        ttl = EMAIL_CODE_TTL if channel == Channel.EMAIL else SMS_CODE_TTL
        code = issue_code(otc, scope=_scope(otc), ttl=ttl)
        otc.save()
        if account is not None and destination:
            if channel == Channel.PHONE:
                delivery.queue_sms(phone=destination, text=sms_code_text(code))
            else:
                delivery.queue_email(
                    to=destination,
                    subject=_("Password recovery on Uslugi"),
                    body=_(
                        "Your password recovery code is %(code)s. It is valid for 30 minutes.\n\n"
                        "If you did not ask to recover your password, ignore this letter: "
                        "your password has not changed."
                    )
                    % {"code": code},
                )
        audit_record(
            action=AUDIT_RECOVERY_REQUESTED,
            actor=Actor.anonymous(),
            obj=account,
            details={"channel": channel, "known_account": account is not None},
        )
    return otc


def recovery_check_code(*, code_id: str, code: str) -> OneTimeCode:
    """Accept the code (once). Then the password must be set within 15 minutes."""
    with transaction.atomic():
        otc = (
            OneTimeCode.objects.select_for_update()
            .filter(pk=code_id, purpose=CodePurpose.RECOVERY)
            .first()
        )
        if otc is None:
            raise CodeWrong(field="code")
        error = check_code(otc, code, scope=_scope(otc), used_at=otc.used_at)
        if error is None and otc.account_id is None:
            # No account: the code could never be right. Count it like a wrong one.
            otc.tries += 1
            error = CodeWrong(field="code")
        if error is None:
            otc.used_at = clock.now()
        otc.save()
    if error is not None:
        raise error
    return otc


def recovery_set_password(*, code_id: str, password: str) -> Account:
    """Set the new password after an accepted code; every session of the account ends."""
    otc = (
        OneTimeCode.objects.select_related("account")
        .filter(pk=code_id, purpose=CodePurpose.RECOVERY, used_at__isnull=False)
        .first()
    )
    if (
        otc is None
        or otc.account is None
        or otc.used_at is None
        or clock.now() - otc.used_at > SET_PASSWORD_WITHIN
    ):
        raise InvalidInput(_("Start the password recovery again."))
    account = otc.account
    validate_new_password(password, user=account)
    with transaction.atomic():
        account.set_password(password)
        account.password_changed_at = clock.now()
        account.must_change_password = False
        account.save(update_fields=["password", "password_changed_at", "must_change_password"])
        # The code row is spent: it cannot set a password twice.
        OneTimeCode.objects.filter(pk=otc.pk).delete()
        ended = sessions_end_all(account=account, reason=SessionEnd.PASSWORD_RESET)
        notify_security(account=account, event=events.SECURITY_PASSWORD_CHANGED)
        backoff_reset(scope=ACCOUNT_SCOPE, key=f"account:{account.pk}")
        audit_record(
            action=AUDIT_PASSWORD_RESET,
            actor=Actor.anonymous(),
            obj=account,
            details={"channel": otc.channel, "sessions_ended": ended},
        )
    return account

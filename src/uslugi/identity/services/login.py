"""Signing in: password (phone, email or SNILS), then the second step if switched on.

Failures make the next attempt wait longer, per account and per IP (identity.throttling).
An unknown account and a wrong password get the same answer in the same time: a dummy
password is hashed when no account matches, and the waits are keyed the same way.
"""

from __future__ import annotations

import hmac

import pyotp
from django.db import transaction

from uslugi.core import clock
from uslugi.core.audit import Actor, audit_record
from uslugi.identity import delivery
from uslugi.identity.constants import (
    AUDIT_LOGIN_FAILED,
    AUDIT_LOGIN_THROTTLED,
    AUDIT_RECOVERY_CODE_USED,
    AUDIT_SECOND_FACTOR_FAILED,
    SMS_CODE_TTL,
    Channel,
    CodePurpose,
    LoginOutcome,
    SecondFactor,
)
from uslugi.identity.contacts import parse_identifier
from uslugi.identity.errors import LoginFailed, PhoneRequired, ResendTooEarly, SecondFactorWrong
from uslugi.identity.models import Account, LoginEvent, OneTimeCode, RecoveryCode
from uslugi.identity.secrets import code_hash
from uslugi.identity.services.common import (
    Client,
    check_code,
    check_dummy_password,
    code_resendable_at,
    find_account,
    issue_code,
)
from uslugi.identity.services.registration import limit_code_sending, sms_code_text
from uslugi.identity.services.sessions import device_id
from uslugi.identity.throttling import (
    ACCOUNT_POLICY,
    DEVICE_POLICY,
    IP_POLICY,
    backoff_failure,
    backoff_reset,
    backoff_wait,
    local_time,
    rate_limited,
)

IP_SCOPE = "login_ip"
ACCOUNT_SCOPE = "login_account"
DEVICE_SCOPE = "login_device"


def _subject_key(account: Account | None, typed: str) -> tuple[str, str]:
    """The back-off key for whom the attempt names: the account, or what was typed."""
    if account is not None:
        return ACCOUNT_SCOPE, f"account:{account.pk}"
    return ACCOUNT_SCOPE, f"typed:{typed}"


def _record(account: Account | None, outcome: LoginOutcome, client: Client) -> None:
    if account is not None:
        LoginEvent.objects.create(
            account=account, outcome=outcome, ip=client.ip, user_agent=client.user_agent
        )


def login_check_password(*, identifier: str, password: str, client: Client) -> Account:
    """The account if the password is right; LoginFailed (or RateLimited) otherwise."""
    parsed = parse_identifier(identifier)
    account = find_account(parsed) if not parsed.empty else None
    typed = parsed.throttle_key or identifier.strip().lower()[:254]
    device = device_id(client.device_token, account) if account is not None else None
    scope, key = (DEVICE_SCOPE, f"device:{device}") if device else _subject_key(account, typed)

    waits = [
        w
        for w in (
            backoff_wait(scope=IP_SCOPE, key=client.ip_key),
            backoff_wait(scope=scope, key=key),
        )
        if w is not None
    ]
    if waits:
        _record(account, LoginOutcome.THROTTLED, client)
        audit_record(action=AUDIT_LOGIN_THROTTLED, actor=Actor.anonymous(), obj=account)
        raise rate_limited(max(waits))

    ok = account.check_password(password) if account is not None else False
    if account is None:
        check_dummy_password(password)
    if not ok:
        backoff_failure(scope=IP_SCOPE, key=client.ip_key, policy=IP_POLICY)
        backoff_failure(scope=scope, key=key, policy=DEVICE_POLICY if device else ACCOUNT_POLICY)
        _record(account, LoginOutcome.FAILURE, client)
        audit_record(
            action=AUDIT_LOGIN_FAILED,
            actor=Actor.anonymous(),
            obj=account,
            details={"step": "password", "known_account": account is not None},
        )
        raise LoginFailed()
    # Success clears the account's waits, not the IP's: signing in to one's own account
    # must not let a guesser behind the same address start over.
    backoff_reset(scope=scope, key=key)
    assert account is not None  # noqa: S101 - ok implies an account
    return account


# --- Second step ----------------------------------------------------------------------------


def sign_in_code_current(account: Account) -> OneTimeCode | None:
    """The second-step SMS code last sent and not yet used."""
    return _sign_in_code(account)


def _sign_in_code(account: Account) -> OneTimeCode | None:
    return (
        OneTimeCode.objects.filter(
            account=account, purpose=CodePurpose.SIGN_IN, used_at__isnull=True
        )
        .order_by("-created_at")
        .first()
    )


def second_step_send_sms(*, account: Account, client: Client, force: bool = False) -> OneTimeCode:
    """Send the SMS code of the second step (again only after the last one runs out)."""
    if not account.phone:
        raise PhoneRequired()
    current = _sign_in_code(account)
    if current is not None:
        wait_until = code_resendable_at(current)
        if wait_until is not None:
            if not force:
                return current  # the valid code already sent: do not send another
            raise ResendTooEarly(params={"time": local_time(wait_until)})
    limit_code_sending(destination=account.phone, client=client)
    with transaction.atomic():
        otc = OneTimeCode(
            purpose=CodePurpose.SIGN_IN, account=account, channel=Channel.PHONE,
            destination=account.phone,
        )  # fmt: skip
        code = issue_code(otc, scope=f"sign_in:{otc.pk}", ttl=SMS_CODE_TTL)
        otc.save()
        delivery.queue_sms(phone=account.phone, text=sms_code_text(code))
    return otc


def totp_step(secret: str, code: str, *, last_step: int | None) -> int | None:
    """The time step `code` belongs to (one step of clock drift either way), if valid and
    later than `last_step` (a code is accepted once)."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = clock.now()
    current = totp.timecode(now)
    for step in (current - 1, current, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _use_recovery_code(account: Account, code: str) -> bool:
    hashed = code_hash(code, scope=f"recovery:{account.pk}")
    used = RecoveryCode.objects.filter(
        account=account, code_hash=hashed, used_at__isnull=True
    ).update(used_at=clock.now())
    if used:
        audit_record(action=AUDIT_RECOVERY_CODE_USED, actor=account, obj=account)
    return bool(used)


def login_check_second_step(*, account: Account, code: str, client: Client) -> None:
    """Check the authenticator or SMS code, or a recovery code; SecondFactorWrong if not."""
    scope, key = ACCOUNT_SCOPE, f"account:{account.pk}"
    waits = [
        w
        for w in (
            backoff_wait(scope=IP_SCOPE, key=client.ip_key),
            backoff_wait(scope=scope, key=key),
        )
        if w is not None
    ]
    if waits:
        _record(account, LoginOutcome.THROTTLED, client)
        raise rate_limited(max(waits))
    ok = False
    sms_error = None
    with transaction.atomic():
        locked = Account.objects.select_for_update().get(pk=account.pk)
        if locked.second_factor == SecondFactor.TOTP and locked.totp_secret:
            step = totp_step(str(locked.totp_secret), code, last_step=locked.totp_last_step)
            if step is not None:
                locked.totp_last_step = step
                locked.save(update_fields=["totp_last_step"])
                ok = True
        elif locked.second_factor == SecondFactor.SMS:
            otc = _sign_in_code(locked)
            if otc is not None:
                sms_error = check_code(otc, code, scope=f"sign_in:{otc.pk}")
                if sms_error is None:
                    otc.used_at = clock.now()
                    ok = True
                otc.save()
    if not ok and len(code.strip()) > 6:
        ok = _use_recovery_code(account, code)
    if not ok:
        backoff_failure(scope=IP_SCOPE, key=client.ip_key, policy=IP_POLICY)
        backoff_failure(scope=scope, key=key, policy=ACCOUNT_POLICY)
        _record(account, LoginOutcome.SECOND_FACTOR_FAILURE, client)
        audit_record(
            action=AUDIT_SECOND_FACTOR_FAILED, actor=Actor.anonymous(), obj=account,
            details={"factor": account.second_factor},
        )  # fmt: skip
        raise SecondFactorWrong(field="code")
    backoff_reset(scope=scope, key=key)

"""Confirmed level: by a code sent by registered post, or in person at a service centre.

The method is recorded because it decides what the account may use (identity.assurance):
a stronger method (in person, signature) replaces a weaker one (post), never the reverse.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.identity import delivery
from uslugi.identity.constants import (
    AUDIT_CONFIRMED,
    AUDIT_LEVEL_CHANGED,
    AUDIT_POST_CODE_FAILED,
    AUDIT_POST_CODE_ORDERED,
    POST_CODE_LENGTH,
    POST_CODE_MAX_TRIES,
    POST_CODE_TTL,
    POST_REORDER_AFTER,
    ConfirmationMethod,
    Level,
)
from uslugi.identity.errors import (
    AddressMissing,
    AlreadyConfirmed,
    CodeExhausted,
    CodeExpired,
    CodeWrong,
    DomainError,
    LevelTooLow,
    PostReorderTooEarly,
)
from uslugi.identity.models import (
    Account,
    CentreOperator,
    Confirmation,
    PostalCodeRequest,
    ServiceCentre,
)
from uslugi.identity.secrets import code_hash, code_matches, letter_code
from uslugi.identity.throttling import ACCOUNT_POLICY, backoff_failure, backoff_wait, rate_limited

# Stronger methods first: a confirmation never moves down this list.
METHOD_STRENGTH = {
    ConfirmationMethod.POST: 1,
    ConfirmationMethod.IN_PERSON: 2,
    ConfirmationMethod.SIGNATURE: 2,
}


def _date(moment: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "SHORT_DATE_FORMAT")


def account_confirm(
    *,
    account: Account,
    method: ConfirmationMethod,
    centre: ServiceCentre | None = None,
    operator: Account | None = None,
    postal_code: PostalCodeRequest | None = None,
) -> Confirmation:
    """Record a confirmation and raise the account to the confirmed level (in a transaction)."""
    if not account.has_level(Level.STANDARD):
        raise LevelTooLow()
    current = account.confirmation_method
    if current and METHOD_STRENGTH[ConfirmationMethod(current)] >= METHOD_STRENGTH[method]:
        raise AlreadyConfirmed()
    with transaction.atomic():
        confirmation = Confirmation.objects.create(
            account=account, method=method, centre=centre, operator=operator,
            postal_code=postal_code,
        )  # fmt: skip
        previous = account.level
        account.level = Level.CONFIRMED
        account.confirmation_method = method
        account.confirmed_at = clock.now()
        account.level_changed_at = account.confirmed_at
        account.save(
            update_fields=["level", "confirmation_method", "confirmed_at", "level_changed_at"]
        )
        audit_record(
            action=AUDIT_CONFIRMED,
            actor=operator or account,
            obj=account,
            details={"method": method, "centre": str(centre.pk) if centre else None},
        )
        audit_record(
            action=AUDIT_LEVEL_CHANGED,
            actor=operator or account,
            obj=account,
            details={"from": previous, "to": Level.CONFIRMED, "by": method},
        )
    return confirmation


# --- Registered post ---------------------------------------------------------------------------


def post_code_latest(account: Account) -> PostalCodeRequest | None:
    return PostalCodeRequest.objects.filter(account=account).order_by("-created_at").first()


def post_code_reorder_at(account: Account) -> dt.datetime | None:
    """When a new letter may be ordered, if not now."""
    latest = post_code_latest(account)
    if latest is None or latest.used_at is not None:
        return None
    at = latest.created_at + POST_REORDER_AFTER
    return at if at > clock.now() else None


def post_code_order(*, account: Account, address: str) -> PostalCodeRequest:
    """Queue a registered letter with a one-time code (valid 60 days; one per 30 days)."""
    if not account.has_level(Level.STANDARD):
        raise LevelTooLow()
    if account.confirmation_method:
        raise AlreadyConfirmed()
    address = address.strip()
    if not address:
        raise AddressMissing(field="address")
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        reorder_at = post_code_reorder_at(account)
        if reorder_at is not None:
            raise PostReorderTooEarly(params={"date": _date(reorder_at)})
        code = letter_code(POST_CODE_LENGTH)
        request = PostalCodeRequest(
            account=account, address=address, expires_at=clock.now() + POST_CODE_TTL
        )
        request.code_hash = code_hash(code, scope=f"post:{request.pk}")
        request.save()
        delivery.queue_letter(
            request_id=str(request.pk),
            recipient=account.get_full_name(),
            address=address,
            text=_(
                "Your Uslugi account confirmation code: %(code)s\n\n"
                'Sign in at Uslugi, open "Confirm your identity" and enter this code '
                "before %(date)s. Never tell it to anyone: staff of Uslugi will never ask for it."
            )
            % {"code": code, "date": _date(request.expires_at)},
        )
        audit_record(action=AUDIT_POST_CODE_ORDERED, actor=account, obj=request)
    return request


def post_code_enter(*, account: Account, code: str) -> Confirmation:
    """Confirm the account with the code from the letter."""
    key = f"post:{account.pk}"
    wait = backoff_wait(scope="post_code", key=key)
    if wait is not None:
        raise rate_limited(wait)
    error: DomainError | None = None
    with transaction.atomic():
        request = (
            PostalCodeRequest.objects.select_for_update()
            .filter(account=account, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if request is None or clock.now() >= request.expires_at:
            error = CodeExpired(field="code")
        elif request.tries >= POST_CODE_MAX_TRIES:
            error = CodeExhausted(field="code")
        elif not code_matches(code, request.code_hash, scope=f"post:{request.pk}"):
            request.tries += 1
            request.save(update_fields=["tries"])
            error = CodeWrong(field="code")
        else:
            request.used_at = clock.now()
            request.save(update_fields=["used_at"])
            confirmation = account_confirm(
                account=account, method=ConfirmationMethod.POST, postal_code=request
            )
    if error is not None:
        backoff_failure(scope="post_code", key=key, policy=ACCOUNT_POLICY)
        audit_record(
            action=AUDIT_POST_CODE_FAILED, actor=account, obj=account, details={"error": error.code}
        )
        raise error
    return confirmation


def letter_sent(*, request_id: str, tracking: str) -> None:
    PostalCodeRequest.objects.filter(pk=request_id).update(tracking=tracking)


def operator_centre(operator: Account) -> ServiceCentre | None:
    link = CentreOperator.objects.select_related("centre").filter(account=operator).first()
    return link.centre if link else None


__all__ = [
    "account_confirm",
    "letter_sent",
    "operator_centre",
    "post_code_enter",
    "post_code_latest",
    "post_code_order",
    "post_code_reorder_at",
]

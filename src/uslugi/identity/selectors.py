"""Queries for identity's pages and API. Every one takes the account whose data it reads,
so a person can only ever reach their own rows."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from uslugi.identity.assurance import Decision, Requirement, account_may_use
from uslugi.identity.constants import (
    AdditionalDocumentType,
    CheckStatus,
    Level,
    VerificationStatus,
)
from uslugi.identity.models import (
    Account,
    AccountSession,
    AdditionalDocument,
    CentreOperator,
    InnLookup,
    LoginEvent,
    PersonalData,
    PostalLetter,
    ServiceCentre,
    SmsMessage,
    StandardVerification,
)
from uslugi.identity.reasons import reason_text

LEVEL_GIVES = {
    Level.SIMPLIFIED: _("reference information and services that need no personal data"),
    Level.STANDARD: _("most services: your data has been checked by the registries"),
    Level.CONFIRMED: _("every service of the portal"),
}


def level_explanation(level: str) -> str:
    return str(LEVEL_GIVES.get(Level(level), ""))


def next_level_step(account: Account) -> Decision | None:
    """What the person can do to raise the account's level (None at the top)."""
    if account.level == Level.CONFIRMED:
        return None
    target = Requirement.STANDARD if account.level == Level.SIMPLIFIED else Requirement.CONFIRMED
    decision = account_may_use(account, target)
    return None if decision else decision


def is_operator(account: Account) -> bool:
    """Whether the account works at a service centre (the console itself checks the
    permission too)."""
    return CentreOperator.objects.filter(account=account).exists()


def personal_data(account: Account) -> PersonalData | None:
    return PersonalData.objects.filter(account=account).first()


@dataclass(frozen=True)
class CheckView:
    kind: str
    label: str
    status: str
    status_label: str
    reason: str
    retry_at: object


def verification_latest(account: Account) -> StandardVerification | None:
    return (
        StandardVerification.objects.filter(account=account)
        .prefetch_related("checks")
        .order_by("-created_at")
        .first()
    )


def verification_running(account: Account) -> StandardVerification | None:
    return StandardVerification.objects.filter(
        account=account, status=VerificationStatus.RUNNING
    ).first()


def verification_checks(verification: StandardVerification) -> list[CheckView]:
    """The checks of a verification, each with its status and reason in plain words."""
    views = []
    for check in sorted(verification.checks.all(), key=lambda c: c.kind != "snils"):
        reason = reason_text(check.reason_code) if check.reason_code else ""
        views.append(
            CheckView(
                kind=check.kind,
                label=check.get_kind_display(),
                status=check.status,
                status_label=check.get_status_display(),
                reason=reason,
                retry_at=check.next_attempt_at if check.status == CheckStatus.UNAVAILABLE else None,
            )
        )
    return views


def sessions_active(account: Account) -> QuerySet[AccountSession]:
    return AccountSession.objects.filter(account=account, ended_at__isnull=True).order_by(
        "-last_seen_at"
    )


def login_history(account: Account, *, limit: int = 20) -> list[LoginEvent]:
    return list(LoginEvent.objects.filter(account=account).order_by("-created_at")[:limit])


def documents(account: Account) -> list[AdditionalDocument]:
    order = list(AdditionalDocumentType.values)
    docs = list(AdditionalDocument.objects.filter(account=account))
    return sorted(docs, key=lambda d: order.index(d.kind))


def inn_lookup_latest(account: Account) -> InnLookup | None:
    return InnLookup.objects.filter(account=account).order_by("-created_at").first()


def centres(*, region_code: str = "") -> QuerySet[ServiceCentre]:
    query = ServiceCentre.objects.filter(is_active=True)
    return query.filter(region_code=region_code) if region_code else query


def centre_regions() -> list[tuple[str, str]]:
    """Regions that have an open centre, as (code, name), by code."""
    rows = (
        ServiceCentre.objects.filter(is_active=True)
        .values_list("region_code", "region_name")
        .distinct()
        .order_by("region_code")
    )
    return list(rows)


def sms_outbox(*, limit: int = 50) -> list[SmsMessage]:
    return list(SmsMessage.objects.order_by("-created_at")[:limit])


def letter_outbox(*, limit: int = 50) -> list[PostalLetter]:
    return list(PostalLetter.objects.order_by("-created_at")[:limit])

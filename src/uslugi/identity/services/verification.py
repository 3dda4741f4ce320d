"""Standard level: the person's data checked by the Pension Fund and the Interior Ministry
over the exchange bus.

A verification freezes the submitted data and runs two checks. Each check is WAITING until
its registry answers, then PASSED, FAILED (with a reason in plain words) or UNAVAILABLE
(the bus gave up reaching the registry: identity asks again later, "we will retry").
When both pass the account becomes standard in the same transaction, so the next page
the person sees already shows it, without signing in again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

import structlog
from django.db import IntegrityError, transaction

from uslugi.core import clock
from uslugi.core.audit import SYSTEM, audit_record
from uslugi.core.fields import blind_index_for
from uslugi.identity import exchange_client, registry_checks
from uslugi.identity.constants import (
    AUDIT_LEVEL_CHANGED,
    AUDIT_VERIFICATION_CANCELLED,
    AUDIT_VERIFICATION_FAILED,
    AUDIT_VERIFICATION_STARTED,
    CHECK_RETRY_DELAYS,
    CheckKind,
    CheckStatus,
    Level,
    VerificationStatus,
)
from uslugi.identity.errors import (
    AlreadyStandard,
    DomainError,
    NothingToCancel,
    SnilsTaken,
    VerificationRunning,
)
from uslugi.identity.models import Account, PersonalData, StandardVerification, VerificationCheck

log = structlog.get_logger(__name__)

CHECK_CALLBACK = "uslugi.identity.tasks.check_answered"


def submitted_data(verification: StandardVerification) -> dict[str, Any]:
    """The data a verification froze (decrypted)."""
    return dict(cast("dict[str, Any]", verification.data))


def snils_bound_elsewhere(*, snils: str, account: Account) -> bool:
    index = blind_index_for(PersonalData, "snils_index", snils)
    return PersonalData.objects.filter(snils_index=index).exclude(account=account).exists()


def verification_submit(*, account: Account, data: dict[str, Any]) -> StandardVerification:
    """Freeze the submitted data and send both checks (a SNILS of another account refused)."""
    if account.has_level(Level.STANDARD):
        raise AlreadyStandard()
    if snils_bound_elsewhere(snils=data["snils"], account=account):
        raise SnilsTaken(field="snils")
    with transaction.atomic():
        Account.objects.select_for_update().filter(pk=account.pk).first()
        if StandardVerification.objects.filter(
            account=account, status=VerificationStatus.RUNNING
        ).exists():
            raise VerificationRunning()
        verification = StandardVerification.objects.create(account=account, data=cast(Any, data))
        for kind in (CheckKind.SNILS, CheckKind.DOCUMENT):
            check = VerificationCheck.objects.create(verification=verification, kind=kind)
            _dispatch(check, data)
        audit_record(
            action=AUDIT_VERIFICATION_STARTED,
            actor=account,
            obj=verification,
            details={"document_type": data["document_type"]},
        )
    return verification


def verification_cancel(*, account: Account) -> StandardVerification:
    """Stop waiting for the checks; the person can correct the data and submit again."""
    with transaction.atomic():
        verification = (
            StandardVerification.objects.select_for_update()
            .filter(account=account, status=VerificationStatus.RUNNING)
            .first()
        )
        if verification is None:
            raise NothingToCancel()
        verification.status = VerificationStatus.CANCELLED
        verification.finished_at = clock.now()
        verification.save(update_fields=["status", "finished_at"])
        audit_record(action=AUDIT_VERIFICATION_CANCELLED, actor=account, obj=verification)
    return verification


def _dispatch(check: VerificationCheck, data: dict[str, Any]) -> None:
    """Send the check's request over the bus (inside the caller's transaction)."""
    type_key, payload = registry_checks.check_request(check.kind, data)
    check.attempts += 1
    check.status = CheckStatus.WAITING
    check.next_attempt_at = None
    try:
        check.message_ref = exchange_client.send(
            type_key=type_key,
            payload=payload,
            correlation_id=str(check.verification_id),
            callback=CHECK_CALLBACK,
        )
    except DomainError as exc:
        # Refused by the bus before sending (no grant, rate limit, schema): our problem.
        log.warning("identity.check_refused", check=str(check.pk), code=exc.code)
        _mark_unavailable(check, reason="rejected" if exc.status != 429 else "unavailable")
    check.save()


def _retry_delay(attempts: int) -> dt.timedelta:
    return CHECK_RETRY_DELAYS[min(max(attempts - 1, 0), len(CHECK_RETRY_DELAYS) - 1)]


def _mark_unavailable(check: VerificationCheck, *, reason: str = "unavailable") -> None:
    check.status = CheckStatus.UNAVAILABLE
    check.reason_code = reason
    check.next_attempt_at = clock.now() + _retry_delay(check.attempts)
    _schedule_retry(check.next_attempt_at)


def _schedule_retry(when: dt.datetime) -> None:
    """Wake the retry sweep at `when`, where the task backend can defer tasks."""
    from django_tasks import default_task_backend

    if not default_task_backend.supports_defer:
        return  # e.g. the tests' immediate backend: tests run the sweep themselves
    from uslugi.identity.tasks import retry_checks

    retry_checks.using(run_after=when).enqueue()


def check_answered(*, message_id: str) -> VerificationCheck | None:
    """The bus's callback: read the registry's answer and move the check (and the
    verification) on. Answers to cancelled or finished verifications are ignored."""
    answer = exchange_client.answer(message_id)
    if answer is None:
        return None
    with transaction.atomic():
        check = (
            VerificationCheck.objects.select_for_update()
            .select_related("verification")
            .filter(message_ref=message_id)
            .first()
        )
        if check is None or check.status != CheckStatus.WAITING:
            return check
        verification = StandardVerification.objects.select_for_update().get(
            pk=check.verification_id
        )
        if verification.status in (VerificationStatus.CANCELLED, VerificationStatus.PASSED):
            return check
        status, reason = registry_checks.interpret(check.kind, answer)
        check.answered_at = clock.now()
        if verification.status == VerificationStatus.FAILED:
            # Already failed on the other check: show this answer too, retry nothing.
            if status != CheckStatus.UNAVAILABLE:
                check.status, check.reason_code = status, reason
                check.save()
            return check
        if status == CheckStatus.UNAVAILABLE:
            _mark_unavailable(check, reason=reason)
        else:
            check.status, check.reason_code = status, reason
        check.save()
        _advance(verification)
    return check


def checks_retry_due(*, now: dt.datetime | None = None) -> int:
    """Send again every check whose registry was unavailable and whose pause is over."""
    moment = now or clock.now()
    due = VerificationCheck.objects.filter(
        status=CheckStatus.UNAVAILABLE,
        next_attempt_at__lte=moment,
        verification__status=VerificationStatus.RUNNING,
    ).values_list("pk", flat=True)
    sent = 0
    for pk in list(due):
        with transaction.atomic():
            check = (
                VerificationCheck.objects.select_for_update()
                .select_related("verification")
                .filter(pk=pk, status=CheckStatus.UNAVAILABLE)
                .first()
            )
            if check is None:
                continue
            _dispatch(check, submitted_data(check.verification))
            sent += 1
    return sent


def _advance(verification: StandardVerification) -> None:
    """Finish the verification if its checks decide it (inside the caller's transaction)."""
    checks = list(verification.checks.all())
    if any(c.status == CheckStatus.FAILED for c in checks):
        verification.status = VerificationStatus.FAILED
        verification.finished_at = clock.now()
        verification.save(update_fields=["status", "finished_at"])
        audit_record(
            action=AUDIT_VERIFICATION_FAILED,
            actor=SYSTEM,
            obj=verification,
            details={"reasons": sorted(c.reason_code for c in checks if c.reason_code)},
        )
        return
    if checks and all(c.status == CheckStatus.PASSED for c in checks):
        _promote(verification)


def _promote(verification: StandardVerification) -> None:
    data = submitted_data(verification)
    account = Account.objects.select_for_update().get(pk=verification.account_id)
    try:
        with transaction.atomic():
            PersonalData.objects.update_or_create(
                account=account,
                defaults={
                    "birth_date": cast(Any, dt.date.fromisoformat(data["birth_date"])),
                    "gender": data["gender"],
                    "citizenship": data["citizenship"],
                    "snils": data["snils"],
                    "document_type": data["document_type"],
                    "document_number": data["document_number"],
                    "document_issued_on": cast(
                        Any, dt.date.fromisoformat(data["document_issued_on"])
                    ),
                    "document_issuer": data.get("document_issuer") or None,
                    "document_division_code": data.get("division_code") or None,
                    "document_country": data.get("document_country") or "",
                    "verified_at": clock.now(),
                },
            )
    except IntegrityError:
        # Another account got this SNILS verified meanwhile: one account per SNILS.
        VerificationCheck.objects.filter(verification=verification, kind=CheckKind.SNILS).update(
            status=CheckStatus.FAILED, reason_code="snils_taken"
        )
        verification.status = VerificationStatus.FAILED
        verification.finished_at = clock.now()
        verification.save(update_fields=["status", "finished_at"])
        return
    previous = account.level
    account.surname = data["surname"]
    account.first_name = data["first_name"]
    account.patronymic = data.get("patronymic", "")
    if not account.has_level(Level.STANDARD):
        account.level = Level.STANDARD
        account.level_changed_at = clock.now()
    account.save(update_fields=["surname", "first_name", "patronymic", "level", "level_changed_at"])
    verification.status = VerificationStatus.PASSED
    verification.finished_at = clock.now()
    verification.save(update_fields=["status", "finished_at"])
    audit_record(
        action=AUDIT_LEVEL_CHANGED,
        actor=SYSTEM,
        obj=account,
        details={"from": previous, "to": account.level, "by": "registry_checks"},
    )

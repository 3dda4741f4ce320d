"""The service-centre operator's console: find a person by SNILS or document number,
compare their data with the document they present, confirm their identity, restore access.

Every action is audited with the operator as the actor and the centre they work at.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.core.fields import blind_index_for
from uslugi.identity import delivery
from uslugi.identity.constants import (
    AUDIT_OPERATOR_RESTORED,
    AUDIT_OPERATOR_SEARCH,
    AUDIT_OPERATOR_VIEW,
    ConfirmationMethod,
    SessionEnd,
)
from uslugi.identity.contacts import normalize_phone
from uslugi.identity.errors import AccountNotFound, ContactInvalid, ContactTaken, NotAnOperator
from uslugi.identity.models import Account, Confirmation, PersonalData, ServiceCentre
from uslugi.identity.secrets import letter_code
from uslugi.identity.services.confirmation import account_confirm, operator_centre
from uslugi.identity.services.login import ACCOUNT_SCOPE
from uslugi.identity.services.second_factor import second_factor_clear
from uslugi.identity.services.sessions import sessions_end_all
from uslugi.identity.throttling import backoff_reset

PERMISSION = "identity.operate_service_centre"


def require_operator(operator: Account) -> ServiceCentre:
    """The centre the operator works at; NotAnOperator if they may not use the console."""
    if not operator.is_active or not operator.has_perm(PERMISSION):
        raise NotAnOperator()
    centre = operator_centre(operator)
    if centre is None:
        raise NotAnOperator()
    return centre


def operator_find(*, operator: Account, snils: str = "", document_number: str = "") -> PersonalData:
    """The person whose SNILS or identity document number matches (blind indexes)."""
    centre = require_operator(operator)
    by = "snils" if snils else "document"
    query = PersonalData.objects.select_related("account").filter(account__is_active=True)
    try:
        if snils:
            found = query.filter(
                snils_index=blind_index_for(PersonalData, "snils_index", snils)
            ).first()
        else:
            found = query.filter(
                document_index=blind_index_for(PersonalData, "document_index", document_number)
            ).first()
    except ValueError:
        found = None
    audit_record(
        action=AUDIT_OPERATOR_SEARCH,
        actor=operator,
        obj=found.account if found else None,
        details={"by": by, "found": found is not None, "centre": str(centre.pk)},
    )
    if found is None:
        raise AccountNotFound()
    return found


def operator_view(*, operator: Account, account_id: str) -> PersonalData:
    """The person's data in full, to compare with the document they present (audited)."""
    centre = require_operator(operator)
    found = (
        PersonalData.objects.select_related("account")
        .filter(account_id=account_id, account__is_active=True)
        .first()
    )
    if found is None:
        raise AccountNotFound()
    audit_record(
        action=AUDIT_OPERATOR_VIEW,
        actor=operator,
        obj=found.account,
        details={"centre": str(centre.pk)},
    )
    return found


def operator_confirm(*, operator: Account, account_id: str) -> Confirmation:
    """Confirm the identity of the person present with their document."""
    centre = require_operator(operator)
    account = Account.objects.filter(pk=account_id, is_active=True).first()
    if account is None:
        raise AccountNotFound()
    return account_confirm(
        account=account,
        method=ConfirmationMethod.IN_PERSON,
        centre=centre,
        operator=operator,
    )


def operator_restore_access(*, operator: Account, account_id: str, new_phone: str) -> Account:
    """Bind a new phone and send a temporary password to it; the old password, second
    step and every session stop working. The person must change the password on sign-in."""
    centre = require_operator(operator)
    phone = normalize_phone(new_phone)
    if phone is None:
        raise ContactInvalid(field="phone")
    account = Account.objects.filter(pk=account_id, is_active=True).first()
    if account is None:
        raise AccountNotFound()
    if Account.objects.filter(phone=phone).exclude(pk=account.pk).exists():
        raise ContactTaken(field="phone")
    temporary = f"{letter_code(4)}{letter_code(4).lower()}{letter_code(2)}7"
    try:
        with transaction.atomic():
            account.phone = phone
            account.set_password(temporary)
            account.must_change_password = True
            account.password_changed_at = clock.now()
            account.save(
                update_fields=["phone", "password", "must_change_password", "password_changed_at"]
            )
            second_factor_clear(account)
            ended = sessions_end_all(account=account, reason=SessionEnd.PASSWORD_RESET)
            backoff_reset(scope=ACCOUNT_SCOPE, key=f"account:{account.pk}")
            delivery.queue_sms(
                phone=phone,
                text=_(
                    "Uslugi: your temporary password is %(password)s. Sign in with your phone and set a new password at once."
                )
                % {"password": temporary},
            )
            audit_record(
                action=AUDIT_OPERATOR_RESTORED,
                actor=operator,
                obj=account,
                details={"centre": str(centre.pk), "sessions_ended": ended},
            )
    except IntegrityError:
        raise ContactTaken(field="phone") from None
    return account

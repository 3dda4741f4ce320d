"""Switching the second sign-in step on and off, and recovery codes."""

from __future__ import annotations

import pyotp
import segno
from django.db import transaction

from uslugi.core.audit import audit_record
from uslugi.identity.constants import (
    AUDIT_RECOVERY_CODES,
    AUDIT_SECOND_FACTOR_OFF,
    AUDIT_SECOND_FACTOR_ON,
    RECOVERY_CODES,
    SecondFactor,
)
from uslugi.identity.errors import PasswordWrong, PhoneRequired, TwoFactorInvalid
from uslugi.identity.models import Account, RecoveryCode
from uslugi.identity.secrets import code_hash, letter_code
from uslugi.identity.services.login import totp_step

ISSUER = "Uslugi"


def totp_new_secret() -> str:
    return pyotp.random_base32()


def totp_provisioning(*, account: Account, secret: str) -> tuple[str, str]:
    """The otpauth:// URI and a QR code of it as an SVG data URI (allowed by our CSP)."""
    name = account.email or account.phone or str(account.pk)
    uri = pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=ISSUER)
    qr = segno.make(uri, error="m")
    return uri, qr.svg_data_uri(scale=5, border=2)


def _require_password(account: Account, password: str) -> None:
    if not account.check_password(password):
        raise PasswordWrong(field="password")


def totp_enable(*, account: Account, secret: str, code: str, password: str) -> list[str]:
    """Switch on the authenticator app after it shows a right code; returns recovery codes."""
    _require_password(account, password)
    step = totp_step(secret, code, last_step=None)
    if step is None:
        raise TwoFactorInvalid(field="code")
    with transaction.atomic():
        account.second_factor = SecondFactor.TOTP
        account.totp_secret = secret
        account.totp_last_step = step
        account.save(update_fields=["second_factor", "totp_secret", "totp_last_step"])
        codes = _new_recovery_codes(account)
        audit_record(
            action=AUDIT_SECOND_FACTOR_ON, actor=account, obj=account, details={"factor": "totp"}
        )
    return codes


def sms_factor_enable(*, account: Account, password: str) -> list[str]:
    """Switch on SMS codes as the second step (the phone is already confirmed)."""
    _require_password(account, password)
    if not account.phone:
        raise PhoneRequired()
    with transaction.atomic():
        account.second_factor = SecondFactor.SMS
        account.totp_secret = None
        account.totp_last_step = None
        account.save(update_fields=["second_factor", "totp_secret", "totp_last_step"])
        codes = _new_recovery_codes(account)
        audit_record(
            action=AUDIT_SECOND_FACTOR_ON, actor=account, obj=account, details={"factor": "sms"}
        )
    return codes


def second_factor_disable(*, account: Account, password: str) -> None:
    _require_password(account, password)
    with transaction.atomic():
        previous = account.second_factor
        second_factor_clear(account)
        audit_record(
            action=AUDIT_SECOND_FACTOR_OFF, actor=account, obj=account, details={"factor": previous}
        )


def second_factor_clear(account: Account) -> None:
    """No second step, no secret, no recovery codes (also used when access is restored)."""
    account.second_factor = SecondFactor.NONE
    account.totp_secret = None
    account.totp_last_step = None
    account.save(update_fields=["second_factor", "totp_secret", "totp_last_step"])
    RecoveryCode.objects.filter(account=account).delete()


def recovery_codes_regenerate(*, account: Account, password: str) -> list[str]:
    _require_password(account, password)
    with transaction.atomic():
        return _new_recovery_codes(account)


def _new_recovery_codes(account: Account) -> list[str]:
    RecoveryCode.objects.filter(account=account).delete()
    codes = [f"{letter_code(5)}-{letter_code(5)}" for _ in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create(
        RecoveryCode(account=account, code_hash=code_hash(c, scope=f"recovery:{account.pk}"))
        for c in codes
    )
    audit_record(action=AUDIT_RECOVERY_CODES, actor=account, obj=account)
    return codes

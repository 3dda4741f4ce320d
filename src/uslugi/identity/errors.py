"""Domain errors of the identity app: a stable code and a message saying what to do next."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import Conflict, DomainError, InvalidInput, NotFound, PermissionDenied
from uslugi.core.errors import RateLimited as CoreRateLimited


class RateLimited(CoreRateLimited):
    """Too many attempts; `retry_at` says when the person may try again."""

    message = _("Too many attempts. You can try again at %(time)s.")


class CodeExpired(InvalidInput):
    code = "code_expired"
    message = _("This code has expired. Ask for a new one.")


class CodeWrong(InvalidInput):
    code = "code_wrong"
    message = _("The code is wrong. Check it and try again.")


class CodeExhausted(InvalidInput):
    code = "code_exhausted"
    message = _("You have entered a wrong code too many times. Ask for a new one.")


class CodeUsed(InvalidInput):
    code = "code_used"
    message = _("This code has already been used. Ask for a new one.")


class ResendTooEarly(CoreRateLimited):
    code = "resend_too_early"
    message = _("The code you have is still valid. You can ask for a new one at %(time)s.")


class ContactInvalid(InvalidInput):
    code = "contact_invalid"
    message = _(
        "Enter a mobile phone number like +7 912 345-67-89 or an email address like name@example.ru."
    )


class ContactTaken(Conflict):
    code = "contact_taken"
    message = _(
        "This phone or email already belongs to an account. Sign in, or recover your password if you have forgotten it."
    )


class SnilsTaken(Conflict):
    code = "snils_taken"
    message = _(
        "This SNILS is already linked to another account. If it is yours, recover access to that account (by phone, email or SNILS, or in person at a service centre) instead of creating a new one."
    )


class LoginFailed(InvalidInput):
    """One message for every kind of wrong credentials: no hint whether the account exists."""

    code = "login_failed"
    message = _(
        "The login or password is wrong. Check them and try again, or recover your password."
    )


class SecondFactorWrong(InvalidInput):
    code = "second_factor_wrong"
    message = _("The code is wrong or has expired. Check it and try again.")


class PasswordWrong(InvalidInput):
    code = "password_wrong"
    message = _("Your current password is wrong.")


class LevelTooLow(PermissionDenied):
    code = "level_too_low"
    message = _("Your account's level is too low for this.")


class VerificationRunning(Conflict):
    code = "verification_running"
    message = _("Your data is being checked. Wait for the checks to finish, or cancel them.")


class AlreadyStandard(Conflict):
    code = "already_standard"
    message = _(
        "Your data has already been checked: the account is at the standard level or higher."
    )


class NothingToCancel(Conflict):
    code = "nothing_to_cancel"
    message = _("There are no checks running.")


class AlreadyConfirmed(Conflict):
    code = "already_confirmed"
    message = _("This account is already confirmed.")


class PostReorderTooEarly(CoreRateLimited):
    code = "post_reorder_too_early"
    message = _("A new letter can be ordered 30 days after the last one, on %(date)s.")


class AddressMissing(InvalidInput):
    code = "address_missing"
    message = _("Enter the address the letter should go to.")


class NotAnOperator(PermissionDenied):
    code = "not_an_operator"
    message = _("Only service-centre operators can do this.")


class AccountNotFound(NotFound):
    code = "account_not_found"
    message = _("No account matches this SNILS or document number.")


class TwoFactorInvalid(InvalidInput):
    code = "second_factor_setup_invalid"
    message = _("The code from the app is wrong. Check the time on your phone and try again.")


class PhoneRequired(InvalidInput):
    code = "phone_required"
    message = _("Add a mobile phone to your account first.")


__all__ = [
    "AccountNotFound",
    "AddressMissing",
    "AlreadyConfirmed",
    "AlreadyStandard",
    "CodeExhausted",
    "CodeExpired",
    "CodeUsed",
    "CodeWrong",
    "Conflict",
    "ContactInvalid",
    "ContactTaken",
    "DomainError",
    "LevelTooLow",
    "LoginFailed",
    "NotAnOperator",
    "NothingToCancel",
    "PasswordWrong",
    "PhoneRequired",
    "PostReorderTooEarly",
    "RateLimited",
    "ResendTooEarly",
    "SecondFactorWrong",
    "SnilsTaken",
    "TwoFactorInvalid",
    "VerificationRunning",
]

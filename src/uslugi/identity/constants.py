"""Choices and rules of the identity app (the ESIA of Uslugi)."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    """How much the portal knows about the person behind an account (ordered)."""

    SIMPLIFIED = "simplified", _("Simplified")
    STANDARD = "standard", _("Standard")
    CONFIRMED = "confirmed", _("Confirmed")


LEVEL_ORDER = {Level.SIMPLIFIED: 0, Level.STANDARD: 1, Level.CONFIRMED: 2}


class ConfirmationMethod(models.TextChoices):
    """How the identity behind a confirmed account was confirmed; decides what it may use."""

    IN_PERSON = "in_person", _("In person at a service centre")
    POST = "post", _("By a code sent by registered post")
    # Designed for in the model; the signature issue finishes it (no UI until then).
    SIGNATURE = "signature", _("With a qualified electronic signature")


class Gender(models.TextChoices):
    MALE = "male", _("Male")
    FEMALE = "female", _("Female")


class Citizenship(models.TextChoices):
    """ISO 3166-1 alpha-3 codes of the citizenships the form offers."""

    RUS = "RUS", _("Russian Federation")
    ARM = "ARM", _("Armenia")
    AZE = "AZE", _("Azerbaijan")
    BLR = "BLR", _("Belarus")
    CHN = "CHN", _("China")
    DEU = "DEU", _("Germany")
    GEO = "GEO", _("Georgia")
    IND = "IND", _("India")
    KAZ = "KAZ", _("Kazakhstan")
    KGZ = "KGZ", _("Kyrgyzstan")
    MDA = "MDA", _("Moldova")
    TJK = "TJK", _("Tajikistan")
    TKM = "TKM", _("Turkmenistan")
    TUR = "TUR", _("Turkey")
    UKR = "UKR", _("Ukraine")
    USA = "USA", _("United States")
    UZB = "UZB", _("Uzbekistan")
    VNM = "VNM", _("Vietnam")
    STATELESS = "XXA", _("Stateless person")


class DocumentType(models.TextChoices):
    """Identity documents accepted for the standard level."""

    RU_PASSPORT = "ru_passport", _("Russian passport")
    FOREIGN_PASSPORT = "foreign_passport", _("Foreign citizen's passport")


class AdditionalDocumentType(models.TextChoices):
    DRIVER_LICENCE = "driver_licence", _("Driver's licence")
    VEHICLE_REGISTRATION = "vehicle_registration", _("Vehicle registration certificate")
    INTERNATIONAL_PASSPORT = "international_passport", _("International passport")
    INN = "inn", _("INN (taxpayer number)")


class DocumentSource(models.TextChoices):
    ENTERED = "entered", _("Entered by you")
    REGISTRY = "registry", _("Found in an agency registry")


class Channel(models.TextChoices):
    """Where a one-time code goes."""

    PHONE = "phone", _("SMS")
    EMAIL = "email", _("Email")


class CodePurpose(models.TextChoices):
    SIGN_IN = "sign_in", _("Sign-in second step")
    RECOVERY = "recovery", _("Password recovery")
    CONTACT_CHANGE = "contact_change", _("New contact confirmation")


class SecondFactor(models.TextChoices):
    NONE = "", _("None")
    TOTP = "totp", _("Authenticator app")
    SMS = "sms", _("SMS code")


class CheckKind(models.TextChoices):
    """The registry checks of the standard level."""

    SNILS = "snils", _("Pension Fund: SNILS")
    DOCUMENT = "document", _("Interior Ministry: identity document")


class CheckStatus(models.TextChoices):
    WAITING = "waiting", _("Checking")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    UNAVAILABLE = "unavailable", _("Registry unavailable")


class VerificationStatus(models.TextChoices):
    RUNNING = "running", _("Checks running")
    PASSED = "passed", _("Passed")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class LookupStatus(models.TextChoices):
    """A one-off registry look-up (INN by passport)."""

    WAITING = "waiting", _("Looking up")
    FOUND = "found", _("Found")
    NOT_FOUND = "not_found", _("Not found")
    UNAVAILABLE = "unavailable", _("Registry unavailable")


class LoginOutcome(models.TextChoices):
    SUCCESS = "success", _("Signed in")
    FAILURE = "failure", _("Wrong password")
    SECOND_FACTOR_FAILURE = "second_factor_failure", _("Wrong second-step code")
    THROTTLED = "throttled", _("Refused: too many attempts")


class SessionEnd(models.TextChoices):
    SIGNED_OUT = "signed_out", _("Signed out")
    REVOKED = "revoked", _("Signed out from another device")
    IDLE = "idle", _("Expired after inactivity")
    EXPIRED = "expired", _("Reached its maximum lifetime")
    PASSWORD_RESET = "password_reset", _("Ended by a password change")
    ACCOUNT_DELETED = "account_deleted", _("Account deleted")


class OutboxStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class CentreService(models.TextChoices):
    """What a service centre does for accounts."""

    CONFIRM_IDENTITY = "confirm", _("Confirms identity")
    RESTORE_ACCESS = "restore", _("Restores access")
    REGISTER = "register", _("Registers accounts")


# --- Rules (published: the person is told these) -------------------------------------------
SMS_CODE_LENGTH = 6
SMS_CODE_TTL = dt.timedelta(minutes=5)
EMAIL_CODE_TTL = dt.timedelta(minutes=30)
EMAIL_LINK_TTL = dt.timedelta(days=3)
CODE_MAX_TRIES = 3
POST_CODE_LENGTH = 8
POST_CODE_TTL = dt.timedelta(days=60)
POST_REORDER_AFTER = dt.timedelta(days=30)
POST_CODE_MAX_TRIES = 5
RECOVERY_CODES = 10
PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128
REGISTRATION_TTL = dt.timedelta(days=3)  # an unfinished registration is forgotten after this
PENDING_LOGIN_TTL = dt.timedelta(minutes=10)  # password accepted, second step not yet
# A registry that stays unavailable is asked again after these pauses, then every last one.
CHECK_RETRY_DELAYS = (
    dt.timedelta(minutes=2),
    dt.timedelta(minutes=10),
    dt.timedelta(hours=1),
    dt.timedelta(hours=6),
)

# Audit actions (one per security event).
AUDIT_REGISTERED = "identity.registered"
AUDIT_LOGIN_FAILED = "identity.login_failed"
AUDIT_LOGIN_THROTTLED = "identity.login_throttled"
AUDIT_SECOND_FACTOR_FAILED = "identity.second_factor_failed"
AUDIT_SECOND_FACTOR_ON = "identity.second_factor_enabled"
AUDIT_SECOND_FACTOR_OFF = "identity.second_factor_disabled"
AUDIT_RECOVERY_CODES = "identity.recovery_codes_generated"
AUDIT_RECOVERY_CODE_USED = "identity.recovery_code_used"
AUDIT_PASSWORD_CHANGED = "identity.password_changed"  # noqa: S105 - an action name
AUDIT_PASSWORD_RESET = "identity.password_reset"  # noqa: S105 - an action name
AUDIT_RECOVERY_REQUESTED = "identity.recovery_requested"
AUDIT_LEVEL_CHANGED = "identity.level_changed"
AUDIT_VERIFICATION_STARTED = "identity.verification_started"
AUDIT_VERIFICATION_CANCELLED = "identity.verification_cancelled"
AUDIT_VERIFICATION_FAILED = "identity.verification_failed"
AUDIT_CONFIRMED = "identity.confirmed"
AUDIT_POST_CODE_ORDERED = "identity.post_code_ordered"
AUDIT_POST_CODE_FAILED = "identity.post_code_failed"
AUDIT_OPERATOR_SEARCH = "identity.operator_search"
AUDIT_OPERATOR_VIEW = "identity.operator_view"
AUDIT_OPERATOR_RESTORED = "identity.operator_restored_access"
AUDIT_SESSION_REVOKED = "identity.session_revoked"
AUDIT_SESSION_EXPIRED = "identity.session_expired"
AUDIT_CONTACT_CHANGED = "identity.contact_changed"
AUDIT_PROFILE_CHANGED = "identity.profile_changed"
AUDIT_ACCOUNT_DELETED = "identity.account_deleted"
AUDIT_INN_LOOKUP = "identity.inn_lookup"

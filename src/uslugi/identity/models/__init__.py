"""Identity models, one module per subject."""

from uslugi.identity.models.account import Account, AccountManager
from uslugi.identity.models.codes import OneTimeCode, Registration
from uslugi.identity.models.confirmation import (
    CentreOperator,
    Confirmation,
    PostalCodeRequest,
    ServiceCentre,
)
from uslugi.identity.models.outbox import PostalLetter, SmsMessage
from uslugi.identity.models.profile import AdditionalDocument, InnLookup, PersonalData
from uslugi.identity.models.security import (
    AccountSession,
    FailureBackoff,
    LoginEvent,
    RecoveryCode,
    Throttle,
)
from uslugi.identity.models.verification import StandardVerification, VerificationCheck

__all__ = [
    "Account",
    "AccountManager",
    "AccountSession",
    "AdditionalDocument",
    "CentreOperator",
    "Confirmation",
    "FailureBackoff",
    "InnLookup",
    "LoginEvent",
    "OneTimeCode",
    "PersonalData",
    "PostalCodeRequest",
    "PostalLetter",
    "RecoveryCode",
    "Registration",
    "ServiceCentre",
    "SmsMessage",
    "StandardVerification",
    "Throttle",
    "VerificationCheck",
]

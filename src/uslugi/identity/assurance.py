"""Levels of assurance: may this account use that service?

    from uslugi.identity.assurance import Requirement, account_may_use

    decision = account_may_use(request.user, Requirement.CONFIRMED_NOT_BY_POST)
    if not decision:
        show(decision.reason, decision.next_step_url, decision.next_step)

A service states what it needs as a `Requirement` (a level and, for the confirmed level,
which confirmation methods it accepts). The `Decision` says yes or no, why in plain words,
and what the person can do to raise their account (a URL and its link text).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from django.urls import reverse
from django.utils.translation import gettext as _

from uslugi.identity.constants import LEVEL_ORDER, ConfirmationMethod, Level


@dataclass(frozen=True)
class Requirement:
    level: Level = Level.SIMPLIFIED
    # For the confirmed level: the methods accepted (empty: any method).
    methods: frozenset[ConfirmationMethod] = field(default_factory=frozenset)

    SIMPLIFIED: ClassVar[Requirement]
    STANDARD: ClassVar[Requirement]
    CONFIRMED: ClassVar[Requirement]
    CONFIRMED_NOT_BY_POST: ClassVar[Requirement]

    @property
    def code(self) -> str:
        """A stable name, e.g. for a service definition: "confirmed:in_person,signature"."""
        if not self.methods:
            return str(self.level)
        return f"{self.level}:{','.join(sorted(self.methods))}"

    @classmethod
    def parse(cls, code: str) -> Requirement:
        """The requirement a code names ("standard", "confirmed:in_person,signature")."""
        level, _sep, methods = code.partition(":")
        return cls(
            level=Level(level),
            methods=frozenset(ConfirmationMethod(m) for m in methods.split(",") if m),
        )


Requirement.SIMPLIFIED = Requirement(Level.SIMPLIFIED)
Requirement.STANDARD = Requirement(Level.STANDARD)
Requirement.CONFIRMED = Requirement(Level.CONFIRMED)
# The Tax Service's personal account, for example: a code by post is not enough.
Requirement.CONFIRMED_NOT_BY_POST = Requirement(
    Level.CONFIRMED, frozenset({ConfirmationMethod.IN_PERSON, ConfirmationMethod.SIGNATURE})
)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    code: str  # "ok", "sign_in", "level_too_low", "method_not_accepted", "inactive"
    reason: str = ""
    next_step: str = ""  # link text
    next_step_url: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def account_may_use(account: object, requirement: Requirement) -> Decision:
    """Whether `account` (an Account, or AnonymousUser) meets `requirement`, why, and how
    to raise it."""
    if not getattr(account, "is_authenticated", False):
        return Decision(
            False,
            "sign_in",
            _("Sign in to use this service."),
            _("Sign in"),
            reverse("identity:login"),
        )
    if not getattr(account, "is_active", True):
        return Decision(False, "inactive", _("This account is closed."))
    level = Level(getattr(account, "level", Level.SIMPLIFIED))
    if LEVEL_ORDER[level] < LEVEL_ORDER[requirement.level]:
        return _raise_level(level)
    if requirement.level == Level.CONFIRMED and requirement.methods:
        method = getattr(account, "confirmation_method", "")
        if method not in requirement.methods:
            accepted = ", ".join(
                str(ConfirmationMethod(m).label).lower() for m in sorted(requirement.methods)
            )
            return Decision(
                False,
                "method_not_accepted",
                _(
                    "This service needs an identity confirmed %(accepted)s. Yours was confirmed by a code sent by post, which gives a lower level of assurance."
                )
                % {"accepted": accepted},
                _("Confirm your identity at a service centre"),
                reverse("identity:centres"),
            )
    return Decision(True, "ok")


def _raise_level(level: Level) -> Decision:
    if level == Level.SIMPLIFIED:
        return Decision(
            False,
            "level_too_low",
            _(
                "This service needs at least a standard account: your personal data checked by the Pension Fund and the Interior Ministry. It takes a few minutes."
            ),
            _("Enter your personal data"),
            reverse("identity:standard"),
        )
    return Decision(
        False,
        "level_too_low",
        _(
            "This service needs a confirmed account: your identity confirmed in person at a service centre or by a code sent by registered post."
        ),
        _("Confirm your identity"),
        reverse("identity:confirm"),
    )

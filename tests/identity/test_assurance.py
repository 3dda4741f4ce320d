"""Levels of assurance: one function decides, says why, and how to raise the level."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from tests.identity.conftest import make_account
from uslugi.identity.assurance import Requirement, account_may_use
from uslugi.identity.constants import ConfirmationMethod, Level

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("level", "method", "requirement", "allowed", "code"),
    [
        (Level.SIMPLIFIED, "", Requirement.SIMPLIFIED, True, "ok"),
        (Level.SIMPLIFIED, "", Requirement.STANDARD, False, "level_too_low"),
        (Level.STANDARD, "", Requirement.STANDARD, True, "ok"),
        (Level.STANDARD, "", Requirement.CONFIRMED, False, "level_too_low"),
        (Level.CONFIRMED, ConfirmationMethod.POST, Requirement.CONFIRMED, True, "ok"),
        (
            Level.CONFIRMED,
            ConfirmationMethod.POST,
            Requirement.CONFIRMED_NOT_BY_POST,
            False,
            "method_not_accepted",
        ),
        (
            Level.CONFIRMED,
            ConfirmationMethod.IN_PERSON,
            Requirement.CONFIRMED_NOT_BY_POST,
            True,
            "ok",
        ),
        (
            Level.CONFIRMED,
            ConfirmationMethod.SIGNATURE,
            Requirement.CONFIRMED_NOT_BY_POST,
            True,
            "ok",
        ),
    ],
)
def test_account_may_use(
    level: Level, method: str, requirement: Requirement, allowed: bool, code: str
) -> None:
    account = make_account(level=level, confirmation_method=method)
    decision = account_may_use(account, requirement)
    assert bool(decision) is allowed
    assert decision.code == code
    if not allowed:
        assert decision.reason
        assert decision.next_step
        assert decision.next_step_url


def test_the_way_up_is_named() -> None:
    simplified = account_may_use(make_account(), Requirement.CONFIRMED)
    assert simplified.next_step_url == "/account/standard/"
    by_post = account_may_use(
        make_account(phone="+79160000001", level=Level.CONFIRMED, confirmation_method="post"),
        Requirement.CONFIRMED_NOT_BY_POST,
    )
    assert by_post.next_step_url == "/account/centres/"
    assert "by a code sent by post" in by_post.reason


def test_anonymous_must_sign_in() -> None:
    decision = account_may_use(AnonymousUser(), Requirement.SIMPLIFIED)
    assert not decision
    assert decision.code == "sign_in"


def test_requirements_have_stable_codes() -> None:
    assert Requirement.CONFIRMED_NOT_BY_POST.code == "confirmed:in_person,signature"
    assert Requirement.parse("confirmed:in_person,signature") == Requirement.CONFIRMED_NOT_BY_POST
    assert Requirement.parse("standard") == Requirement.STANDARD

"""Signing in: identifiers, equal answers, growing waits, sessions, second step."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.contrib.sessions.models import Session
from django.test import Client

from tests.identity.conftest import PASSWORD, last_sms_code, make_account, signed_in
from uslugi.core import clock
from uslugi.identity.constants import LoginOutcome
from uslugi.identity.models import Account, AccountSession, FailureBackoff, LoginEvent
from uslugi.identity.services import second_factor

pytestmark = pytest.mark.django_db


def login(client: Client, identifier: str, password: str = PASSWORD, **extra: Any) -> Any:
    return client.post("/account/login/", {"identifier": identifier, "password": password}, **extra)


def without_tokens(html: str) -> str:
    """The page without its per-response values (CSRF token, request id, nonce)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    html = re.sub(r'"X-CSRFToken": "[^"]+"', "", html)
    html = re.sub(r'name="identifier" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


@pytest.mark.parametrize(
    "identifier",
    ["+7 916 123-45-67", "89161234567", "anna@example.ru", "112-233-445 95", "11223344595"],
)
def test_sign_in_by_phone_email_or_snils(
    client: Client, standard_person: Account, identifier: str
) -> None:
    standard_person.phone = "+79161234567"
    standard_person.email = "anna@example.ru"
    standard_person.save()
    response = login(client, identifier)
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    from uslugi.notifications.models import Notification

    assert Notification.objects.filter(
        recipient=standard_person, event="security.sign_in", channel="inbox"
    ).exists()


def test_unknown_account_and_wrong_password_get_the_same_answer(
    client: Client, person: Account, later: Any
) -> None:
    later(seconds=0)
    wrong = login(client, "+79161234567", "Wrong-Password-1", REMOTE_ADDR="10.0.0.1")
    unknown = login(
        Client(HTTP_ACCEPT_LANGUAGE="en"),
        "+79160000000",
        "Wrong-Password-1",
        REMOTE_ADDR="10.0.0.2",
    )
    assert wrong.status_code == unknown.status_code == 200
    assert without_tokens(wrong.content.decode()) == without_tokens(unknown.content.decode())
    assert "The login or password is wrong" in wrong.content.decode()


def test_unknown_account_costs_one_password_hash_like_a_known_one(
    client: Client, person: Account, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing difference: both paths verify exactly one Argon2id hash."""
    calls: list[str] = []
    original = Argon2PasswordHasher.verify

    def counting(self: Any, password: str, encoded: str) -> bool:
        calls.append(encoded[:40])
        return original(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", counting)
    login(client, "+79160000000", "Wrong-Password-1")  # unknown
    unknown_calls = len(calls)
    login(client, "+79161234567", "Wrong-Password-1")  # known, wrong password
    assert unknown_calls == 1
    assert len(calls) - unknown_calls == 1
    assert calls[0].startswith("argon2$argon2id$v=19$m=19456,t=2")  # same parameters


def test_failures_make_the_account_wait_longer_and_longer(
    client: Client, person: Account, later: Any
) -> None:
    later(seconds=0)
    for n in range(4):  # three free failures, the fourth starts the wait
        login(client, "+79161234567", "Wrong-Password-1", REMOTE_ADDR=f"10.1.0.{n}")
    refused = login(client, "+79161234567", REMOTE_ADDR="10.1.1.1")  # even the right password
    assert "Too many attempts" in refused.content.decode()
    assert refused.status_code == 200
    later(seconds=1)
    assert (
        login(client, "+79161234567", "Wrong-Password-1", REMOTE_ADDR="10.1.1.2").status_code == 200
    )
    row = FailureBackoff.objects.get(scope="login_account")
    assert row.blocked_until is not None
    assert (row.blocked_until - clock.now()).total_seconds() == pytest.approx(2, abs=0.01)
    later(seconds=2)
    assert login(client, "+79161234567", REMOTE_ADDR="10.1.1.3").status_code == 302
    assert LoginEvent.objects.filter(account=person, outcome=LoginOutcome.THROTTLED).exists()


def test_the_wait_is_capped_never_a_permanent_lockout(person: Account, later: Any) -> None:
    from uslugi.identity.throttling import ACCOUNT_POLICY, backoff_failure

    later(seconds=0)
    for _ in range(40):
        until = backoff_failure(
            scope="login_account", key=f"account:{person.pk}", policy=ACCOUNT_POLICY
        )
    assert until is not None
    assert (until - clock.now()).total_seconds() == 15 * 60
    later(minutes=15, seconds=1)
    assert login(Client(), "+79161234567").status_code == 302


def test_unknown_account_is_throttled_exactly_like_a_known_one(
    client: Client, person: Account, later: Any
) -> None:
    later(seconds=0)
    answers = {}
    for phone in ("+79161234567", "+79160000000"):
        for n in range(4):
            login(client, phone, "Wrong-Password-1", REMOTE_ADDR=f"10.2.{len(answers)}.{n}")
        answers[phone] = without_tokens(
            login(client, phone, "Wrong-Password-1", REMOTE_ADDR="10.2.9.9").content.decode()
        )
    assert "Too many attempts" in answers["+79160000000"]
    assert answers["+79161234567"] == answers["+79160000000"]


def test_failures_from_one_ip_make_that_ip_wait(client: Client, db: None, later: Any) -> None:
    later(seconds=0)
    for n in range(21):
        login(client, f"+7916000{n:04d}", "Wrong-Password-1", REMOTE_ADDR="10.3.0.1")
    victim = make_account(phone="+79165555555")
    refused = login(client, "+79165555555", REMOTE_ADDR="10.3.0.1")
    assert "Too many attempts" in refused.content.decode()
    assert login(Client(), victim.phone or "", REMOTE_ADDR="10.3.0.2").status_code == 302


def test_a_trusted_browser_is_not_locked_out_by_someone_elses_guesses(
    person: Account, later: Any
) -> None:
    later(seconds=0)
    owner = Client(HTTP_ACCEPT_LANGUAGE="en")
    signed_in(owner, person)
    assert owner.cookies["uslugi_device"].value
    owner.post("/account/logout/")
    attacker = Client(HTTP_ACCEPT_LANGUAGE="en")
    for n in range(10):
        login(attacker, "+79161234567", "Wrong-Password-1", REMOTE_ADDR=f"10.4.0.{n}")
    assert (
        "Too many attempts"
        in login(attacker, "+79161234567", REMOTE_ADDR="10.4.1.1").content.decode()
    )
    assert login(owner, "+79161234567", REMOTE_ADDR="10.4.2.1").status_code == 302


def test_session_id_changes_on_sign_in(client: Client, person: Account) -> None:
    session = client.session
    session["planted"] = "by someone else"
    session.save()
    before = client.cookies[settings.SESSION_COOKIE_NAME].value
    login(client, "+79161234567")
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert before != after
    assert not Session.objects.filter(session_key=before).exists()
    assert AccountSession.objects.get(account=person).session_key == after


def test_idle_session_is_signed_out(client: Client, person: Account, later: Any) -> None:
    later(seconds=0)
    signed_in(client, person)
    later(minutes=29)
    assert client.get("/account/").status_code == 200
    later(minutes=29)  # active 29 minutes ago: still fine
    assert client.get("/account/").status_code == 200
    later(minutes=31)
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert AccountSession.objects.get(account=person).end_reason == "idle"


def test_session_has_an_absolute_lifetime(
    client: Client, person: Account, later: Any, settings: Any
) -> None:
    settings.SESSION_COOKIE_AGE = 3600
    later(seconds=0)
    signed_in(client, person)
    for _ in range(3):
        later(minutes=20)
        assert client.get("/account/").status_code == 200
    later(minutes=1)
    assert client.get("/account/").status_code == 302
    assert AccountSession.objects.get(account=person).end_reason == "expired"


def test_sessions_page_signs_out_another_session(person: Account) -> None:
    first = signed_in(Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT="Firefox on Linux"), person)
    second = signed_in(
        Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_USER_AGENT="Chrome on Android"), person
    )
    page = first.get("/account/security/").content.decode()
    assert "Chrome on Android" in page
    assert "Firefox on Linux" in page
    other = AccountSession.objects.get(user_agent="Chrome on Android")
    assert first.post(f"/account/security/sessions/{other.pk}/end/").status_code == 302
    assert second.get("/account/").status_code == 302  # signed out
    assert first.get("/account/").status_code == 200


def test_sign_out_all_other_sessions(person: Account) -> None:
    clients = [signed_in(Client(), person) for _ in range(3)]
    clients[0].post("/account/security/sessions/end-others/")
    assert [c.get("/account/").status_code for c in clients] == [200, 302, 302]


def test_another_persons_session_is_not_reachable_by_id(person: Account) -> None:
    other = make_account(phone="+79169999999")
    victim = signed_in(Client(), other)
    attacker = signed_in(Client(), person)
    theirs = AccountSession.objects.get(account=other)
    assert attacker.post(f"/account/security/sessions/{theirs.pk}/end/").status_code == 404
    assert victim.get("/account/").status_code == 200


def test_sign_in_history(client: Client, person: Account) -> None:
    login(client, "+79161234567", "Wrong-Password-1", HTTP_USER_AGENT="Firefox")
    login(client, "+79161234567", HTTP_USER_AGENT="Firefox")
    page = client.get("/account/security/").content.decode()
    assert "Wrong password" in page
    assert "Signed in" in page


def test_sign_out(client: Client, person: Account) -> None:
    signed_in(client, person)
    client.post("/account/logout/")
    assert client.get("/account/").status_code == 302
    assert AccountSession.objects.get(account=person).end_reason == "signed_out"


# --- Second step -------------------------------------------------------------------------


def enable_totp(account: Account) -> tuple[str, list[str]]:
    secret = pyotp.random_base32()
    codes = second_factor.totp_enable(
        account=account, secret=secret, code=pyotp.TOTP(secret).at(clock.now()), password=PASSWORD
    )
    return secret, codes


def test_authenticator_app_second_step(client: Client, person: Account, later: Any) -> None:
    later(seconds=0)
    secret, _ = enable_totp(person)
    response = login(client, "+79161234567")
    assert response["Location"] == "/account/login/second-step/"
    assert client.get("/account/").status_code == 302  # not signed in yet
    wrong = client.post("/account/login/second-step/", {"code": "000000"})
    assert "The code is wrong or has expired" in wrong.content.decode()
    later(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now())
    response = client.post("/account/login/second-step/", {"code": code})
    assert response["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    # The same code is never accepted twice.
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(other, "+79161234567")
    replay = other.post("/account/login/second-step/", {"code": code})
    assert "The code is wrong or has expired" in replay.content.decode()
    assert LoginEvent.objects.filter(outcome=LoginOutcome.SECOND_FACTOR_FAILURE).count() == 2


def test_second_step_failures_make_the_account_wait(
    client: Client, person: Account, later: Any
) -> None:
    later(seconds=0)
    enable_totp(person)
    login(client, "+79161234567")
    for _ in range(4):
        client.post("/account/login/second-step/", {"code": "000000"})
    refused = client.post("/account/login/second-step/", {"code": "000000"})
    assert "Too many attempts" in refused.content.decode()


def test_recovery_code_replaces_the_second_step_once(person: Account, later: Any) -> None:
    later(seconds=0)
    _, codes = enable_totp(person)
    first = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(first, "+79161234567")
    assert first.post("/account/login/second-step/", {"code": codes[0]})["Location"] == "/account/"
    second = Client(HTTP_ACCEPT_LANGUAGE="en")
    login(second, "+79161234567")
    reused = second.post("/account/login/second-step/", {"code": codes[0]})
    assert "The code is wrong or has expired" in reused.content.decode()


def test_sms_second_step(client: Client, person: Account) -> None:
    second_factor.sms_factor_enable(account=person, password=PASSWORD)
    login(client, "+79161234567")
    page = client.get("/account/login/second-step/").content.decode()
    assert "We have sent a 6-digit code by SMS" in page
    response = client.post("/account/login/second-step/", {"code": last_sms_code("+79161234567")})
    assert response["Location"] == "/account/"


def test_enabling_the_second_step_needs_the_password(person: Account) -> None:
    from uslugi.identity.errors import PasswordWrong

    with pytest.raises(PasswordWrong):
        second_factor.sms_factor_enable(account=person, password="Wrong-Password-1")
    assert Account.objects.get(pk=person.pk).second_factor == ""


def test_totp_setup_page_shows_a_qr_code(client: Client, person: Account) -> None:
    signed_in(client, person)
    page = client.get("/account/security/app/").content.decode()
    assert 'src="data:image/svg+xml' in page

"""What the identity commands share: who is asking (the client), codes, account look-up."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.hashers import check_password, make_password
from django.http import HttpRequest

from uslugi.core import clock
from uslugi.core.audit.scrub import normalise_ip
from uslugi.core.fields import blind_index_for
from uslugi.identity.constants import CODE_MAX_TRIES
from uslugi.identity.contacts import Identifier
from uslugi.identity.errors import CodeExhausted, CodeExpired, CodeUsed, CodeWrong, DomainError
from uslugi.identity.models import Account, PersonalData
from uslugi.identity.models.codes import CodeState
from uslugi.identity.secrets import code_hash, code_matches, numeric_code


@dataclass(frozen=True)
class Client:
    """Where a request comes from: the IP, the browser, a trusted-device token if any."""

    ip: str | None = None
    user_agent: str = ""
    device_token: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest, *, device_cookie: str = "") -> Client:
        return cls(
            ip=normalise_ip(request.META.get("REMOTE_ADDR")),
            user_agent=request.META.get("HTTP_USER_AGENT", "")[:256],
            device_token=request.COOKIES.get(device_cookie, "") if device_cookie else "",
        )

    @property
    def ip_key(self) -> str:
        return self.ip or "unknown"


# --- Codes ---------------------------------------------------------------------------------


def issue_code(state: CodeState, *, scope: str, ttl: dt.timedelta, length: int = 6) -> str:
    """A fresh numeric code on `state` (hash, sent and expiry times, tries reset)."""
    code = numeric_code(length)
    now = clock.now()
    state.code_hash = code_hash(code, scope=scope)
    state.sent_at = now
    state.expires_at = now + ttl
    state.tries = 0
    return code


def check_code(
    state: CodeState,
    code: str,
    *,
    scope: str,
    max_tries: int = CODE_MAX_TRIES,
    used_at: dt.datetime | None = None,
) -> DomainError | None:
    """None if `code` is right; else the error to show, with `state.tries` counted.

    The caller saves `state` and raises the error after its transaction commits, so a
    wrong try is remembered.
    """
    if used_at is not None:
        return CodeUsed(field="code")
    if state.tries >= max_tries:
        return CodeExhausted(field="code")
    if state.expires_at is None or clock.now() >= state.expires_at:
        return CodeExpired(field="code")
    if not code_matches(code, state.code_hash, scope=scope):
        state.tries += 1
        return CodeExhausted(field="code") if state.tries >= max_tries else CodeWrong(field="code")
    return None


def code_resendable_at(state: CodeState, *, max_tries: int = CODE_MAX_TRIES) -> dt.datetime | None:
    """When a new code may be sent: after the current one runs out (or is used up)."""
    if state.expires_at is None or state.tries >= max_tries:
        return None
    return state.expires_at if clock.now() < state.expires_at else None


# --- Accounts --------------------------------------------------------------------------------


def find_account(identifier: Identifier) -> Account | None:
    """The active account a login identifier names (phone, email or SNILS), or None."""
    active = Account.objects.filter(is_active=True)
    if identifier.email:
        return active.filter(email=identifier.email).first()
    if identifier.phone:
        account = active.filter(phone=identifier.phone).first()
        if account is not None:
            return account
    if identifier.snils:
        index = blind_index_for(PersonalData, "snils_index", identifier.snils)
        return active.filter(personal_data__snils_index=index).first()
    return None


_DUMMY_HASH: list[str] = []


def check_dummy_password(password: str) -> bool:
    """Spend the time a real password check takes, so an unknown account is not faster."""
    if not _DUMMY_HASH:
        _DUMMY_HASH.append(make_password("uslugi-dummy-password-for-timing"))
    check_password(password, _DUMMY_HASH[0])
    return False

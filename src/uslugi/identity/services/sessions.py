"""Signed-in sessions: starting one (new id), the list of active ones, ending them.

Sessions are Django's database sessions; `AccountSession` links each to its account with
the IP and browser for the "active sessions" page. Ending a session deletes it from the
session store, so its cookie stops working at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.auth import login as django_login
from django.contrib.auth import logout as django_logout
from django.core import signing
from django.db import transaction
from django.http import HttpRequest

from uslugi.core import clock
from uslugi.core.audit import audit_record
from uslugi.identity.constants import AUDIT_SESSION_EXPIRED, AUDIT_SESSION_REVOKED, SessionEnd
from uslugi.identity.errors import NotFound
from uslugi.identity.models import Account, AccountSession
from uslugi.identity.notices import notify_security
from uslugi.notifications import events

# Keys of the identity app in a session.
STARTED_KEY = "identity_started"  # when the person signed in (absolute lifetime)
ACTIVITY_KEY = "identity_activity"  # last request (idle timeout), updated once a minute
ACTIVITY_GRANULARITY_S = 60

DEVICE_COOKIE = "uslugi_device"
DEVICE_MAX_AGE = dt.timedelta(days=180)
_DEVICE_SALT = "uslugi.identity.device"
AUTH_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _store(session_key: str):  # type: ignore[no-untyped-def]
    return import_module(settings.SESSION_ENGINE).SessionStore(session_key)


def session_start(*, request: HttpRequest, account: Account) -> str:
    """Sign `account` in on `request` under a new session id; returns a device token.

    Django's login() cycles the session key, so an id planted before sign-in (session
    fixation) is worthless after it.
    """
    # The user_logged_in receiver (identity.signals) links the session to the account
    # and writes the sign-in history, for this page and the admin's alike.
    with transaction.atomic():
        django_login(request, account, backend=AUTH_BACKEND)
        notify_security(account=account, event=events.SECURITY_SIGN_IN, request=request)
    now = clock.now().timestamp()
    request.session[STARTED_KEY] = now
    request.session[ACTIVITY_KEY] = now
    return device_token(account)


def session_end(*, request: HttpRequest, reason: SessionEnd = SessionEnd.SIGNED_OUT) -> None:
    """Sign out of this browser."""
    key = request.session.session_key
    if key:
        AccountSession.objects.filter(session_key=key, ended_at__isnull=True).update(
            ended_at=clock.now(), end_reason=reason
        )
    if reason in (SessionEnd.IDLE, SessionEnd.EXPIRED) and request.user.is_authenticated:
        audit_record(
            action=AUDIT_SESSION_EXPIRED,
            actor=request.user,
            obj=request.user,
            details={"reason": reason},
        )
    django_logout(request)


def session_revoke(*, account: Account, session_id: str) -> None:
    """Sign out one of the account's sessions (another browser)."""
    session = (
        AccountSession.objects.filter(account=account, pk=session_id, ended_at__isnull=True)
        .only("pk", "session_key")
        .first()
    )
    if session is None:
        raise NotFound()
    _end([session], reason=SessionEnd.REVOKED)
    audit_record(action=AUDIT_SESSION_REVOKED, actor=account, obj=account, details={"sessions": 1})


def sessions_revoke_others(*, account: Account, keep_session_key: str | None) -> int:
    """Sign out every session of the account but this one."""
    sessions = list(
        AccountSession.objects.filter(account=account, ended_at__isnull=True).exclude(
            session_key=keep_session_key or ""
        )
    )
    _end(sessions, reason=SessionEnd.REVOKED)
    if sessions:
        audit_record(
            action=AUDIT_SESSION_REVOKED,
            actor=account,
            obj=account,
            details={"sessions": len(sessions)},
        )
    return len(sessions)


def sessions_end_all(*, account: Account, reason: SessionEnd) -> int:
    """End every session of the account (password reset, access restored, deletion)."""
    sessions = list(AccountSession.objects.filter(account=account, ended_at__isnull=True))
    _end(sessions, reason=reason)
    return len(sessions)


def _end(sessions: list[AccountSession], *, reason: SessionEnd) -> None:
    for session in sessions:
        _store(session.session_key).delete()
    AccountSession.objects.filter(pk__in=[s.pk for s in sessions]).update(
        ended_at=clock.now(), end_reason=reason
    )


def session_touch(*, session_key: str) -> None:
    """Record activity for the sessions page (called at most once a minute per session)."""
    AccountSession.objects.filter(session_key=session_key).update(last_seen_at=clock.now())


# --- Trusted devices ------------------------------------------------------------------------


def device_token(account: Account) -> str:
    """A signed token naming the account and this browser (set as a long-lived cookie).

    Failed sign-ins by others make the account wait; a browser holding this token for the
    account is judged by its own failures instead, so nobody can lock a person out.
    """
    return signing.dumps(
        {"a": str(account.pk), "n": secrets.token_urlsafe(8)}, salt=_DEVICE_SALT, compress=True
    )


def device_id(token: str, account: Account) -> str | None:
    """The device's nonce if `token` is a valid device token for `account`."""
    if not token:
        return None
    try:
        data = signing.loads(token, salt=_DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("a") != str(account.pk):
        return None
    nonce = data.get("n")
    return str(nonce) if nonce else None

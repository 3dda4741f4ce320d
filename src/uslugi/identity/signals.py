"""Every sign-in, whatever page it came through (ours or the admin's), is linked to its
account for the sessions page and the sign-in history."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from uslugi.core import clock
from uslugi.identity.constants import LoginOutcome, SessionEnd
from uslugi.identity.models import Account, AccountSession, LoginEvent


def on_logged_in(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or not isinstance(user, Account) or not hasattr(request, "session"):
        return
    from uslugi.identity.services.common import Client

    key = request.session.session_key
    if not key:
        request.session.save()
        key = request.session.session_key
    client = Client.from_request(request)
    AccountSession.objects.get_or_create(
        session_key=key,
        defaults={"account": user, "ip": client.ip, "user_agent": client.user_agent},
    )
    LoginEvent.objects.create(
        account=user, outcome=LoginOutcome.SUCCESS, ip=client.ip, user_agent=client.user_agent
    )


def on_logged_out(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is None or user is None or not hasattr(request, "session"):
        return
    key = request.session.session_key
    if key:
        AccountSession.objects.filter(session_key=key, ended_at__isnull=True).update(
            ended_at=clock.now(), end_reason=SessionEnd.SIGNED_OUT
        )

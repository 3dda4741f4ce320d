"""Session lifetime: sign out after SESSION_IDLE_SECONDS without a request, and after
SESSION_COOKIE_AGE (the absolute lifetime) from sign-in, however active the session.

Django's database sessions extend their expiry on every save, so the absolute lifetime is
kept here from the sign-in time stored in the session. Activity is written at most once a
minute, so a signed-in page view does not always cost a write.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from uslugi.core import clock
from uslugi.identity.constants import SessionEnd
from uslugi.identity.services.sessions import (
    ACTIVITY_GRANULARITY_S,
    ACTIVITY_KEY,
    STARTED_KEY,
    session_end,
    session_touch,
)


class SessionActivityMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = clock.now().timestamp()
        started = session.get(STARTED_KEY)
        last = session.get(ACTIVITY_KEY)
        if started is None:
            # Signed in some other way (the admin's login page): start counting now.
            session[STARTED_KEY] = session[ACTIVITY_KEY] = now
            return
        if now - float(started) > settings.SESSION_COOKIE_AGE:
            self._end(request, SessionEnd.EXPIRED)
            return
        if last is not None and now - float(last) > settings.SESSION_IDLE_SECONDS:
            self._end(request, SessionEnd.IDLE)
            return
        if last is None or now - float(last) >= ACTIVITY_GRANULARITY_S:
            session[ACTIVITY_KEY] = now
            if session.session_key:
                session_touch(session_key=session.session_key)

    def _end(self, request: HttpRequest, reason: SessionEnd) -> None:
        session_end(request=request, reason=reason)
        text = (
            _("You were signed out after a period without activity. Sign in again to continue.")
            if reason == SessionEnd.IDLE
            else _("Your session reached its maximum length. Sign in again to continue.")
        )
        messages.info(request, text)

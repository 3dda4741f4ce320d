"""Sign-in events from django.contrib.auth, connected in CoreConfig.ready()."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest

from uslugi.core.audit.context import Actor
from uslugi.core.audit.record import audit_record
from uslugi.core.audit.scrub import mask_identifier


def record_login(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit_record(action="auth.login", actor=user, obj=user, request=request)


def record_logout(sender: object, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if user is None:  # signing out without being signed in changes nothing
        return
    audit_record(action="auth.logout", actor=user, obj=user, request=request)


def record_login_failed(
    sender: object,
    credentials: Mapping[str, Any],
    request: HttpRequest | None = None,
    **kwargs: Any,
) -> None:
    username = credentials.get(get_user_model().USERNAME_FIELD) or credentials.get("username")
    audit_record(
        action="auth.login_failed",
        actor=Actor.anonymous(),
        details={"username": mask_identifier(str(username or ""))},
        request=request,
    )

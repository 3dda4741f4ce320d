"""Security notices to the person: a sign-in, a password change (notifications app).

Sent in the transaction of the change itself, so a change that rolls back tells nobody;
the inbox always has them and email cannot be turned off for them.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone

from uslugi.core import clock, ids
from uslugi.notifications import events
from uslugi.notifications.services import notify


def _device(request: Any) -> str:
    agent = (request.META.get("HTTP_USER_AGENT", "") if request is not None else "")[:200]
    for browser in ("YaBrowser", "Edg", "Firefox", "Chrome", "Safari"):
        if browser in agent:
            name = {"YaBrowser": "Yandex Browser", "Edg": "Edge"}.get(browser, browser)
            for system in ("Windows", "Android", "iPhone", "Mac OS", "Linux"):
                if system in agent:
                    return f"{name}, {system}"
            return name
    return ""


def notify_security(*, account: Any, event: str, request: Any = None) -> None:
    at = timezone.localtime(clock.now())
    context: dict[str, Any] = {"time": at.strftime("%d.%m.%Y %H:%M")}
    if event == events.SECURITY_SIGN_IN:
        context["device"] = _device(request)
    notify(
        event=event,
        recipient=account,
        event_id=f"{event}:{account.pk}:{ids.new_id()}",
        context=context,
        link=reverse("identity:security"),
    )

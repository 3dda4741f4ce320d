"""Development pages: the SMS and letter outboxes (never served in production)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from uslugi.identity import selectors


def _development() -> None:
    if settings.PRODUCTION:
        raise Http404


def sms_outbox(request: HttpRequest) -> HttpResponse:
    _development()
    return render(
        request, "identity/dev/sms_outbox.html", {"messages_sent": selectors.sms_outbox()}
    )


def post_outbox(request: HttpRequest) -> HttpResponse:
    _development()
    return render(request, "identity/dev/post_outbox.html", {"letters": selectors.letter_outbox()})

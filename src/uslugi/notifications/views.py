"""Pages: the person's inbox, opening a notification, preferences; the development
email outbox."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from uslugi.notifications import outbox, selectors, services
from uslugi.notifications.errors import NotificationNotFound

PAGE_SIZE = 20


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {"page_obj": page, "unread": selectors.unread_count(request.user)},
    )


@login_required
def notification_open(request: HttpRequest, notification_id: str) -> HttpResponse:
    """Mark read, then go where the notification points (or show it when it points
    nowhere)."""
    try:
        notification = services.notification_read(
            account=request.user, notification_id=notification_id
        )
    except NotificationNotFound:
        raise Http404 from None
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.link)
    return render(request, "notifications/detail.html", {"notification": notification})


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read_all(account=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:inbox")


class PreferencesForm(forms.Form):
    """One checkbox per event and channel the person may change."""

    def __init__(self, *args: Any, rows: list[list[selectors.PreferenceCell]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            for cell in row:
                if not cell.locked:
                    self.fields[cell.name] = forms.BooleanField(
                        required=False, initial=cell.enabled
                    )

    def enabled(self) -> set[tuple[str, str]]:
        chosen = set()
        for name, value in self.cleaned_data.items():
            if value:
                event, channel = name.rsplit(":", 1)
                chosen.add((event, channel))
        return chosen


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    rows = selectors.preferences_of(request.user)
    form = PreferencesForm(request.POST or None, rows=rows)
    if request.method == "POST" and form.is_valid():
        services.preferences_save(account=request.user, enabled=form.enabled())
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:preferences")
    channels = [cell.channel for cell in rows[0]] if rows else []
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "rows": rows, "channels": channels},
    )


def email_outbox(request: HttpRequest) -> HttpResponse:
    """Development: the emails the file backend wrote to var/mail, newest first."""
    if settings.PRODUCTION:
        raise Http404
    return render(
        request,
        "notifications/dev/email_outbox.html",
        {"emails": outbox.read_mail_dir(), "file_backend": outbox.file_backend_in_use()},
    )

"""The webhook delivery log of an agency's systems, with manual and bulk replay.

For agency administrators: only the deliveries to systems of the departments they
administer (their subtree) are listed or replayed; anything else is a 404.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from uslugi.agencies import webhooks
from uslugi.agencies.models import WebhookDelivery
from uslugi.agencies.selectors import Scope
from uslugi.agencies.views import staff_required
from uslugi.agencies.webhooks import DeliveryStatus, Selection
from uslugi.applications import numbers

PAGE_SIZE = 50
# The days a period may name: its start and the day after its end must still be times
# (9999-12-31 + 1 day is past the last date there is).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


def _day_in_range(day: dt.date | None) -> dt.date | None:
    if day is not None and not FIRST_DAY <= day <= LAST_DAY:
        raise forms.ValidationError(
            _("Enter a date between the years %(first)s and %(last)s."),
            code="date_out_of_range",
            params={"first": FIRST_DAY.year, "last": LAST_DAY.year},
        )
    return day


class WebhookFilterForm(forms.Form):
    """Filters of the log; the same fields choose what a bulk replay sends again."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("Any")), *DeliveryStatus.choices],
    )
    since = forms.DateField(label=gettext_lazy("Created from"), required=False)
    until = forms.DateField(label=gettext_lazy("Created to"), required=False)
    number = forms.CharField(
        label=gettext_lazy("Application number"), required=False, max_length=40
    )

    def clean_since(self) -> dt.date | None:
        return _day_in_range(self.cleaned_data["since"])

    def clean_until(self) -> dt.date | None:
        return _day_in_range(self.cleaned_data["until"])

    def clean_number(self) -> str:
        text = self.cleaned_data["number"].strip()
        if not text:
            return ""
        number = numbers.normalize(text)
        if number is None:
            raise forms.ValidationError(_("Enter an application number like 2026-00000001-8."))
        return number

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", _("The end of the period cannot be before its start."))
        return data

    def selection(self, codes: frozenset[str]) -> Selection:
        """Whole local days: from the start of `since` to the end of `until`."""
        data = self.cleaned_data
        return Selection(
            department_codes=codes,
            application_number=data.get("number") or "",
            since=_day_start(data.get("since")),
            until=_day_start(data["until"] + dt.timedelta(days=1)) if data.get("until") else None,
            status=data.get("status") or "",
        )


def _day_start(day: dt.date | None) -> dt.datetime | None:
    if day is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _administrator(scope: Scope) -> None:
    if not scope.is_administrator:
        raise PermissionDenied


@staff_required
@require_GET
def webhook_log(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Deliveries to the administered departments' systems, newest first, filtered."""
    _administrator(scope)
    form = WebhookFilterForm(request.GET or None)
    deliveries = webhooks.log_for(department_codes=scope.administered)
    if form.is_bound and form.is_valid():
        chosen = webhooks.selected(form.selection(scope.administered))
        deliveries = deliveries.filter(pk__in=chosen.values("pk"))
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "agencies/webhooks.html",
        {
            "scope": scope,
            "form": form,
            "page": page,
            "replay_form": WebhookFilterForm(prefix="replay"),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@staff_required
@require_POST
def webhook_replay(request: HttpRequest, scope: Scope, delivery_id: uuid.UUID) -> HttpResponse:
    """Send one delivery again."""
    _administrator(scope)
    delivery = (
        WebhookDelivery.objects.filter(
            pk=delivery_id, system__department__code__in=scope.administered
        )
        .select_related("system")
        .first()
    )
    if delivery is None:
        raise Http404
    if webhooks.replay(delivery=delivery, actor=request.user):
        messages.success(request, _("The delivery will be sent again."))
    else:
        messages.error(request, _("The delivery is being sent right now; try again later."))
    return redirect("agencies:webhooks")


@staff_required
@require_POST
def webhook_replay_bulk(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Send again every delivery the filters choose (a period, an application, a status)."""
    _administrator(scope)
    form = WebhookFilterForm(request.POST, prefix="replay")
    if form.is_valid():
        data = form.cleaned_data
        if not (data.get("since") or data.get("until") or data.get("number")):
            form.add_error(None, _("Choose a period or an application to send again."))
    if not form.is_valid():
        page = Paginator(webhooks.log_for(department_codes=scope.administered), PAGE_SIZE)
        return render(
            request,
            "agencies/webhooks.html",
            {"scope": scope, "form": WebhookFilterForm(), "page": page.get_page(1),
             "replay_form": form},
            status=400,
        )  # fmt: skip
    count = webhooks.replay_bulk(selection=form.selection(scope.administered), actor=request.user)
    messages.success(request, _("Deliveries to send again: %(count)s.") % {"count": count})
    return redirect("agencies:webhooks")

"""Reads of the notifications app: the inbox, unread count, preferences."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from uslugi.notifications import channels, events
from uslugi.notifications.constants import Channel
from uslugi.notifications.errors import InvalidCursor, NotificationNotFound
from uslugi.notifications.models import Notification, Preference


def inbox(account: Any) -> QuerySet[Notification]:
    """The person's inbox, newest first (ids are time-ordered)."""
    return Notification.objects.filter(recipient=account, channel=Channel.INBOX).order_by("-id")


def inbox_after(account: Any, *, cursor: str | None, limit: int) -> tuple[list[Notification], str]:
    """A page of the inbox after `cursor` (the last id seen) and the next cursor ("" at end)."""
    items = inbox(account)
    if cursor:
        try:
            items = items.filter(id__lt=uuid.UUID(cursor))
        except ValueError:
            raise InvalidCursor from None
    page = list(items[: limit + 1])
    more = len(page) > limit
    page = page[:limit]
    return page, (str(page[-1].pk) if more and page else "")


def unread_count(account: Any) -> int:
    """How many inbox notifications the person has not opened (0 when signed out)."""
    if account is None or not getattr(account, "is_authenticated", False):
        return 0
    return inbox(account).filter(read_at__isnull=True).count()


def notification_of(account: Any, notification_id: object) -> Notification:
    """One of the person's own inbox notifications; NotificationNotFound for anyone else's."""
    try:
        return inbox(account).get(pk=_uuid(notification_id))
    except Notification.DoesNotExist:
        raise NotificationNotFound from None


def _uuid(value: object) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError:
        raise NotificationNotFound from None


@dataclass(frozen=True)
class PreferenceCell:
    event: events.Event
    channel: Channel
    enabled: bool
    locked: bool

    @property
    def name(self) -> str:
        return f"{self.event.key}:{self.channel}"


def preferences_of(account: Any) -> list[list[PreferenceCell]]:
    """One row per event, one cell per available channel: on or off, and whether locked."""
    chosen = {
        (p.event, p.channel): p.enabled
        for p in Preference.objects.filter(account=account).only("event", "channel", "enabled")
    }
    rows = []
    for event in events.all_events():
        row = []
        for channel in channels.available():
            locked = event.locked(channel)
            enabled = locked or chosen.get((event.key, channel), event.enabled_by_default(channel))
            row.append(PreferenceCell(event, channel, enabled, locked))
        rows.append(row)
    return rows


def channels_for(account: Any, event: events.Event) -> list[Channel]:
    """The channels on which the person gets this event now."""
    chosen = dict(
        Preference.objects.filter(account=account, event=event.key).values_list(
            "channel", "enabled"
        )
    )
    return [
        channel
        for channel in channels.available()
        if event.locked(channel) or chosen.get(channel, event.enabled_by_default(channel))
    ]

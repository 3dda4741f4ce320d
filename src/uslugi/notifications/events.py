"""The events people can be notified of, with the channels each uses by default.

Other apps name an event by its key when they call `services.notify()`; an app that needs
a new event registers it here (`register(Event(...))`) and ships its default texts in
`data/templates.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from uslugi.notifications.constants import Channel


@dataclass(frozen=True)
class Event:
    key: str
    label: str | Promise
    #: Channels a person gets unless they change their preferences (inbox always).
    default_channels: frozenset[Channel]
    #: Security events: email cannot be turned off (a person must learn of a sign-in).
    security: bool = False

    def locked(self, channel: Channel) -> bool:
        """Whether the person may not turn this channel off for this event."""
        return channel == Channel.INBOX or (self.security and channel == Channel.EMAIL)

    def enabled_by_default(self, channel: Channel) -> bool:
        return self.locked(channel) or channel in self.default_channels


APPLICATION_SUBMITTED = "application.submitted"
APPLICATION_STATUS_CHANGED = "application.status_changed"
APPLICATION_INFORMATION_REQUESTED = "application.information_requested"
APPLICATION_RESULT_READY = "application.result_ready"
DRAFT_EXPIRING = "draft.expiring"
SECURITY_SIGN_IN = "security.sign_in"
SECURITY_PASSWORD_CHANGED = "security.password_changed"  # noqa: S105 - an event name

_EMAIL = frozenset({Channel.EMAIL})
_EMAIL_SMS = frozenset({Channel.EMAIL, Channel.SMS})

_events: dict[str, Event] = {}


def register(event: Event) -> Event:
    if event.key in _events and _events[event.key] != event:
        raise ValueError(f"notification event {event.key!r} is already registered")
    _events[event.key] = event
    return event


def get(key: str) -> Event:
    """The event with this key (LookupError for an unknown one: a programming error)."""
    try:
        return _events[key]
    except KeyError:
        raise LookupError(f"unknown notification event {key!r}") from None


def all_events() -> list[Event]:
    return list(_events.values())


for _event in (
    Event(APPLICATION_SUBMITTED, _("Application submitted"), _EMAIL),
    Event(APPLICATION_STATUS_CHANGED, _("Application status changed"), _EMAIL),
    Event(APPLICATION_INFORMATION_REQUESTED, _("Agency asks for information"), _EMAIL_SMS),
    Event(APPLICATION_RESULT_READY, _("Result of an application is ready"), _EMAIL_SMS),
    Event(DRAFT_EXPIRING, _("Draft will soon be deleted"), _EMAIL),
    Event(SECURITY_SIGN_IN, _("Sign-in to your account"), _EMAIL, security=True),
    Event(SECURITY_PASSWORD_CHANGED, _("Password changed"), _EMAIL_SMS, security=True),
):
    register(_event)


def choices() -> list[tuple[str, str]]:
    """(key, label) of every event, for model and form fields."""
    return [(event.key, f"{event.key} – {event.label}") for event in _events.values()]

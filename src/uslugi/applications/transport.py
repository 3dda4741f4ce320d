"""How an application reaches its agency: transports as plugins (setting
`APPLICATIONS_TRANSPORT`, default "inbox").

`inbox`: the agency works in the portal (its back office and its integration API read
the delivered applications), so delivery is handing the application to the agency's
inbox. Other transports (a push to the agency's own system) raise `DeliveryFailed` when
the agency cannot take it now; the outbox retries them with backoff, and the applicant
meanwhile sees "received, being delivered", never an error.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings


class DeliveryFailed(Exception):
    """The agency did not take the application now (retry later). No personal data."""


Transport = Callable[[Any], str]
_transports: dict[str, Transport] = {}


def register(name: str) -> Callable[[Transport], Transport]:
    def add(function: Transport) -> Transport:
        _transports[name] = function
        return function

    return add


@register("inbox")
def inbox(application: Any) -> str:
    """The portal-hosted agency inbox: the application is there once delivered."""
    return f"inbox:{application.department_code or 'unrouted'}"


def transport() -> Transport:
    name = getattr(settings, "APPLICATIONS_TRANSPORT", "inbox")
    try:
        return _transports[name]
    except KeyError:
        raise DeliveryFailed(f"no transport named {name!r}") from None

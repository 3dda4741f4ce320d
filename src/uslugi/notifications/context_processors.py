"""`notifications_unread`: the signed-in person's unread count, for the header.

Lazy: the count is queried only by a page that shows it. Add
"uslugi.notifications.context_processors.unread" to TEMPLATES' context processors.
"""

from __future__ import annotations

from django.http import HttpRequest

from uslugi.notifications.selectors import unread_count


def unread(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    # A callable: templates call it when (and only when) they show the count, and get an int.
    return {"notifications_unread": lambda: unread_count(user)}

"""Domain errors of the notifications app."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from uslugi.core.errors import DomainError, NotFound


class NotificationNotFound(NotFound):
    code = "notification_not_found"
    message = _("There is no such notification.")


class InvalidCursor(DomainError):
    code = "invalid_cursor"
    message = _("The page cursor is not valid: start again from the first page.")

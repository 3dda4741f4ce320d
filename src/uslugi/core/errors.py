"""Domain errors: raised by services, rendered as form errors or RFC 9457 problems.

Each error has a stable machine `code` (the same in HTML and API), a translatable
human message, an HTTP status for the API and optionally the form field it concerns.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    code: ClassVar[str] = "domain_error"
    message: ClassVar[str | Promise] = _("The request could not be completed.")
    status: ClassVar[int] = 400

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        field: str | None = None,
        params: dict[str, Any] | None = None,
    ) -> None:
        self.field = field
        self.params = params or {}
        self._message = message
        super().__init__(str(self.text))

    @property
    def text(self) -> str:
        """The human message, in the active language, with params filled in."""
        template = str(self._message if self._message is not None else self.message)
        return template % self.params if self.params else template

    @property
    def title(self) -> str:
        """The same short summary for every occurrence of the problem type (RFC 9457): the
        class's message, or the nearest base class's where that one has placeholders."""
        for cls in type(self).__mro__:
            message = cls.__dict__.get("message")
            if message is not None and "%(" not in str(message):
                return str(message)
        return str(DomainError.message)


class NotFound(DomainError):
    code = "not_found"
    message = _("Not found.")
    status = 404


class PermissionDenied(DomainError):
    code = "permission_denied"
    message = _("You do not have permission to do this.")
    status = 403


class Conflict(DomainError):
    code = "conflict"
    message = _("The request conflicts with the current state.")
    status = 409


class InvalidInput(DomainError):
    code = "invalid_input"
    message = _("Some of the data is not valid.")
    status = 422


class RateLimited(DomainError):
    code = "rate_limited"
    message = _("Too many attempts. Please wait and try again.")
    status = 429

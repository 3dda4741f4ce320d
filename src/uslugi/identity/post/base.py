"""The postal-service module: abstract base, registry, active plugin."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

from django.conf import settings

from uslugi.identity.plugins import Registry


class PostalError(Exception):
    """The postal service did not accept the letter."""


class PostalService(ABC):
    identifier: ClassVar[str] = ""
    development_only: ClassVar[bool] = False

    @abstractmethod
    def send_letter(self, *, recipient: str, address: str, text: str) -> str:
        """Queue a registered letter; return its tracking number."""


register: Registry[PostalService] = Registry(setting="POSTAL_SERVICE")


def service() -> PostalService:
    """The plugin chosen by POSTAL_SERVICE."""
    import uslugi.identity.post.plugins  # noqa: F401 - registers the built-in plugins

    return register.get(settings.POSTAL_SERVICE)

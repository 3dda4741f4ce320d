"""Who acted and from where: actors, and the request an entry is attributed to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse

from uslugi.core.audit.models import LABEL_CHARS
from uslugi.core.audit.scrub import clean_text, mask_identifier
from uslugi.core.constants import ActorType

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser


@dataclass(frozen=True)
class Actor:
    """Who acted: a person, a staff member, the system (a named job) or an anonymous caller."""

    type: ActorType
    id: str = ""
    label: str = ""

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(ActorType.SYSTEM, "", clean_text(name, LABEL_CHARS))

    @classmethod
    def anonymous(cls) -> Actor:
        return cls(ActorType.ANONYMOUS)

    @classmethod
    def for_user(cls, user: AbstractBaseUser | AnonymousUser) -> Actor:
        if not user.is_authenticated:
            return cls.anonymous()
        kind = ActorType.STAFF if getattr(user, "is_staff", False) else ActorType.PERSON
        email = getattr(user, "email", "") or ""
        return cls(kind, str(user.pk), mask_identifier(email))


SYSTEM = Actor.system("system")

_current_request: ContextVar[HttpRequest | None] = ContextVar("uslugi_audit_request", default=None)


def current_request() -> HttpRequest | None:
    """The request being served in this thread or task, if any."""
    return _current_request.get()


@contextmanager
def request_context(request: HttpRequest | None) -> Iterator[None]:
    """Make `request` the one audit entries are attributed to inside the block."""
    token = _current_request.set(request)
    try:
        yield
    finally:
        _current_request.reset(token)


class AuditContextMiddleware:
    """Remember the request so `audit_record` can say who acted and from where.

    The person is read from the request only when an entry is written, so this can sit
    before the authentication middleware. The IP is REMOTE_ADDR: behind a proxy it is the
    proxy's until a trusted-proxy setting exists.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with request_context(request):
            return self.get_response(request)


def resolve_actor(
    actor: Actor | AbstractBaseUser | AnonymousUser | None, request: HttpRequest | None
) -> Actor:
    if isinstance(actor, Actor):
        return actor
    if actor is not None:
        return Actor.for_user(actor)
    if request is None:
        return SYSTEM
    user = getattr(request, "user", None)
    return Actor.for_user(user) if user is not None else Actor.anonymous()

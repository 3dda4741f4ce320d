"""Property-based conformance of the whole API to its own OpenAPI document.

Schemathesis reads /api/v1/openapi.json from the WSGI application itself and sends each
operation generated requests (valid and invalid ones, a bounded, derandomized number so CI
is reproducible and takes seconds). No answer may be a 5xx, and every answer must be
documented: its status code, its media type (`application/problem+json` for errors), its
body against the response schema, and its headers.

Three callers: nobody (public operations answer, the others must say 401/403), a signed-in
person (`/api/v1/me...`, session cookie with a CSRF token) and an agency system
(`/api/v1/agency...`, an OAuth2 bearer token). Random ids and codes only ever meet 404s,
so every request that names an application, file, notification, service, message type,
region, category or department is sent a second time naming a real one (the fixtures'
records, the demo catalogue), to reach the code behind the lookup.

No operation or check is excluded. The OAuth2 token endpoints (`/o/...`) are not in this
document (django-oauth-toolkit's views; tests/agencies/test_api.py covers them).
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.cache import cache
from django.db import close_old_connections
from django.test import Client
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, settings
from oauth2_provider.models import AccessToken
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.agencies.conftest import HOME, definition, submit
from tests.catalog.conftest import _clear as clear_catalogue
from tests.factories.people import verified_person
from tests.forms.test_features import publish
from uslugi.agencies.integration import system_create
from uslugi.applications.models import Application
from uslugi.catalog import demo
from uslugi.catalog.constants import DepartmentKind
from uslugi.catalog.models import Department
from uslugi.core import clock
from uslugi.notifications.models import Notification
from uslugi.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]

# Bounded and reproducible: the same requests on every run, a few seconds per operation.
BOUNDED = settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    # The fixtures are per operation, not per example, on purpose: examples share the data.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def _keep_test_connection() -> Iterator[None]:
    """Keep the test's database connection open across requests, as Django's test client
    does: the WSGI handler's `close_old_connections` would close it (it is not in autocommit
    inside the test transaction), which on PostgreSQL ends the transaction with the data."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@dataclass
class World:
    """Real records the generated requests are pointed at."""

    application_id: str
    attachment_id: str
    notification_id: str


@pytest.fixture
def world(db: None, settings: Any, tmp_path: Any) -> World:
    settings.MEDIA_ROOT = tmp_path
    parent, _ = Department.objects.get_or_create(
        code="mvd", defaults={"kind": DepartmentKind.FEDERAL, "name_ru": "МВД"}
    )
    Department.objects.get_or_create(
        code=HOME,
        defaults={"kind": DepartmentKind.FEDERAL, "parent": parent, "name_ru": "ГУВМ"},
    )
    version = publish(definition("agency-permit", HOME))
    person = verified_person()
    submitted = submit(person, version, scan=True)
    attachment = submitted.attachments.get()
    notification = Notification.objects.filter(recipient=person).first()
    assert notification is not None
    return World(
        application_id=str(submitted.pk),
        attachment_id=str(attachment.pk),
        notification_id=str(notification.pk),
    )


# Where generated values name a record, the request is sent again naming a real one.
PUBLIC = {
    "path": {"code": "gibdd-fines", "key": "pfr.snils-verify/1"},
    "query": {"region": "77", "category": "transport", "department": "mvd-gibdd"},
}


def _known(world: World) -> dict[str, dict[str, str]]:
    return {
        "path": {
            "application_id": world.application_id,
            "attachment_id": world.attachment_id,
            "file_id": world.attachment_id,
            "notification_id": world.notification_id,
        },
        "query": {},
    }


def _call(case: Any, known: dict[str, dict[str, str]], **kwargs: Any) -> None:
    case.call_and_validate(checks=CHECKS, **kwargs)
    path = {k: v for k, v in known["path"].items() if k in (case.path_parameters or {})}
    query = {k: v for k, v in known["query"].items() if k in (case.query or {})}
    if not path and not query:
        return
    if path:
        case.path_parameters = {**case.path_parameters, **path}
    if query:
        case.query = {**case.query, **query}
    case.call_and_validate(checks=CHECKS, **kwargs)


@pytest.fixture(scope="module")
def catalogue(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The hand-written catalogue, committed once for this module (loading it takes
    seconds) and removed again after, as tests/catalog does."""
    with django_db_blocker.unblock():
        clear_catalogue()
        demo.load_catalogue()
    yield
    with django_db_blocker.unblock():
        clear_catalogue()


@pytest.mark.django_db
@schema.parametrize()
@BOUNDED
def test_anonymous(case: Any, catalogue: None) -> None:
    cache.clear()  # the catalogue caches per request; examples must not see stale pages
    _call(case, PUBLIC, headers={"Accept-Language": "en"})


@pytest.fixture
def as_person(world: World) -> dict[str, Any]:
    """A session cookie of the applicant, and a CSRF token for the unsafe methods."""
    browser = Client()
    browser.force_login(Application.objects.get(pk=world.application_id).account)
    csrf = get_random_string(32)
    session = browser.cookies[django_settings.SESSION_COOKIE_NAME].value
    return {
        "headers": {"Accept-Language": "en", "X-CSRFToken": csrf},
        "cookies": {
            django_settings.SESSION_COOKIE_NAME: session,
            django_settings.CSRF_COOKIE_NAME: csrf,
        },
    }


@pytest.fixture
def as_agency(world: World) -> dict[str, Any]:
    """A bearer token of an agency system of the application's department, both scopes."""
    agency = system_create(name="CRM", department_code=HOME).system
    token = secrets.token_urlsafe(24)
    AccessToken.objects.create(
        token=token,
        application=agency.oauth_application,
        scope="applications:read applications:write",
        expires=clock.now() + dt.timedelta(hours=1),
    )
    return {"headers": {"Accept-Language": "en", "Authorization": f"Bearer {token}"}}


@schema.include(path_regex="^/api/v1/me").parametrize()
@BOUNDED
def test_signed_in_person(case: Any, world: World, as_person: dict[str, Any]) -> None:
    _call(case, _known(world), **as_person)


@schema.include(path_regex="^/api/v1/agency/").parametrize()
@BOUNDED
def test_agency_system(case: Any, world: World, as_agency: dict[str, Any]) -> None:
    _call(case, _known(world), **as_agency)

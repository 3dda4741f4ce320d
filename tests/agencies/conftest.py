from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.forms.conftest import applicant  # noqa: F401 - fixture
from tests.forms.test_features import publish
from uslugi.agencies.constants import Role
from uslugi.agencies.models import StaffRole
from uslugi.applications import services as applications_services
from uslugi.applications.models import Application
from uslugi.catalog.constants import DepartmentKind
from uslugi.catalog.models import Department
from uslugi.forms.models import DefinitionVersion, Upload
from uslugi.forms.services import draft_start
from uslugi.identity.constants import Level, SecondFactor
from uslugi.identity.models import Account

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
HOME = "mvd-migration"
OTHER = "fns-other"


def definition(code: str, department: str) -> dict[str, Any]:
    return {
        "code": code,
        "variant": "main",
        "kind": "application",
        "title": {"ru": f"Услуга {code}", "en": f"Service {code}"},
        "account_level": "standard",
        "routing": {"department": department},
        "steps": [
            {
                "id": "about",
                "title": {"ru": "О вас", "en": "About you"},
                "fields": [
                    {
                        "name": "surname",
                        "type": "text",
                        "label": {"ru": "Фамилия", "en": "Surname"},
                        "required": True,
                    },
                    {
                        "name": "scan",
                        "type": "file",
                        "label": {"ru": "Скан", "en": "Scan"},
                        "accept": ["application/pdf"],
                        "max_files": 1,
                    },
                ],
            }
        ],
    }


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def departments(db: None) -> dict[str, Department]:
    parent = Department.objects.create(
        code="mvd", kind=DepartmentKind.FEDERAL, name_ru="МВД", name_en="Interior"
    )
    return {
        HOME: Department.objects.create(
            code=HOME, kind=DepartmentKind.FEDERAL, parent=parent, name_ru="ГУВМ",
            name_en="Migration directorate",
        ),
        OTHER: Department.objects.create(
            code=OTHER, kind=DepartmentKind.FEDERAL, name_ru="ФНС", name_en="Tax service"
        ),
        "mvd": parent,
    }  # fmt: skip


@pytest.fixture
def home_service(departments: dict[str, Department]) -> DefinitionVersion:
    return publish(definition("agency-permit", HOME))


@pytest.fixture
def other_service(departments: dict[str, Department]) -> DefinitionVersion:
    return publish(definition("other-permit", OTHER))


def submit(
    account: Account,
    version: DefinitionVersion,
    *,
    test: bool = False,
    deliver: bool = True,
    scan: bool = False,
) -> Application:
    """A real submission through the applications app, then delivered to the inbox."""
    draft = draft_start(account=account, version=version)
    data: dict[str, Any] = {"surname": "Смирнова"}
    draft.data = data
    draft.is_test = test
    draft.save(update_fields=["data", "is_test"])
    if scan:
        from uslugi.forms.services import upload_store

        upload_store(
            draft=draft,
            field="scan",
            upload=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
            content_type="application/pdf",
        )
    outcome = applications_services.application_submit(
        account=account, draft=draft, idempotency_key=uuid.uuid4().hex
    )
    if deliver:
        assert applications_services.deliver(outcome.application.pk)
    return Application.objects.get(pk=outcome.application.pk)


def staff(
    email: str, department: Department, role: str = Role.OFFICER, *, factor: bool = True
) -> Account:
    account = Account.objects.create_user(
        email,
        "Uslugi-Test-2026",
        surname=email.split("@", maxsplit=1)[0].title(),
        level=Level.STANDARD,
    )
    if factor:
        account.second_factor = SecondFactor.SMS
        account.save(update_fields=["second_factor"])
    StaffRole.objects.create(account=account, department=department, role=role)
    return account


def browser(account: Account) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(account)
    return client


@pytest.fixture
def officer(departments: dict[str, Department]) -> Account:
    return staff("officer@agency.test", departments[HOME])


@pytest.fixture
def supervisor(departments: dict[str, Department]) -> Account:
    return staff("supervisor@agency.test", departments[HOME], Role.SUPERVISOR)


@pytest.fixture
def outsider(departments: dict[str, Department]) -> Account:
    return staff("outsider@agency.test", departments[OTHER])


def pdf(name: str = "result.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def uploads_count() -> int:
    return Upload.objects.count()

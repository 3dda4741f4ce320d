"""Department editors: a role scoped to a department (and the bodies below it), drafts,
moderation by publishers, change history and audit; the admin enforces the same."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from uslugi.catalog import errors, selectors, services
from uslugi.catalog.constants import EditorRole, Status
from uslugi.catalog.models import Department, Service, ServiceVersion
from uslugi.core.audit import AuditEntry

pytestmark = pytest.mark.usefixtures("catalogue")


@pytest.fixture
def tax_editor(make_account: Any) -> Any:
    account = make_account()
    services.department_editor_grant(account=account, department=Department.objects.get(code="fns"))
    return account


@pytest.fixture
def mvd_publisher(make_account: Any) -> Any:
    account = make_account()
    services.department_editor_grant(
        account=account, department=Department.objects.get(code="mvd"), role=EditorRole.PUBLISHER
    )
    return account


def draft(code: str) -> Service:
    service = Service.objects.get(code=code)
    Service.objects.filter(id=service.id).update(status=Status.DRAFT)
    service.refresh_from_db()
    return service


def test_grant_is_audited_and_gives_staff(tax_editor: Any) -> None:
    tax_editor.refresh_from_db()
    assert tax_editor.is_staff
    assert AuditEntry.objects.filter(action="catalog.editor_granted").exists()


def test_editor_cannot_edit_another_departments_service(tax_editor: Any) -> None:
    fines = draft("gibdd-fines")
    assert not selectors.can_edit_service(tax_editor, fines)
    with pytest.raises(errors.NotDepartmentEditor):
        services.service_record_change(service=fines, actor=tax_editor)
    assert not selectors.services_editable_by(tax_editor).filter(code="gibdd-fines").exists()


def test_editor_edits_drafts_of_own_department_with_history(tax_editor: Any) -> None:
    service = draft("tax-debts")
    Service.objects.filter(id=service.id).update(title_ru="Долги по налогам")
    service.refresh_from_db()
    version = services.service_record_change(service=service, actor=tax_editor)
    assert version is not None
    assert version.author == tax_editor
    assert {c["field"] for c in version.changes} >= {"title"}
    assert AuditEntry.objects.filter(action="catalog.service_changed").exists()


def test_a_role_covers_subordinate_bodies_but_editors_do_not_publish(
    mvd_publisher: Any, tax_editor: Any
) -> None:
    fines = Service.objects.get(code="gibdd-fines")  # ГИБДД is below МВД
    assert selectors.can_edit_service(mvd_publisher, fines)
    with pytest.raises(errors.NotPublisher):
        services.service_withdraw(service=Service.objects.get(code="tax-debts"), actor=tax_editor)
    withdrawn = services.service_withdraw(service=fines, actor=mvd_publisher)
    assert withdrawn.status == Status.WITHDRAWN
    published = services.service_publish(service=withdrawn, actor=mvd_publisher)
    assert published.status == Status.PUBLISHED
    actions = list(ServiceVersion.objects.filter(service=fines).values_list("action", flat=True))
    assert {"withdrawn", "published"} <= set(actions)
    assert AuditEntry.objects.filter(action="catalog.service_published").exists()


def test_published_passports_change_only_through_a_publisher(tax_editor: Any) -> None:
    published = Service.objects.get(code="tax-debts")
    assert published.status == Status.PUBLISHED
    assert selectors.in_department_scope(tax_editor, published)
    assert not selectors.can_edit_service(tax_editor, published)


class TestAdmin:
    def client_for(self, account: Any) -> Client:
        client = Client()
        client.force_login(account)
        return client

    def test_changelist_shows_only_own_department(self, tax_editor: Any) -> None:
        response = self.client_for(tax_editor).get(reverse("admin:catalog_service_changelist"))
        assert response.status_code == 200
        content = response.content.decode()
        assert "tax-debts" in content
        assert "gibdd-fines" not in content

    def test_other_departments_service_cannot_be_opened_or_changed(self, tax_editor: Any) -> None:
        fines = draft("gibdd-fines")
        client = self.client_for(tax_editor)
        url = reverse("admin:catalog_service_change", args=[fines.pk])
        assert client.get(url).status_code in (302, 403, 404)
        response = client.post(url, {"title_ru": "Взломано"})
        assert response.status_code in (302, 403, 404)
        fines.refresh_from_db()
        assert fines.title_ru != "Взломано"

    def test_department_choices_are_limited(self, tax_editor: Any) -> None:
        response = self.client_for(tax_editor).get(reverse("admin:catalog_service_add"))
        assert response.status_code == 200
        field = response.context["adminform"].form.fields["department"]
        assert set(field.queryset.values_list("code", flat=True)) == {"fns"}

    def test_roles_are_managed_by_administrators_only(self, tax_editor: Any) -> None:
        response = self.client_for(tax_editor).get(
            reverse("admin:catalog_departmenteditor_changelist")
        )
        assert response.status_code == 403

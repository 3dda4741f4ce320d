from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from uslugi.forms.models import Draft
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db

BASE = "/forms/foreign-passport"
APPLICANT = {
    "patronymic": "",
    "snils": "112-233-445 95",
    "phone": "+79167654321",
    "email": "anna@example.ru",
}
DOCUMENTS = {
    "passport__series_number": "45 08 123456",
    "passport__issued_on": "2008-05-20",
    "passport__issued_by": "ОВД Тверского района",
    "passport__division_code": "770-001",
    "had_foreign_passport": "no",
}


def _draft(account: Account) -> Draft:
    return Draft.objects.get(account=account)


def test_sign_in_required_and_returns_to_the_same_step(client: Client, published: None) -> None:
    response = client.get(f"{BASE}/step/documents")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")
    assert "next=/forms/foreign-passport/step/documents" in response["Location"]


def test_start_prefills_from_profile_and_locks(
    signed_in: Client, applicant: Account, published: None
) -> None:
    response = signed_in.get(f"{BASE}/")
    assert response["Location"] == f"{BASE}/step/applicant"
    page = signed_in.get(response["Location"]).content.decode()
    assert 'value="Смирнова"' in page
    assert "disabled" in page
    draft = _draft(applicant)
    assert draft.locked["surname"] == "Смирнова"
    assert draft.locked["birth_date"] == "1985-03-14"
    assert draft.data["passport"]["number"] == "123456"
    assert draft.is_test is False


def test_locked_value_changed_in_crafted_post_is_refused(
    signed_in: Client, applicant: Account, published: None
) -> None:
    signed_in.get(f"{BASE}/")
    response = signed_in.post(f"{BASE}/step/applicant", {**APPLICANT, "surname": "Иванова"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    assert "cannot be changed" in page
    assert _draft(applicant).current_step == "applicant"
    assert _draft(applicant).data["surname"] == "Смирнова"


def test_step_saved_on_continue_and_resumed_after_sign_in(
    client: Client, signed_in: Client, applicant: Account, published: None
) -> None:
    signed_in.get(f"{BASE}/")
    response = signed_in.post(f"{BASE}/step/applicant", APPLICANT)
    assert response["Location"] == f"{BASE}/step/documents"
    draft = _draft(applicant)
    assert draft.data["snils"] == "112-233-445 95"
    assert draft.data["surname"] == "Смирнова"
    assert draft.current_step == "documents"
    signed_in.logout()
    again = Client(HTTP_ACCEPT_LANGUAGE="en")
    again.force_login(applicant)
    assert again.get(f"{BASE}/")["Location"] == f"{BASE}/step/documents"


def test_errors_show_summary_and_inline(signed_in: Client, published: None) -> None:
    signed_in.get(f"{BASE}/")
    response = signed_in.post(f"{BASE}/step/applicant", {**APPLICANT, "snils": "112-233-445 96"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in page
    assert "govuk-error-message" in page
    assert 'href="#id_snils"' in page


@pytest.mark.parametrize(
    ("answers", "ok"),
    [
        ({"had_foreign_passport": "yes"}, False),
        ({"had_foreign_passport": "yes", "previous_passport_number": "75 1234567"}, True),
        ({"had_foreign_passport": "no"}, True),
        ({"had_foreign_passport": "no", "previous_passport_number": "junk"}, True),
    ],
)
def test_conditional_required_field(
    signed_in: Client, applicant: Account, published: None, answers: dict[str, Any], ok: bool
) -> None:
    signed_in.get(f"{BASE}/")
    response = signed_in.post(f"{BASE}/step/documents", {**DOCUMENTS, **answers})
    assert (response.status_code == 302) is ok
    if ok:
        data = _draft(applicant).data
        assert data["had_foreign_passport"] is (answers["had_foreign_passport"] == "yes")
        if answers["had_foreign_passport"] == "no":
            assert "previous_passport_number" not in data  # hidden answers are not kept


def test_hidden_field_not_shown_without_js(
    signed_in: Client, applicant: Account, published: None
) -> None:
    signed_in.get(f"{BASE}/")
    signed_in.post(f"{BASE}/step/documents", DOCUMENTS)
    page = signed_in.get(f"{BASE}/step/documents").content.decode()
    assert "previous_passport_number" not in page


def test_check_your_answers_with_change_links(
    signed_in: Client, applicant: Account, published: None
) -> None:
    signed_in.get(f"{BASE}/")
    signed_in.post(f"{BASE}/step/applicant", APPLICANT)
    signed_in.post(f"{BASE}/step/documents", DOCUMENTS)
    page = signed_in.get(f"{BASE}/check").content.decode()
    assert "govuk-summary-list" in page
    assert "112-233-445 95" in page
    assert f'href="{BASE}/step/documents#id_had_foreign_passport_0"' in page
    assert f'href="{BASE}/step/applicant#id_surname"' not in page  # locked: no change link


def test_unpublished_definition_is_404(signed_in: Client) -> None:
    assert signed_in.get(f"{BASE}/").status_code == 404


JOB = {"employment__0__organisation": "ООО Ромашка", "employment__0__started_on": "2015-09-01"}


def test_repeating_group_min_items(signed_in: Client, applicant: Account, published: None) -> None:
    signed_in.get(f"{BASE}/")
    response = signed_in.post(f"{BASE}/step/work", {})
    assert response.status_code == 200
    assert "Add at least 1 entries" in response.content.decode()


def test_repeating_group_row_required_field(signed_in: Client, published: None) -> None:
    signed_in.get(f"{BASE}/")
    response = signed_in.post(f"{BASE}/step/work", {"employment__0__position": "Инженер"})
    assert response.status_code == 200
    assert 'href="#id_employment__0__organisation"' in response.content.decode()


def test_repeating_group_add_another_and_limit(
    signed_in: Client, applicant: Account, published: None
) -> None:
    signed_in.get(f"{BASE}/")
    response = signed_in.post(f"{BASE}/step/work", {**JOB, "another": "1"})
    assert response["Location"] == f"{BASE}/step/work"
    page = signed_in.get(f"{BASE}/step/work").content.decode()
    assert 'value="ООО Ромашка"' in page
    assert "employment__1__organisation" in page
    assert "employment__2__organisation" not in page
    # A crafted POST with rows beyond those shown is cut to the form's rows.
    rows = {
        f"employment__{i}__{k}": v
        for i in range(25)
        for k, v in (("organisation", f"Org {i}"), ("started_on", "2015-09-01"))
    }
    assert signed_in.post(f"{BASE}/step/work", rows).status_code == 302
    saved = _draft(applicant).data["employment"]
    assert len(saved) == 2
    assert saved[0] == {"organisation": "Org 0", "started_on": "2015-09-01"}


def test_group_rows_capped_at_max_items(
    signed_in: Client, applicant: Account, published: None
) -> None:
    signed_in.get(f"{BASE}/")
    draft = _draft(applicant)
    draft.data = {**draft.data, "employment": [{"organisation": f"Org {i}"} for i in range(20)]}
    draft.save()
    page = signed_in.get(f"{BASE}/step/work").content.decode()
    assert "employment__19__organisation" in page
    assert "employment__20__organisation" not in page


def test_testing_version_only_for_testers_and_drafts_marked_test(
    client: Client, applicant: Account, published: None
) -> None:
    from django.contrib.auth.models import Permission

    from uslugi.forms.constants import VersionStatus
    from uslugi.forms.models import DefinitionVersion
    from uslugi.forms.services import definition_store, version_transition

    current = DefinitionVersion.objects.get(definition__code="foreign-passport")
    changed = {**current.document, "title": "Foreign passport (new wording)"}
    version, _ = definition_store(document=changed)
    version_transition(version=version, target=VersionStatus.TESTING)
    client.force_login(applicant)
    client.get(f"{BASE}/")
    assert _draft(applicant).version == current
    assert _draft(applicant).is_test is False
    applicant.user_permissions.add(Permission.objects.get(codename="test_definitions"))
    tester = Client(HTTP_ACCEPT_LANGUAGE="en")
    tester.force_login(Account.objects.get(pk=applicant.pk))
    tester.get(f"{BASE}/")
    test_draft = Draft.objects.get(account=applicant, version=version)
    assert test_draft.is_test is True

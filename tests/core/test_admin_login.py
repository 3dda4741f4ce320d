"""The admin site signs staff in through the portal's own login page."""

from __future__ import annotations

import pytest
from django.test import Client

from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db


def test_a_visitor_is_sent_to_the_portal_login_and_back(client: Client) -> None:
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/account/login/?next=/admin/"


def test_a_signed_in_person_without_admin_rights_is_refused_not_looped(client: Client) -> None:
    person = Account.objects.create_user("person@example.com", "Xx12345678")
    client.force_login(person)
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) == 1  # /admin/ -> /admin/login/, then refused


def test_staff_reach_the_admin(admin_client: Client) -> None:
    assert admin_client.get("/admin/").status_code == 200
    # Staff who open the admin's login page while signed in go straight on.
    assert admin_client.get("/admin/login/?next=/admin/core/")["Location"] == "/admin/core/"
    assert admin_client.get("/admin/login/?next=https://evil.example/")["Location"] == "/admin/"

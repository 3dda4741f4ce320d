import pytest
from django.test import Client


@pytest.mark.django_db
def test_home_page_answers(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200

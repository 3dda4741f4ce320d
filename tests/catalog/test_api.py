"""The catalogue API: listing, search, stable cursor pagination, visibility, regions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from uslugi.catalog import services
from uslugi.catalog.constants import Status
from uslugi.catalog.models import Service

pytestmark = pytest.mark.usefixtures("catalogue")


def get(client: Client, url: str, **params: Any) -> Any:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    return response.json()


def all_pages(client: Client, **params: Any) -> list[str]:
    codes: list[str] = []
    cursor = ""
    for _ in range(100):
        data = get(client, "/api/v1/services", cursor=cursor, **params)
        codes += [item["code"] for item in data["items"]]
        cursor = data["next_cursor"]
        if not cursor:
            return codes
    raise AssertionError("pagination does not end")


def test_listing_pages_are_stable_and_complete(client: Client) -> None:
    codes = all_pages(client, limit=7)
    published = sorted(
        Service.objects.filter(status=Status.PUBLISHED).values_list("code", flat=True)
    )
    assert codes == published
    assert len(codes) == len(set(codes))


def test_paging_survives_a_new_service_between_pages(client: Client) -> None:
    first = get(client, "/api/v1/services", limit=5)
    services.register_import(
        records=[
            {
                "code": "aaa-first-in-order",
                "level": "federal",
                "department": "fns",
                "title": {"ru": "Новая услуга"},
            }
        ]
    )
    second = get(client, "/api/v1/services", limit=5, cursor=first["next_cursor"])
    seen = [i["code"] for i in first["items"]] + [i["code"] for i in second["items"]]
    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen)


def test_search_pages_follow_the_ranking(client: Client) -> None:
    codes = all_pages(client, query="паспорт", limit=3)
    whole = get(client, "/api/v1/services", query="паспорт", limit=100)
    assert codes == [i["code"] for i in whole["items"]]
    assert codes[0] in {"foreign-passport", "passport-replacement", "foreign-passport-biometric"}


def test_a_bad_or_foreign_cursor_is_a_problem(client: Client) -> None:
    response = client.get("/api/v1/services", {"cursor": "garbage"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_cursor"
    cursor = get(client, "/api/v1/services", query="паспорт", limit=2)["next_cursor"]
    response = client.get("/api/v1/services", {"cursor": cursor, "query": "штраф"})
    assert response.status_code == 422


def test_unpublished_services_are_invisible(client: Client) -> None:
    Service.objects.filter(code="gibdd-fines").update(status=Status.DRAFT)
    service = Service.objects.get(code="gibdd-fines")
    from uslugi.catalog.search import indexing

    indexing.index_service(service.id)
    assert "gibdd-fines" not in all_pages(client, limit=50)
    assert "gibdd-fines" not in [
        i["code"] for i in get(client, "/api/v1/services", query="штрафы гибдд")["items"]
    ]
    response = client.get("/api/v1/services/gibdd-fines")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert client.get("/service/gibdd-fines/").status_code == 404


@pytest.mark.parametrize(
    ("region", "present", "absent"),
    [
        ("77", ["gibdd-fines", "moscow-resident-parking", "kindergarten-enrollment"], ["taxi-permit"]),
        ("69", ["gibdd-fines", "kindergarten-enrollment", "marriage-registration"], ["moscow-resident-parking", "taxi-permit"]),
        ("50", ["taxi-permit", "kindergarten-enrollment"], ["moscow-resident-parking"]),
    ],
)  # fmt: skip
def test_region_filter_for_federal_regional_and_municipal(
    client: Client, region: str, present: list[str], absent: list[str]
) -> None:
    codes = all_pages(client, region=region, limit=100)
    assert set(present) <= set(codes)
    assert not set(absent) & set(codes)


def test_a_municipal_service_is_available_only_in_its_municipalitys_region(client: Client) -> None:
    services.register_import(
        records=[
            {
                "code": "tver-only",
                "level": "municipal",
                "department": "municipal-administration",
                "availability": "municipalities",
                "municipalities": ["69-001"],
                "title": {"ru": "Услуга только в Твери"},
            }
        ]
    )
    assert "tver-only" in all_pages(client, region="69", limit=100)
    assert "tver-only" not in all_pages(client, region="77", limit=100)
    item = get(client, "/api/v1/services", query="услуга только в твери", region="69")["items"][0]
    assert item["code"] == "tver-only"
    assert item["available_in_region"] is True


def test_detail_and_reference_endpoints(client: Client) -> None:
    detail = get(client, "/api/v1/services/foreign-passport")
    assert detail["title"]["en"].startswith("Issue of a foreign travel passport")
    assert detail["url"] == "/service/foreign-passport/"
    assert len(get(client, "/api/v1/categories")) == 22
    assert len(get(client, "/api/v1/regions")) == 85
    page = get(client, "/api/v1/departments", kind="federal", limit=10)
    assert len(page["items"]) == 10
    assert page["next_cursor"]
    nxt = get(client, "/api/v1/departments", kind="federal", limit=10, cursor=page["next_cursor"])
    assert page["items"][-1]["code"] < nxt["items"][0]["code"]
    assert get(client, "/api/v1/services/suggest", q="загранп")
    assert client.get("/api/v1/services", {"region": "99"}).status_code == 404

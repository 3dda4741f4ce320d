"""Search: analysis, typo tolerance, synonyms, filters, region ranking, suggestions."""

from __future__ import annotations

import pytest

from uslugi.catalog import selectors, services
from uslugi.catalog.constants import Level, Status
from uslugi.catalog.models import Service
from uslugi.catalog.search import analysis, engine


def test_stems_are_the_same_for_word_forms() -> None:
    assert analysis.stems("заграничного паспорта") == analysis.stems("заграничный паспорт")
    assert analysis.stems("Штрафы") == analysis.stems("штраф")
    assert analysis.stems("fines") == analysis.stems("fine")
    assert analysis.stems("Ёлка") == analysis.stems("елка")


def test_synonyms_fold_queries_and_expand_documents() -> None:
    synonyms = analysis.synonyms()
    assert synonyms.fold(analysis.stems("штраф ГАИ")) == ["synfine", "syngibdd"]
    assert synonyms.fold(analysis.stems("foreign passport")) == ["synzagran"]
    assert synonyms.fold(analysis.stems("ПФР")) == synonyms.fold(analysis.stems("СФР"))
    document = analysis.analyse_document("Оформление заграничного паспорта")
    assert "synzagran" in document
    assert "паспорт" in document


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [("штраф", "штарф", 1), ("паспорт", "пасспорт", 1), ("сад", "сад", 0), ("abc", "xyz", 3)],
)
def test_edit_distance_counts_swaps_as_one(a: str, b: str, distance: int) -> None:
    assert engine.osa_distance(a, b, 3) == distance


@pytest.mark.usefixtures("catalogue")
class TestServiceSearch:
    def test_typos_are_corrected_and_reported(self) -> None:
        results = selectors.service_search("штарфы гибдд")
        assert results.codes[0] == "gibdd-fines"
        assert results.corrected

    def test_english_and_russian_find_the_same_service(self) -> None:
        assert selectors.service_search("traffic fines").codes[0] == "gibdd-fines"
        assert selectors.service_search("штрафы ГИБДД").codes[0] == "gibdd-fines"

    def test_nothing_for_nonsense(self) -> None:
        assert selectors.service_search("zzzqqq").codes == []
        assert selectors.service_search("   ").codes == []

    def test_region_availability_ranks_and_marks(self) -> None:
        moscow = selectors.region_get(code="77")
        tver = selectors.region_get(code="69")
        in_moscow = selectors.service_search("парковочное разрешение", region=moscow)
        assert in_moscow.codes[0] == "moscow-resident-parking"
        assert in_moscow.ranked[0].available is True
        in_tver = selectors.service_search("парковочное разрешение", region=tver)
        hit = next(h for h in in_tver.ranked if h.code == "moscow-resident-parking")
        assert hit.available is False
        only_tver = selectors.service_search(
            "парковочное разрешение", region=tver, only_available=True
        )
        assert "moscow-resident-parking" not in only_tver.codes

    def test_filters_by_level_category_department_and_online(self) -> None:
        assert set(
            Service.objects.filter(
                code__in=selectors.service_search("регистрация", level=Level.REGIONAL).codes
            ).values_list("level", flat=True)
        ) == {Level.REGIONAL}
        family = selectors.category_get(slug="family")
        codes = selectors.service_search("регистрация", category=family).codes
        assert codes
        assert all(
            Service.objects.get(code=c).categories.filter(slug="family").exists() for c in codes
        )
        mvd = selectors.department_get(code="mvd")  # includes ГИБДД and migration below it
        codes = selectors.service_search("замена", department=mvd).codes
        assert "driving-licence-replacement" in codes
        assert "passport-replacement" in codes
        assert "gibdd-fines" in selectors.service_search("штраф", online_only=True).codes
        assert "passport-lost" not in selectors.service_search("паспорт", online_only=True).codes

    def test_unpublished_services_are_not_found(self, make_account: object) -> None:
        service = Service.objects.get(code="gibdd-fines")
        admin = make_account(is_superuser=True, is_staff=True)  # type: ignore[operator]
        services.service_withdraw(service=service, actor=admin)
        assert "gibdd-fines" not in selectors.service_search("штрафы гибдд").codes
        service.refresh_from_db()
        assert service.status == Status.WITHDRAWN

    def test_suggestions_complete_the_last_word(self) -> None:
        titles = [s.code for s in selectors.service_suggest("загранп")]
        assert {"foreign-passport", "foreign-passport-biometric"} & set(titles)
        assert selectors.service_suggest("") == []

    def test_results_page_loads_services(self) -> None:
        results = selectors.service_search("паспорт")
        hits = results.page(0, 5)
        assert len(hits) == 5
        assert all(h.service is not None for h in hits)
        assert [h.code for h in hits] == results.codes[:5]

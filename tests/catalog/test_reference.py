"""Reference data: regions, categories, departments, life situations, the hand-written
register."""

from __future__ import annotations

import zoneinfo

import pytest

from uslugi.catalog import reference
from uslugi.catalog.constants import Audience, Level, Status
from uslugi.catalog.models import Category, Department, LifeSituation, Region, Service

pytestmark = pytest.mark.usefixtures("catalogue")

SEED_POPULAR = [
    "gibdd-fines",
    "foreign-passport",
    "pension-account-statement",
    "court-debts",
    "tax-debts",
    "tax-return-3ndfl",
    "vehicle-registration",
    "residence-registration",
    "egrul-extract",
    "egrip-extract",
    "kindergarten-enrollment",
]


def test_85_regions_with_codes_names_and_time_zones() -> None:
    regions = list(Region.objects.all())
    assert len(regions) == 85
    assert len({r.code for r in regions}) == 85
    assert {"77", "78", "92", "50", "69"} <= {r.code for r in regions}
    for region in regions:
        assert region.name_ru
        assert region.name_en
        assert region.name_genitive_ru
        zoneinfo.ZoneInfo(region.timezone)  # a real IANA zone
    assert Region.objects.get(code="39").timezone == "Europe/Kaliningrad"


def test_22_categories_of_seed_002() -> None:
    assert Category.objects.count() == 22
    assert Category.objects.filter(audience=Audience.EVERYONE).count() == 20
    assert set(
        Category.objects.filter(audience=Audience.ORGANISATIONS).values_list("slug", flat=True)
    ) == {"nonprofit", "industry"}


def test_departments_have_a_hierarchy_and_regional_bodies() -> None:
    gibdd = Department.objects.get(code="mvd-gibdd")
    assert gibdd.parent is not None
    assert gibdd.parent.code == "mvd"
    zags = Department.objects.get(code="r69-zags")
    assert zags.name_ru == "Управление записи актов гражданского состояния Тверской области"
    assert zags.parent is not None
    assert zags.parent.code == "r69-gov"
    assert Department.objects.filter(region__code="77").count() >= 14


def test_reference_load_is_idempotent() -> None:
    before = (Department.objects.count(), Region.objects.count())
    reference.load_reference()
    assert (Department.objects.count(), Region.objects.count()) == before


def test_offices_keep_their_codes_across_loads() -> None:
    from uslugi.catalog.constants import OfficeKind
    from uslugi.catalog.models import Office

    office = Office.objects.get(code="77:mvd-migration")
    assert office.department is not None
    assert office.department.code == "mvd-migration"
    assert Office.objects.get(code="77:r77-mfc").kind == OfficeKind.SERVICE_CENTRE
    assert not Office.objects.filter(code__isnull=True).exists()
    stale = Office.objects.create(
        kind=OfficeKind.DEPARTMENT, region=office.region, name_ru="Старое отделение"
    )
    count = Office.objects.count()
    reference.load_reference()
    assert Office.objects.get(code="77:mvd-migration").pk == office.pk  # same row, same id
    assert not Office.objects.filter(pk=stale.pk).exists()  # an office without a code goes
    assert Office.objects.count() == count - 1


def test_at_least_60_hand_written_services_in_both_languages() -> None:
    services = Service.objects.filter(is_generated=False)
    assert services.count() >= 60
    for service in services:
        assert service.title_ru, service.code
        assert service.title_en, service.code
        assert service.description_ru, service.code
        assert service.description_en, service.code
        assert service.categories.exists(), service.code
        assert service.status == Status.PUBLISHED
    assert set(services.values_list("level", flat=True)) == {
        Level.FEDERAL,
        Level.REGIONAL,
        Level.MUNICIPAL,
        Level.OTHER,
    }


def test_the_seeds_popular_services_are_there() -> None:
    codes = set(Service.objects.values_list("code", flat=True))
    assert set(SEED_POPULAR) <= codes


def test_life_situations_list_published_services_in_order() -> None:
    assert LifeSituation.objects.count() >= 8
    birth = LifeSituation.objects.get(slug="birth-of-a-child")
    codes = list(birth.steps.order_by("order").values_list("service__code", flat=True))
    assert codes[0] == "birth-registration"
    assert "maternity-capital-certificate" in codes

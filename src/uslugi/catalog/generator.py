"""`uslugi catalog generate --scale national`: the register at the national scale of
seed 002 (34,319 services: 945 federal, 11,739 regional, 21,608 municipal, 27 other,
across 85 regions) for benchmarks. The hand-written services count towards the totals;
the rest are synthetic records built from typical service names, marked `is_generated`,
with synthetic municipalities beside each region's real administrative centre."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from uslugi.catalog import reference
from uslugi.catalog.constants import Availability, DepartmentKind, Level, Status
from uslugi.catalog.models import Category, Department, Municipality, Region, Service
from uslugi.catalog.search import indexing
from uslugi.core import clock

NATIONAL = {Level.FEDERAL: 945, Level.REGIONAL: 11_739, Level.MUNICIPAL: 21_608, Level.OTHER: 27}
SCALES = {"national": 1.0, "small": 0.05}
MUNICIPALITIES_PER_REGION = 6  # the administrative centre and five synthetic ones

# (title ru, title en, category, department slug in per_region)
REGIONAL = [
    ("Выдача разрешения на добычу охотничьих ресурсов", "Permit to hunt game", "nature", "nature"),
    (
        "Предоставление ежемесячной денежной выплаты ветеранам труда",
        "Monthly payment to labour veterans",
        "social",
        "social",
    ),
    (
        "Назначение ежемесячной выплаты на ребёнка-инвалида",
        "Monthly payment for a disabled child",
        "social",
        "social",
    ),
    (
        "Предоставление путёвок в загородные оздоровительные лагеря",
        "Places in children's summer camps",
        "family",
        "social",
    ),
    ("Выдача удостоверения ветерана труда", "Labour veteran certificate", "social", "social"),
    (
        "Назначение компенсации стоимости проезда на междугородном транспорте",
        "Compensation of intercity travel costs",
        "social",
        "social",
    ),
    (
        "Предоставление социальной услуги по уходу на дому",
        "Home care social service",
        "social",
        "social",
    ),
    ("Назначение региональной доплаты к пенсии", "Regional pension supplement", "social", "social"),
    (
        "Выдача справки о признании семьи малоимущей",
        "Certificate of low-income family status",
        "social",
        "social",
    ),
    (
        "Предоставление бесплатного питания учащимся из многодетных семей",
        "Free school meals for pupils from large families",
        "education",
        "education",
    ),
    ("Аттестация педагогических работников", "Certification of teachers", "education", "education"),
    (
        "Лицензирование образовательной деятельности",
        "Licensing educational activities",
        "education",
        "education",
    ),
    (
        "Государственная аккредитация образовательной деятельности",
        "State accreditation of education programmes",
        "education",
        "education",
    ),
    (
        "Выдача дубликата аттестата об основном общем образовании",
        "Duplicate of a school-leaving certificate",
        "education",
        "education",
    ),
    (
        "Приём на обучение в колледж по программам среднего профессионального образования",
        "Admission to a vocational college",
        "education",
        "education",
    ),
    (
        "Обеспечение лекарственными препаратами отдельных категорий граждан",
        "Medicines for certain categories of citizens",
        "health",
        "health",
    ),
    (
        "Выдача направления на высокотехнологичную медицинскую помощь",
        "Referral for high-tech medical care",
        "health",
        "health",
    ),
    ("Лицензирование медицинской деятельности", "Licensing medical activities", "health", "health"),
    (
        "Лицензирование фармацевтической деятельности",
        "Licensing pharmaceutical activities",
        "health",
        "health",
    ),
    ("Предоставление санаторно-курортного лечения", "Sanatorium treatment", "health", "health"),
    (
        "Выдача справки о регистрации акта гражданского состояния",
        "Statement of a civil status record",
        "family",
        "zags",
    ),
    (
        "Внесение исправлений в запись акта гражданского состояния",
        "Correction of a civil status record",
        "family",
        "zags",
    ),
    (
        "Государственная регистрация установления отцовства",
        "Registration of paternity",
        "family",
        "zags",
    ),
    ("Государственная регистрация усыновления", "Registration of adoption", "family", "zags"),
    (
        "Истребование документов о регистрации актов гражданского состояния с территории иностранных государств",
        "Civil status documents from abroad",
        "family",
        "zags",
    ),
    (
        "Выдача специального разрешения на движение тяжеловесного транспортного средства",
        "Special permit for heavy vehicles",
        "transport",
        "transport",
    ),
    (
        "Выдача разрешения на осуществление перевозок по межмуниципальным маршрутам",
        "Permit for intermunicipal bus routes",
        "transport",
        "transport",
    ),
    (
        "Выдача карты водителя для тахографа",
        "Driver card for a tachograph",
        "transport",
        "transport",
    ),
    (
        "Регистрация самоходных машин и прицепов к ним",
        "Registration of self-propelled machines",
        "transport",
        "transport",
    ),
    (
        "Выдача удостоверения тракториста-машиниста",
        "Tractor driver's licence",
        "transport",
        "transport",
    ),
    (
        "Предоставление земельных участков из земель сельскохозяйственного назначения",
        "Agricultural land plots",
        "property",
        "property",
    ),
    (
        "Предоставление в аренду имущества, находящегося в собственности субъекта",
        "Lease of regional property",
        "property",
        "property",
    ),
    (
        "Утверждение схемы расположения земельного участка на кадастровом плане",
        "Approval of a land plot layout",
        "property",
        "property",
    ),
    (
        "Определение кадастровой стоимости объекта недвижимости",
        "Determining the cadastral value of property",
        "property",
        "property",
    ),
    (
        "Содействие гражданам в поиске подходящей работы",
        "Help with finding a suitable job",
        "work",
        "employment",
    ),
    (
        "Организация профессионального обучения безработных граждан",
        "Vocational training for the unemployed",
        "work",
        "employment",
    ),
    (
        "Организация временного трудоустройства несовершеннолетних",
        "Temporary jobs for teenagers",
        "work",
        "employment",
    ),
    (
        "Уведомительная регистрация коллективных договоров",
        "Registration of collective agreements",
        "work",
        "employment",
    ),
    (
        "Выдача разрешения на использование объектов животного мира",
        "Permit to use wildlife",
        "nature",
        "nature",
    ),
    (
        "Государственная экологическая экспертиза объектов регионального уровня",
        "Regional environmental impact assessment",
        "nature",
        "nature",
    ),
    (
        "Выдача лицензии на пользование участками недр местного значения",
        "Licence to use local subsoil plots",
        "nature",
        "nature",
    ),
    ("Предоставление лесных участков в аренду", "Lease of forest plots", "nature", "nature"),
    (
        "Заключение договора купли-продажи лесных насаждений для собственных нужд",
        "Purchase of timber for own needs",
        "nature",
        "nature",
    ),
    (
        "Предоставление субсидий сельскохозяйственным товаропроизводителям",
        "Subsidies to farmers",
        "agriculture",
        "agriculture",
    ),
    (
        "Регистрация племенных животных",
        "Registration of breeding animals",
        "agriculture",
        "agriculture",
    ),
    (
        "Выдача ветеринарного заключения на продукцию",
        "Veterinary opinion on products",
        "agriculture",
        "agriculture",
    ),
    (
        "Предоставление грантов начинающим фермерам",
        "Grants to new farmers",
        "agriculture",
        "agriculture",
    ),
    (
        "Выдача разрешения на проведение работ по сохранению объекта культурного наследия",
        "Permit for work on a heritage site",
        "culture",
        "culture",
    ),
    (
        "Предоставление информации о мероприятиях учреждений культуры",
        "Information on cultural events",
        "culture",
        "culture",
    ),
    (
        "Включение объекта в реестр объектов культурного наследия",
        "Listing a heritage site",
        "culture",
        "culture",
    ),
    (
        "Лицензирование деятельности по управлению многоквартирными домами",
        "Licensing of apartment building management",
        "housing",
        "housing",
    ),
    (
        "Рассмотрение жалоб на качество коммунальных услуг",
        "Complaints about utility services",
        "housing",
        "housing",
    ),
    (
        "Выдача заключения о соответствии застройщика требованиям",
        "Developer compliance opinion",
        "industry",
        "housing",
    ),
    (
        "Предоставление государственной поддержки субъектам малого и среднего предпринимательства",
        "Support for small and medium businesses",
        "business",
        "economy",
    ),
    (
        "Выдача разрешения на организацию розничного рынка",
        "Permit to organise a retail market",
        "industry",
        "economy",
    ),
    (
        "Регистрация инвестиционного проекта",
        "Registration of an investment project",
        "economy",
        "economy",
    ),
    (
        "Предоставление сведений о ценах на социально значимые товары",
        "Prices of socially important goods",
        "economy",
        "economy",
    ),
    (
        "Выдача разрешения на производство работ в охранной зоне электросетей",
        "Permit for work near power lines",
        "energy",
        "economy",
    ),
    (
        "Утверждение нормативов потребления коммунальных услуг",
        "Utility consumption standards",
        "energy",
        "housing",
    ),
]

MUNICIPAL = [
    (
        "Выдача градостроительного плана земельного участка",
        "Urban planning plan of a land plot",
        "property",
        "architecture",
    ),
    (
        "Выдача разрешения на ввод объекта в эксплуатацию",
        "Permit to put a building into operation",
        "industry",
        "architecture",
    ),
    (
        "Согласование переустройства и перепланировки помещения в многоквартирном доме",
        "Approval of flat redevelopment",
        "housing",
        "architecture",
    ),
    (
        "Перевод жилого помещения в нежилое",
        "Converting a dwelling into non-residential premises",
        "housing",
        "architecture",
    ),
    (
        "Присвоение адреса объекту адресации",
        "Assigning an address to a property",
        "property",
        "architecture",
    ),
    (
        "Выдача разрешения на установку рекламной конструкции",
        "Permit to install an advertising structure",
        "industry",
        "architecture",
    ),
    (
        "Выдача ордера на производство земляных работ",
        "Permit for excavation works",
        "industry",
        "architecture",
    ),
    (
        "Согласование архитектурно-градостроительного облика объекта",
        "Approval of a building's appearance",
        "industry",
        "architecture",
    ),
    (
        "Выдача разрешения на отклонение от предельных параметров строительства",
        "Permit to deviate from building limits",
        "industry",
        "architecture",
    ),
    (
        "Предоставление разрешения на условно разрешённый вид использования земельного участка",
        "Conditional land use permit",
        "property",
        "architecture",
    ),
    (
        "Предоставление земельного участка в аренду на торгах",
        "Land plot lease at auction",
        "property",
        "property",
    ),
    (
        "Предоставление земельного участка в безвозмездное пользование",
        "Free use of a land plot",
        "property",
        "property",
    ),
    (
        "Продажа муниципального имущества на торгах",
        "Sale of municipal property at auction",
        "property",
        "property",
    ),
    (
        "Предоставление муниципального имущества в аренду",
        "Lease of municipal property",
        "property",
        "property",
    ),
    (
        "Предоставление выписки из реестра муниципального имущества",
        "Extract from the municipal property register",
        "property",
        "property",
    ),
    (
        "Приватизация жилых помещений муниципального жилищного фонда",
        "Privatisation of a municipal flat",
        "housing",
        "property",
    ),
    (
        "Заключение договора социального найма жилого помещения",
        "Social tenancy agreement",
        "housing",
        "adm",
    ),
    (
        "Признание помещения жилым, непригодным для проживания",
        "Declaring a dwelling unfit to live in",
        "housing",
        "adm",
    ),
    (
        "Выдача разрешения на вступление в брак лицам, не достигшим 18 лет",
        "Permission to marry under 18",
        "family",
        "adm",
    ),
    (
        "Выдача разрешения на обмен жилыми помещениями",
        "Permission to exchange flats",
        "housing",
        "adm",
    ),
    (
        "Выдача архивных справок, выписок и копий архивных документов",
        "Archive certificates and copies",
        "culture",
        "adm",
    ),
    (
        "Выдача разрешения на право организации розничной торговли",
        "Permit for retail trade",
        "industry",
        "adm",
    ),
    (
        "Предоставление места для размещения нестационарного торгового объекта",
        "Place for a kiosk",
        "industry",
        "adm",
    ),
    (
        "Выдача разрешения на перемещение отходов строительства и сноса",
        "Permit to move construction waste",
        "nature",
        "adm",
    ),
    ("Предоставление места для захоронения", "Burial plot", "family", "adm"),
    (
        "Выдача специального разрешения на движение по автомобильным дорогам местного значения",
        "Permit to use local roads",
        "transport",
        "adm",
    ),
    (
        "Установление муниципального маршрута регулярных перевозок",
        "Municipal bus route",
        "transport",
        "adm",
    ),
    (
        "Признание молодой семьи нуждающейся в улучшении жилищных условий",
        "Young family housing support",
        "family",
        "adm",
    ),
    (
        "Выдача разрешения на использование земель без предоставления земельного участка",
        "Permit to use land without granting a plot",
        "property",
        "property",
    ),
    (
        "Предоставление информации об очерёдности предоставления жилых помещений",
        "Place in the housing queue",
        "housing",
        "adm",
    ),
    (
        "Организация отдыха детей в каникулярное время",
        "Children's holidays",
        "education",
        "education",
    ),
    (
        "Предоставление информации о текущей успеваемости в муниципальной школе",
        "Progress information from a municipal school",
        "education",
        "education",
    ),
    (
        "Зачисление в учреждения дополнительного образования детей",
        "Enrolment in children's supplementary education",
        "education",
        "education",
    ),
    (
        "Предоставление информации о реализации образовательных программ",
        "Information on education programmes",
        "education",
        "education",
    ),
    (
        "Компенсация части родительской платы за присмотр и уход за детьми",
        "Partial refund of nursery fees",
        "family",
        "education",
    ),
    (
        "Перевод ребёнка в другое дошкольное учреждение",
        "Transfer to another nursery",
        "education",
        "education",
    ),
    (
        "Выдача разрешения на приём ребёнка в первый класс до 6,5 лет",
        "Permission for first grade before 6.5",
        "education",
        "education",
    ),
    (
        "Предоставление информации об организации общедоступного образования",
        "Information on public education",
        "education",
        "education",
    ),
    (
        "Выдача порубочного билета на территории поселения",
        "Tree felling permit in a settlement",
        "nature",
        "adm",
    ),
    (
        "Предоставление информации о проведении ярмарок и выставок",
        "Information on fairs and exhibitions",
        "economy",
        "adm",
    ),
    (
        "Выдача разрешения на снос объекта капитального строительства",
        "Permit to demolish a building",
        "industry",
        "architecture",
    ),
    (
        "Предоставление сведений из информационной системы обеспечения градостроительной деятельности",
        "Data from the urban planning information system",
        "property",
        "architecture",
    ),
    (
        "Согласование проведения публичного мероприятия на территории муниципалитета",
        "Approval of a public event",
        "culture",
        "adm",
    ),
    (
        "Выдача разрешения на вырубку аварийных деревьев",
        "Permit to remove dangerous trees",
        "nature",
        "adm",
    ),
    (
        "Постановка на учёт граждан, имеющих право на бесплатный земельный участок",
        "Queue for a free land plot",
        "property",
        "property",
    ),
    (
        "Предоставление субсидий на ремонт жилых помещений ветеранам",
        "Home repair subsidies for veterans",
        "social",
        "adm",
    ),
    (
        "Выдача выписки из похозяйственной книги",
        "Extract from the household register",
        "agriculture",
        "adm",
    ),
    (
        "Предоставление информации о порядке предоставления жилищно-коммунальных услуг",
        "How utility services are provided",
        "housing",
        "adm",
    ),
    (
        "Выдача уведомления о соответствии построенного жилого дома требованиям",
        "Notice of compliance of a built house",
        "industry",
        "architecture",
    ),
    (
        "Установление сервитута в отношении земельного участка",
        "Easement on a land plot",
        "property",
        "property",
    ),
    (
        "Выдача копий правовых актов администрации",
        "Copies of the administration's acts",
        "economy",
        "adm",
    ),
    (
        "Признание садового дома жилым домом",
        "Declaring a garden house a dwelling",
        "housing",
        "architecture",
    ),
]

FEDERAL = [
    ("Лицензирование деятельности", "Licensing of activities", "business"),
    ("Предоставление сведений из реестра", "Information from the register", "economy"),
    ("Выдача разрешений", "Issue of permits", "industry"),
    ("Аккредитация организаций", "Accreditation of organisations", "business"),
    ("Выдача заключений о соответствии", "Compliance opinions", "industry"),
    ("Рассмотрение обращений граждан", "Handling citizens' requests", "law"),
    ("Аттестация экспертов", "Certification of experts", "work"),
    ("Регистрация деклараций", "Registration of declarations", "economy"),
    ("Выдача сертификатов", "Issue of certificates", "industry"),
    ("Согласование документации", "Approval of documentation", "industry"),
    ("Ведение государственного реестра", "Keeping the state register", "economy"),
    ("Выдача справок", "Issue of statements", "economy"),
    ("Предоставление архивной информации", "Archive information", "culture"),
    ("Государственная регистрация объектов", "State registration of facilities", "industry"),
    ("Выдача дубликатов документов", "Duplicate documents", "economy"),
    ("Переоформление лицензий", "Reissuing licences", "business"),
    ("Включение в перечень организаций", "Adding to the list of organisations", "business"),
    ("Выдача предписаний и разъяснений", "Instructions and clarifications", "law"),
    ("Подтверждение квалификации", "Confirmation of qualifications", "work"),
    ("Приём отчётности", "Receiving reports", "economy"),
    ("Выдача разрешений на ввоз продукции", "Permits to import products", "customs"),
    ("Выдача разрешений на вывоз продукции", "Permits to export products", "customs"),
    ("Предоставление государственной поддержки", "State support", "business"),
    ("Проведение государственной экспертизы", "State expert review", "industry"),
    ("Выдача удостоверений", "Issue of identity cards", "work"),
    ("Присвоение квалификационных категорий", "Qualification categories", "work"),
    ("Выдача свидетельств о регистрации", "Registration certificates", "economy"),
    ("Согласование программ", "Approval of programmes", "education"),
    ("Учёт и регистрация", "Accounting and registration", "economy"),
    ("Предоставление выписок", "Issue of extracts", "economy"),
]
QUALIFIERS = [
    ("", ""),
    (" для юридических лиц", " for legal entities"),
    (" для индивидуальных предпринимателей", " for entrepreneurs"),
    (" в электронной форме", " in electronic form"),
]


@dataclass
class Plan:
    federal: int
    regional: int
    municipal: int
    other: int


def _targets(scale: float) -> Plan:
    existing = {
        level: Service.objects.filter(is_generated=False, level=level).count() for level in NATIONAL
    }
    need = {lvl: max(round(n * scale) - existing[lvl], 0) for lvl, n in NATIONAL.items()}
    return Plan(need[Level.FEDERAL], need[Level.REGIONAL], need[Level.MUNICIPAL], need[Level.OTHER])


def _municipalities(regions: list[Region]) -> dict[Any, list[Municipality]]:
    """Each region's administrative centre plus synthetic municipalities (made once)."""
    existing = {m.code for m in Municipality.objects.all()}
    new = [
        Municipality(
            region=r,
            code=f"{r.code}-{n:03d}",
            name_ru=f"Муниципальное образование № {n} ({r.name_ru})",
            name_en=f"Municipality No. {n} ({r.name_en})",
        )
        for r in regions
        for n in range(2, MUNICIPALITIES_PER_REGION + 1)
        if f"{r.code}-{n:03d}" not in existing
    ]
    Municipality.objects.bulk_create(new, batch_size=500)
    by_region: dict[Any, list[Municipality]] = {}
    for m in Municipality.objects.order_by("code"):
        by_region.setdefault(m.region_id, []).append(m)
    return by_region


def _cycle(items: list[Any]) -> Iterator[tuple[int, Any]]:
    n = 0
    while True:
        for item in items:
            yield n, item
        n += 1


@transaction.atomic
def generate(*, scale: str = "national", seed: int = 2011) -> dict[str, int]:
    """Replace the generated part of the register and re-index everything."""
    factor = SCALES[scale]
    rng = random.Random(seed)  # noqa: S311 - synthetic benchmark data, not security
    Service.objects.filter(is_generated=True).delete()
    plan = _targets(factor)
    regions = list(Region.objects.order_by("code"))
    municipalities = _municipalities(regions)
    reference.load_reference()  # departments of the new municipalities
    departments = dict(Department.objects.values_list("code", "id"))
    categories = dict(Category.objects.values_list("slug", "id"))
    federal_depts = list(
        Department.objects.filter(kind=DepartmentKind.FEDERAL)
        .order_by("code")
        .values_list("code", "short_name_ru", "short_name_en")
    )
    other_depts = list(
        Department.objects.filter(kind=DepartmentKind.OTHER)
        .order_by("code")
        .values_list("code", "short_name_ru", "short_name_en")
    )
    now = clock.now()
    services: list[Service] = []
    links: list[tuple[Service, str, list[Any], list[Any]]] = []

    def add(  # noqa: PLR0917 - a local builder, called with the same six facts each time
        code: str,
        level: str,
        dept: str,
        ru: str,
        en: str,
        cat: str,
        *,
        regions_: list[Any],
        munis: list[Any],
        where_ru: str,
        where_en: str,
    ) -> None:
        service = Service(
            code=code, status=Status.PUBLISHED, level=level, department_id=departments[dept],
            title_ru=ru, title_en=en,
            description_ru=f"{ru}. Предоставляется: {where_ru}.",
            description_en=f"{en}. Provided in: {where_en}.",
            result_ru="Решение о предоставлении услуги или мотивированный отказ",
            result_en="A decision granting the service or a reasoned refusal",
            availability=(
                Availability.ALL_REGIONS if not regions_ else
                Availability.MUNICIPALITIES if munis else Availability.REGIONS
            ),
            channel_online=rng.random() < 0.3, channel_service_centre=rng.random() < 0.6,
            channel_office=True, term_days=rng.choice([1, 5, 10, 15, 30]),
            popularity=int(rng.lognormvariate(6, 2)) % 200_000,
            is_generated=True, published_at=now, version=1,
        )  # fmt: skip
        services.append(service)
        links.append((service, cat, regions_, munis))

    # Federal and other: department × typical function.
    combos = [(d, t) for t in FEDERAL for d in federal_depts]
    rng.shuffle(combos)
    for i, ((dcode, short_ru, short_en), (ru, en, cat)) in enumerate(combos[: plan.federal]):
        q_ru, q_en = QUALIFIERS[i // len(combos) % len(QUALIFIERS)] if combos else ("", "")
        add(f"gen-f-{i:05d}", Level.FEDERAL, dcode, f"{ru} ({short_ru}){q_ru}",
            f"{en} ({short_en}){q_en}", cat, regions_=[], munis=[],
            where_ru="все регионы", where_en="all regions")  # fmt: skip
    for i in range(plan.other):
        dcode, short_ru, short_en = other_depts[i % len(other_depts)]
        ru, en, cat = FEDERAL[i % len(FEDERAL)]
        add(f"gen-o-{i:05d}", Level.OTHER, dcode, f"{ru} ({short_ru})", f"{en} ({short_en})",
            cat, regions_=[], munis=[], where_ru="все регионы", where_en="all regions")  # fmt: skip

    # Regional: spread evenly over the regions.
    per_region = _spread(plan.regional, len(regions))
    for region, count in zip(regions, per_region, strict=True):
        for i, (round_, (ru, en, cat, slug)) in zip(range(count), _cycle(REGIONAL), strict=False):
            q_ru, q_en = QUALIFIERS[round_ % len(QUALIFIERS)]
            add(f"gen-r{region.code}-{i:04d}", Level.REGIONAL,
                reference.region_department_code(region.code, slug), f"{ru}{q_ru}", f"{en}{q_en}",
                cat, regions_=[region.id], munis=[], where_ru=region.name_ru,
                where_en=region.name_en)  # fmt: skip

    # Municipal: over each region's municipalities.
    per_region = _spread(plan.municipal, len(regions))
    for region, count in zip(regions, per_region, strict=True):
        munis = municipalities.get(region.id, [])
        per_muni = _spread(count, len(munis))
        for muni, mcount in zip(munis, per_muni, strict=True):
            for i, (round_, (ru, en, cat, slug)) in zip(
                range(mcount), _cycle(MUNICIPAL), strict=False
            ):
                q_ru, q_en = QUALIFIERS[round_ % len(QUALIFIERS)]
                add(f"gen-m{muni.code}-{i:04d}", Level.MUNICIPAL,
                    reference.municipality_department_code(muni.code, slug), f"{ru}{q_ru}",
                    f"{en}{q_en}", cat, regions_=[region.id], munis=[muni.id],
                    where_ru=str(muni.name_ru), where_en=str(muni.name_en))  # fmt: skip

    Service.objects.bulk_create(services, batch_size=1000)
    through_cat = Service.categories.through
    through_reg = Service.regions.through
    through_mun = Service.municipalities.through
    through_cat.objects.bulk_create(
        [through_cat(service_id=s.id, category_id=categories[c]) for s, c, _, _ in links],
        batch_size=2000,
    )
    through_reg.objects.bulk_create(
        [through_reg(service_id=s.id, region_id=r) for s, _, rs, _ in links for r in rs],
        batch_size=2000,
    )
    through_mun.objects.bulk_create(
        [through_mun(service_id=s.id, municipality_id=m) for s, _, _, ms in links for m in ms],
        batch_size=2000,
    )
    indexed = indexing.index_all()
    return {
        "generated": len(services),
        "total": Service.objects.count(),
        "indexed": indexed,
        **{str(level): Service.objects.filter(level=level).count() for level in NATIONAL},
    }


def _spread(total: int, parts: int) -> list[int]:
    if parts <= 0:
        return []
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]

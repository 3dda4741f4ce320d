"""Small reference lists for the synthetic registries: vehicles, traffic offences,
taxes, enforcement subjects, economic activities, company names."""

from __future__ import annotations

from typing import NamedTuple

# (make, model, category, from year)
VEHICLE_MODELS: tuple[tuple[str, str, str, int], ...] = (
    ("LADA", "GRANTA", "B", 2011),
    ("LADA", "VESTA", "B", 2015),
    ("LADA", "NIVA LEGEND", "B", 1995),
    ("LADA", "LARGUS", "B", 2012),
    ("KIA", "RIO", "B", 2011),
    ("KIA", "SPORTAGE", "B", 2010),
    ("HYUNDAI", "SOLARIS", "B", 2010),
    ("HYUNDAI", "CRETA", "B", 2016),
    ("TOYOTA", "CAMRY", "B", 2006),
    ("TOYOTA", "RAV4", "B", 2006),
    ("VOLKSWAGEN", "POLO", "B", 2010),
    ("SKODA", "OCTAVIA", "B", 2008),
    ("RENAULT", "LOGAN", "B", 2005),
    ("RENAULT", "DUSTER", "B", 2012),
    ("NISSAN", "QASHQAI", "B", 2008),
    ("HAVAL", "JOLION", "B", 2021),
    ("CHERY", "TIGGO 7 PRO", "B", 2020),
    ("GEELY", "COOLRAY", "B", 2020),
    ("GAZ", "GAZELLE NEXT", "B", 2013),
    ("UAZ", "PATRIOT", "B", 2005),
    ("KAMAZ", "65115", "C", 2005),
    ("YAMAHA", "YBR125", "A", 2005),
)

COLOURS: tuple[str, ...] = (
    "белый",
    "чёрный",
    "серый",
    "серебристый",
    "синий",
    "красный",
    "зелёный",
    "коричневый",
    "бежевый",
)

# Letters allowed on Russian plates (those that look alike in Cyrillic and Latin).
PLATE_LETTERS = "АВЕКМНОРСТУХ"
# VIN alphabet: digits and Latin capitals without I, O and Q (ISO 3779).
VIN_ALPHABET = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"
# Model-year codes (position 10), a 30-year cycle from A = 1980 (so Y = 2000, 1 = 2001).
VIN_YEARS = "ABCDEFGHJKLMNPRSTVWXY123456789"
VIN_WMI: tuple[str, ...] = ("XTA", "Z94", "XW8", "KNA", "JTN", "WVW", "TMB", "X7L", "LVV", "X96")


class Offence(NamedTuple):
    article: str  # article of the Code of Administrative Offences (KoAP RF)
    description: str
    amount: int  # roubles
    discountable: bool  # half price when paid within 20 days (KoAP art. 32.2 p. 1.3)


OFFENCES: tuple[Offence, ...] = (
    Offence("12.9 ч.2", "Превышение скорости на 20–40 км/ч", 750, True),
    Offence("12.9 ч.3", "Превышение скорости на 40–60 км/ч", 1500, True),
    Offence("12.9 ч.4", "Превышение скорости на 60–80 км/ч", 2000, True),
    Offence("12.12 ч.1", "Проезд на запрещающий сигнал светофора", 1000, True),
    Offence("12.16 ч.1", "Несоблюдение требований дорожных знаков или разметки", 500, True),
    Offence("12.16 ч.4", "Нарушение правил остановки или стоянки", 1500, True),
    Offence("12.6", "Непристёгнутый ремень безопасности", 1000, True),
    Offence("12.18", "Непредоставление преимущества пешеходам", 1500, True),
    Offence("12.37 ч.2", "Отсутствие полиса ОСАГО", 800, True),
    Offence("12.15 ч.4", "Выезд на полосу встречного движения", 7500, False),
)
# Division that issued camera fines (CAFAP) by default.
FINE_DIVISION = "ЦАФАП ОДД ГИБДД"


class TaxKind(NamedTuple):
    code: str
    title: str
    kbk: str  # budget classification code the payment goes to


TAX_KINDS: tuple[TaxKind, ...] = (
    TaxKind("transport", "Транспортный налог", "18210604012021000110"),
    TaxKind("property", "Налог на имущество физических лиц", "18210601020041000110"),
    TaxKind("land", "Земельный налог", "18210606042041000110"),
    TaxKind("income", "Налог на доходы физических лиц", "18210102010011000110"),
)

# Enforcement subjects (what the debt is), as the bailiffs' data bank words them.
FSSP_SUBJECTS: tuple[str, ...] = (
    "Задолженность по кредитным платежам (кроме ипотеки)",
    "Задолженность по платежам за жилую площадь, коммунальные платежи",
    "Налог, взнос, пени как вид сбора",
    "Штраф ГИБДД",
    "Алименты",
    "Иные взыскания имущественного характера в пользу физических и юридических лиц",
)
FSSP_DOCUMENTS: tuple[str, ...] = (
    "Судебный приказ",
    "Исполнительный лист",
    "Постановление по делу об административном правонарушении",
    "Акт органа, осуществляющего контрольные функции",
)

# OKVED 2 codes (code, title) used for organisations and entrepreneurs.
OKVED: tuple[tuple[str, str], ...] = (
    (
        "47.11",
        "Торговля розничная преимущественно пищевыми продуктами в неспециализированных магазинах",
    ),
    ("47.91", "Торговля розничная по почте или по информационно-коммуникационной сети Интернет"),
    ("62.01", "Разработка компьютерного программного обеспечения"),
    ("62.02", "Деятельность консультативная и работы в области компьютерных технологий"),
    ("41.20", "Строительство жилых и нежилых зданий"),
    ("49.41", "Деятельность автомобильного грузового транспорта"),
    ("56.10", "Деятельность ресторанов и услуги по доставке продуктов питания"),
    ("68.20", "Аренда и управление собственным или арендованным недвижимым имуществом"),
    ("69.20", "Деятельность по оказанию услуг в области бухгалтерского учёта"),
    (
        "71.12",
        "Деятельность в области инженерных изысканий и инженерно-технического проектирования",
    ),
    ("85.41", "Образование дополнительное детей и взрослых"),
    ("86.23", "Стоматологическая практика"),
    ("95.11", "Ремонт компьютеров и периферийного компьютерного оборудования"),
    ("96.02", "Предоставление услуг парикмахерскими и салонами красоты"),
    ("10.71", "Производство хлеба и хлебобулочных изделий недлительного хранения"),
    ("45.20", "Техническое обслуживание и ремонт автотранспортных средств"),
)

# (short form, full form) of legal entities.
LEGAL_FORMS: tuple[tuple[str, str], ...] = (
    ("ООО", "Общество с ограниченной ответственностью"),
    ("ООО", "Общество с ограниченной ответственностью"),
    ("ООО", "Общество с ограниченной ответственностью"),
    ("АО", "Акционерное общество"),
    ("ПАО", "Публичное акционерное общество"),
)
COMPANY_WORDS: tuple[str, ...] = (
    "Вектор",
    "Альфа",
    "Меридиан",
    "Горизонт",
    "Северный ветер",
    "Технопарк",
    "Стройресурс",
    "Профит",
    "Гармония",
    "Импульс",
    "Кристалл",
    "Магистраль",
    "Радуга",
    "Спектр",
    "Лидер",
    "Орион",
    "Эталон",
    "Сфера",
    "Квант",
    "Волна",
)
COMPANY_SUFFIXES: tuple[str, ...] = (
    "",
    "-Сервис",
    "-Строй",
    "-Трейд",
    "-Софт",
    " Плюс",
    "-Логистик",
    " Групп",
)
HEAD_POSITIONS: tuple[str, ...] = ("Генеральный директор", "Директор", "Президент")

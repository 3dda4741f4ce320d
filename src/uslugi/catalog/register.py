"""The register's exchange format (JSON; the hand-written catalogue uses the same shape
in YAML): validation that names each problem's record and field, snapshots for the
change history and export, and applying records to the database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from uslugi.catalog.constants import (
    APPLICANT_FIELDS,
    TEXT_LANGUAGES,
    AccountLevel,
    Availability,
    Level,
    Status,
)
from uslugi.catalog.models import (
    Category,
    Department,
    Municipality,
    Region,
    RequiredDocument,
    Service,
    ServiceVariant,
)

FORMAT = "uslugi-register"
FORMAT_VERSION = 1
ALL_CAPITALS = "all-capitals"  # shorthand: the administrative centre of every region

_CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
CHANNELS = {
    "online": "channel_online",
    "service_centre": "channel_service_centre",
    "office": "channel_office",
}
TEXT_FIELDS = {  # register key -> model field base, max length (None: no limit)
    "title": ("title", 300),
    "short_title": ("short_title", 120),
    "description": ("description", None),
    "result": ("result", None),
    "keywords": ("keywords", None),
    "appeal": ("appeal", None),
}
LIST_TEXT_FIELDS = {"refusal_grounds": "refusal_grounds", "legal_basis": "legal_basis"}
KNOWN_KEYS = {
    "code", "status", "level", "department", "categories", "applicants", "availability",
    "regions", "municipalities", "channels", "online_form_code", "account_level", "fee",
    "term", "documents", "variants", "popularity", *TEXT_FIELDS, *LIST_TEXT_FIELDS,
}  # fmt: skip

DEFAULT_APPEAL = {
    "ru": (
        "Решения и действия (бездействие) органа, предоставляющего услугу, и его должностных "
        "лиц можно обжаловать в досудебном порядке: жалобой руководителю органа, через "
        "портал или центр госуслуг (глава 2.1 Федерального закона от 27.07.2010 № 210-ФЗ), "
        "а также в суде."
    ),
    "en": (
        "Decisions, actions and inaction of the providing body and its officials may be "
        "appealed before going to court: by a complaint to the head of the body, through the "
        "portal or a service centre (chapter 2.1 of Federal Law No. 210-FZ of 27.07.2010), "
        "and in court."
    ),
}


@dataclass
class References:
    """Codes a record may refer to, read once per import."""

    departments: dict[str, Any]
    categories: dict[str, Any]
    regions: dict[str, Any]
    municipalities: dict[str, tuple[Any, Any]]  # code -> (id, region id)

    @classmethod
    def load(cls) -> References:
        return cls(
            departments=dict(Department.objects.values_list("code", "id")),
            categories=dict(Category.objects.values_list("slug", "id")),
            regions=dict(Region.objects.values_list("code", "id")),
            municipalities={
                code: (mid, rid)
                for code, mid, rid in Municipality.objects.values_list("code", "id", "region_id")
            },
        )


@dataclass
class Record:
    """A validated record, ready to be written."""

    code: str
    fields: dict[str, Any]
    categories: list[Any]
    regions: list[Any]
    municipalities: list[Any]
    documents: list[dict[str, Any]]
    variants: list[dict[str, Any]]
    snapshot: dict[str, Any]


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, index: int, code: object, path: str, message: str) -> None:
        label = f"record {index}" + (f" ({code})" if isinstance(code, str) and code else "")
        self.items.append(f"{label}: field {path!r}: {message}")


def _texts(value: Any) -> dict[str, str]:
    if isinstance(value, str):
        return {"ru": value}
    return dict(value) if isinstance(value, Mapping) else {}


def validate(
    records: Any, refs: References, *, max_problems: int = 200
) -> tuple[list[Record], list[str]]:
    """Check every record; return the records and a list of problems (empty when valid)."""
    problems = Problems()
    if not isinstance(records, list):
        return [], ["the file must hold a list of services under 'services'"]
    out: list[Record] = []
    seen: set[str] = set()
    for index, raw in enumerate(records, 1):
        if len(problems.items) >= max_problems:
            problems.items.append("… too many problems; the first ones are listed")
            break
        if not isinstance(raw, Mapping):
            problems.items.append(f"record {index}: must be an object")
            continue
        record = _validate_one(index, raw, refs, problems)
        if record is None:
            continue
        if record.code in seen:
            problems.add(index, record.code, "code", "appears twice in the file")
            continue
        seen.add(record.code)
        out.append(record)
    return out, problems.items


def _choice(value: Any, choices: type[Any], default: str) -> str | None:
    value = default if value is None else value
    return value if value in choices.values else None


def _validate_one(  # noqa: PLR0912, PLR0915 - one flat pass over the format reads best
    index: int, raw: Mapping[str, Any], refs: References, problems: Problems
) -> Record | None:
    start = len(problems.items)
    code = raw.get("code")

    def bad(path: str, message: str) -> None:
        problems.add(index, code, path, message)

    if not isinstance(code, str) or not _CODE_RE.match(code):
        bad("code", "is required: lower-case Latin letters, digits and hyphens, up to 64")
    for key in raw:
        if key not in KNOWN_KEYS:
            bad(str(key), "is not a field of the register format")
    fields: dict[str, Any] = {"code": code}
    for key, choices, default, target in (
        ("status", Status, Status.PUBLISHED, "status"),
        ("level", Level, "", "level"),
        ("availability", Availability, Availability.ALL_REGIONS, "availability"),
        ("account_level", AccountLevel, AccountLevel.STANDARD, "account_level"),
    ):
        value = _choice(raw.get(key), choices, default)
        if not value:
            bad(key, f"must be one of {', '.join(choices.values)}")
        fields[target] = value
    department = refs.departments.get(raw.get("department"))  # type: ignore[arg-type]
    if department is None:
        bad("department", f"unknown department code {raw.get('department')!r}")
    fields["department_id"] = department

    for key, (base, limit) in TEXT_FIELDS.items():
        texts = _texts(raw.get(key))
        if raw.get(key) is not None and not isinstance(raw.get(key), (str, Mapping)):
            bad(key, 'must be an object of texts by language: {"ru": ..., "en": ...}')
        for lang in texts:
            if lang not in TEXT_LANGUAGES:
                bad(f"{key}.{lang}", f"language must be one of {', '.join(TEXT_LANGUAGES)}")
        for lang in TEXT_LANGUAGES:
            value = texts.get(lang) or ""
            if not isinstance(value, str):
                bad(f"{key}.{lang}", "must be text")
                value = ""
            if limit and len(value) > limit:
                bad(f"{key}.{lang}", f"is longer than {limit} characters")
            fields[f"{base}_{lang}"] = value.strip()
    if not fields.get("title_ru"):
        bad("title.ru", "is required")
    if not fields.get("appeal_ru"):
        for lang in TEXT_LANGUAGES:
            fields[f"appeal_{lang}"] = DEFAULT_APPEAL[lang]
    for key, base in LIST_TEXT_FIELDS.items():
        texts = raw.get(key) or {}
        if not isinstance(texts, Mapping):
            bad(key, "must be an object of lists of lines by language")
            texts = {}
        for lang in TEXT_LANGUAGES:
            lines: Any = texts.get(lang) or []
            if isinstance(lines, str):
                lines = [lines]
            if not isinstance(lines, list) or not all(isinstance(x, str) for x in lines):
                bad(f"{key}.{lang}", "must be a list of text lines")
                lines = []
            fields[f"{base}_{lang}"] = "\n".join(x.strip() for x in lines if x.strip())

    categories = []
    for i, slug in enumerate(_list(raw, "categories", bad)):
        if slug not in refs.categories:
            bad(f"categories[{i}]", f"unknown category {slug!r}")
        else:
            categories.append(refs.categories[slug])

    applicants = _list(raw, "applicants", bad) if "applicants" in raw else ["individuals"]
    for i, name in enumerate(applicants):
        if name not in APPLICANT_FIELDS:
            bad(f"applicants[{i}]", f"must be one of {', '.join(APPLICANT_FIELDS)}")
    if not applicants:
        bad("applicants", "name at least one kind of applicant")
    for name, target in APPLICANT_FIELDS.items():
        fields[target] = name in applicants

    channels = _list(raw, "channels", bad) if "channels" in raw else ["office"]
    for i, name in enumerate(channels):
        if name not in CHANNELS:
            bad(f"channels[{i}]", f"must be one of {', '.join(CHANNELS)}")
    if not channels:
        bad("channels", "name at least one way to apply")
    for name, target in CHANNELS.items():
        fields[target] = name in channels

    form_code = raw.get("online_form_code") or ""
    if form_code and (not isinstance(form_code, str) or not _CODE_RE.match(form_code)):
        bad("online_form_code", "must be a code like 'foreign-passport'")
    if form_code and "online" not in channels:
        bad("online_form_code", "needs the 'online' channel")
    fields["online_form_code"] = form_code if isinstance(form_code, str) else ""

    region_ids: list[Any] = []
    municipality_ids: list[Any] = []
    region_codes = _list(raw, "regions", bad)
    for i, rcode in enumerate(region_codes):
        if str(rcode) not in refs.regions:
            bad(f"regions[{i}]", f"unknown region code {rcode!r}")
        else:
            region_ids.append(refs.regions[str(rcode)])
    muni_value = raw.get("municipalities")
    muni_codes: list[Any]
    if muni_value == ALL_CAPITALS:
        muni_codes = sorted(c for c in refs.municipalities if c.endswith("-001"))
    else:
        muni_codes = _list(raw, "municipalities", bad)
    for i, mcode in enumerate(muni_codes):
        if str(mcode) not in refs.municipalities:
            bad(f"municipalities[{i}]", f"unknown municipality code {mcode!r}")
        else:
            mid, rid = refs.municipalities[str(mcode)]
            municipality_ids.append(mid)
            if rid not in region_ids:
                region_ids.append(rid)  # regions list the municipalities' regions too
    availability = fields["availability"]
    if availability == Availability.REGIONS and not region_codes:
        bad("regions", "list the regions where the service is available")
    if availability == Availability.MUNICIPALITIES and not muni_codes:
        bad("municipalities", "list the municipalities where the service is available")
    if availability == Availability.ALL_REGIONS and (region_codes or muni_codes):
        bad("availability", "is 'all' but regions or municipalities are listed")
    if availability == Availability.REGIONS and muni_codes:
        bad("municipalities", "are listed but availability is 'regions'")

    fee = raw.get("fee") or {}
    fields["fee_amount"] = None
    if not isinstance(fee, Mapping):
        bad("fee", 'must be an object: {"amount": "2000.00", "note": {...}}')
        fee = {}
    if fee.get("amount") not in (None, ""):
        try:
            amount = Decimal(str(fee["amount"]))
            if amount < 0 or amount >= Decimal("1e8") or amount.as_tuple().exponent < -2:  # type: ignore[operator]
                raise InvalidOperation
            fields["fee_amount"] = amount
        except (InvalidOperation, ValueError):
            bad("fee.amount", 'must be an amount in roubles, e.g. "2000.00", or null')
    for lang in TEXT_LANGUAGES:
        fields[f"fee_note_{lang}"] = str(_texts(fee.get("note")).get(lang) or "")
    term = raw.get("term") or {}
    fields["term_days"] = None
    if not isinstance(term, Mapping):
        bad("term", 'must be an object: {"days": 30, "note": {...}}')
        term = {}
    if term.get("days") is not None:
        if not isinstance(term["days"], int) or isinstance(term["days"], bool) or term["days"] < 0:
            bad("term.days", "must be a whole number of working days, 0 or more")
        else:
            fields["term_days"] = term["days"]
    for lang in TEXT_LANGUAGES:
        fields[f"term_note_{lang}"] = str(_texts(term.get("note")).get(lang) or "")
    popularity = raw.get("popularity", 0)
    if not isinstance(popularity, int) or isinstance(popularity, bool) or popularity < 0:
        bad("popularity", "must be a whole number, 0 or more")
        popularity = 0
    fields["popularity"] = popularity

    documents = []
    for i, doc in enumerate(_list(raw, "documents", bad)):
        title = _texts(doc.get("title")) if isinstance(doc, Mapping) else {}
        if not title.get("ru"):
            bad(f"documents[{i}].title.ru", "is required")
            continue
        documents.append(
            {
                "order": i,
                "title_ru": str(title.get("ru", ""))[:300],
                "title_en": str(title.get("en", ""))[:300],
                "note_ru": str(_texts(doc.get("note")).get("ru") or "")[:300],
                "note_en": str(_texts(doc.get("note")).get("en") or "")[:300],
                "obtained_by_agency": bool(doc.get("obtained_by_agency", False)),
            }
        )
    variants = []
    variant_codes: set[str] = set()
    for i, var in enumerate(_list(raw, "variants", bad)):
        if not isinstance(var, Mapping):
            bad(f"variants[{i}]", "must be an object")
            continue
        vcode = var.get("code")
        if not isinstance(vcode, str) or not _CODE_RE.match(vcode) or vcode in variant_codes:
            bad(f"variants[{i}].code", "is required, a unique code within the service")
            continue
        variant_codes.add(vcode)
        title = _texts(var.get("title"))
        if not title.get("ru"):
            bad(f"variants[{i}].title.ru", "is required")
            continue
        description = _texts(var.get("description"))
        variants.append(
            {
                "code": vcode,
                "order": i,
                "title_ru": str(title["ru"])[:300],
                "title_en": str(title.get("en", ""))[:300],
                "description_ru": str(description.get("ru", "")),
                "description_en": str(description.get("en", "")),
                "online_form_code": str(var.get("online_form_code") or ""),
            }
        )
    if len(problems.items) > start:
        return None
    return Record(
        code=str(code),
        fields=fields,
        categories=categories,
        regions=region_ids,
        municipalities=municipality_ids,
        documents=documents,
        variants=variants,
        snapshot={},
    )


def _list(raw: Mapping[str, Any], key: str, bad: Any) -> list[Any]:
    value = raw.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        bad(key, "must be a list")
        return []
    return value


# --- Snapshots (history, export) -----------------------------------------------------------


def _pair(obj: Any, base: str) -> dict[str, str]:
    return {lang: getattr(obj, f"{base}_{lang}") for lang in TEXT_LANGUAGES}


def snapshot(service: Service) -> dict[str, Any]:
    """A service in the register format (what export writes and history stores)."""
    data: dict[str, Any] = {
        "code": service.code,
        "status": service.status,
        "level": service.level,
        "department": service.department.code,
        "categories": sorted(c.slug for c in service.categories.all()),
    }
    for key, (base, _limit) in TEXT_FIELDS.items():
        data[key] = _pair(service, base)
    for key, base in LIST_TEXT_FIELDS.items():
        data[key] = {
            lang: [x for x in getattr(service, f"{base}_{lang}").splitlines() if x.strip()]
            for lang in TEXT_LANGUAGES
        }
    data["applicants"] = [k for k, f in APPLICANT_FIELDS.items() if getattr(service, f)]
    data["availability"] = service.availability
    municipalities = sorted(m.code for m in service.municipalities.all())
    data["municipalities"] = municipalities
    data["regions"] = (
        []
        if service.availability == Availability.MUNICIPALITIES
        else sorted(r.code for r in service.regions.all())
    )
    data["channels"] = [k for k, f in CHANNELS.items() if getattr(service, f)]
    data["online_form_code"] = service.online_form_code
    data["account_level"] = service.account_level
    data["fee"] = {
        "amount": None if service.fee_amount is None else f"{service.fee_amount:.2f}",
        "note": _pair(service, "fee_note"),
    }
    data["term"] = {"days": service.term_days, "note": _pair(service, "term_note")}
    data["documents"] = [
        {
            "title": _pair(d, "title"),
            "note": _pair(d, "note"),
            "obtained_by_agency": d.obtained_by_agency,
        }
        for d in service.documents.all()
    ]
    data["variants"] = [
        {
            "code": v.code,
            "title": _pair(v, "title"),
            "description": _pair(v, "description"),
            "online_form_code": v.online_form_code,
        }
        for v in service.variants.all()
    ]
    data["popularity"] = service.popularity
    return data


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The fields that differ between two snapshots, with both values."""
    if before is None:
        return [{"field": "*", "before": None, "after": "created"}]
    return [
        {"field": key, "before": before.get(key), "after": after.get(key)}
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    ]


def services_for_snapshot(ids: Iterable[Any] | None = None) -> Sequence[Service]:
    qs = Service.objects.select_related("department").prefetch_related(
        "categories", "regions", "municipalities", "documents", "variants"
    )
    if ids is not None:
        qs = qs.filter(id__in=list(ids))
    return list(qs.order_by("code"))


# --- Writing -----------------------------------------------------------------------------


def write_record(record: Record, existing: Service | None) -> Service:
    """Create or update one service and its children from a validated record."""
    service = existing or Service(code=record.code)
    for name, value in record.fields.items():
        setattr(service, name, value)
    service.save()
    service.categories.set(record.categories)
    service.regions.set(record.regions)
    service.municipalities.set(record.municipalities)
    service.documents.all().delete()
    RequiredDocument.objects.bulk_create(
        [RequiredDocument(service=service, **d) for d in record.documents]
    )
    service.variants.all().delete()
    ServiceVariant.objects.bulk_create(
        [ServiceVariant(service=service, **v) for v in record.variants]
    )
    return service

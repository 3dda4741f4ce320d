"""Building the search index: one document of analysed terms per service, and the
vocabulary with document counts (for term weights and typo correction)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import F

from uslugi.catalog.constants import Status
from uslugi.catalog.models import SearchDocument, SearchTerm, Service
from uslugi.catalog.search.analysis import analyse_document
from uslugi.catalog.search.engine import DOC_COUNT_TERM, POPULARITY_SCALE

CHUNK = 1000


def _join(*parts: object) -> str:
    return " ".join(str(p) for p in parts if p)


def document_for(service: Service) -> SearchDocument:
    """The search document of a service (department, categories and variants prefetched)."""
    department = service.department
    departments = [department, *([department.parent] if department.parent_id else [])]
    dept_text = _join(
        *(
            _join(d.name_ru, d.name_en, d.short_name_ru, d.short_name_en)
            for d in departments
            if d is not None
        )
    )
    categories = _join(*(_join(c.name_ru, c.name_en) for c in service.categories.all()))
    variants = _join(*(_join(v.title_ru, v.title_en) for v in service.variants.all()))
    return SearchDocument(
        service=service,
        published=service.status == Status.PUBLISHED,
        boost=1 + math.log1p(service.popularity) / math.log1p(POPULARITY_SCALE),
        title_ru_terms=" ".join(analyse_document(_join(service.title_ru, service.short_title_ru))),
        title_en_terms=" ".join(analyse_document(_join(service.title_en, service.short_title_en))),
        keyword_terms=" ".join(
            analyse_document(_join(service.keywords_ru, service.keywords_en, variants))
        ),
        body_terms=" ".join(
            analyse_document(
                _join(
                    service.description_ru,
                    service.description_en,
                    service.result_ru,
                    service.result_en,
                    dept_text,
                    categories,
                )
            )
        ),
    )


def _terms(doc: SearchDocument) -> set[str]:
    return {
        *doc.title_ru_terms.split(),
        *doc.title_en_terms.split(),
        *doc.keyword_terms.split(),
        *doc.body_terms.split(),
    }


def _services(ids: Sequence[Any]) -> Iterable[Service]:
    return (
        Service.objects.filter(id__in=ids)
        .select_related("department__parent")
        .prefetch_related("categories", "variants")
    )


@transaction.atomic
def index_all() -> int:
    """Rebuild every document and the vocabulary (after loading or generating the register)."""
    SearchDocument.objects.all().delete()
    ids = list(Service.objects.order_by("id").values_list("id", flat=True))
    counts: Counter[str] = Counter()
    for start in range(0, len(ids), CHUNK):
        docs = [document_for(s) for s in _services(ids[start : start + CHUNK])]
        for doc in docs:
            counts.update(_terms(doc))
        SearchDocument.objects.bulk_create(docs, batch_size=500)
    SearchTerm.objects.all().delete()
    counts[DOC_COUNT_TERM] = len(ids)
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=term[:64], doc_count=n) for term, n in counts.items()], batch_size=2000
    )
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner guesses wrong on a just-filled index.
        with connection.cursor() as cursor:
            for table in (SearchDocument, SearchTerm, Service):
                cursor.execute(f"ANALYZE {table._meta.db_table}")
    return len(ids)


@transaction.atomic
def index_service(service_id: Any) -> None:
    """Re-index one service and adjust the vocabulary's counts by the difference."""
    old = SearchDocument.objects.filter(service_id=service_id).first()
    old_terms = _terms(old) if old else set()
    if old:
        old.delete()
    new_terms: set[str] = set()
    for service in _services([service_id]):
        doc = document_for(service)
        doc.save()
        new_terms = _terms(doc)
    _adjust(added=new_terms - old_terms, removed=old_terms - new_terms)
    delta = (1 if new_terms else 0) - (1 if old else 0)
    if delta:
        _adjust_count(DOC_COUNT_TERM, delta)


def _adjust_count(term: str, delta: int) -> None:
    updated = SearchTerm.objects.filter(term=term).update(doc_count=F("doc_count") + delta)
    if not updated and delta > 0:
        SearchTerm.objects.create(term=term, doc_count=delta)


def _adjust(*, added: set[str], removed: set[str]) -> None:
    if added:
        SearchTerm.objects.filter(term__in=added).update(doc_count=F("doc_count") + 1)
        existing = set(SearchTerm.objects.filter(term__in=added).values_list("term", flat=True))
        SearchTerm.objects.bulk_create(
            [SearchTerm(term=t[:64], doc_count=1) for t in added - existing],
            ignore_conflicts=True,
        )
    if removed:
        SearchTerm.objects.filter(term__in=removed, doc_count__gt=0).update(
            doc_count=F("doc_count") - 1
        )

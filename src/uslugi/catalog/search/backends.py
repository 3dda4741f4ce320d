# ruff: noqa: S608 - SQL is assembled from constant table names and fixed clauses; every
# value (terms are also checked against [0-9a-zа-я]+) is passed as a parameter.
"""The database half of search: candidate documents from the full-text index, known
terms and typo candidates from the vocabulary. PostgreSQL uses tsvector/GIN and pg_trgm;
SQLite uses FTS5 (unicode61 for documents, trigram for the vocabulary). Both take the same
analysed terms and the same filters, and return candidates for the Python ranking."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from uslugi.catalog.constants import Availability
from uslugi.catalog.models import SearchTerm, Service
from uslugi.catalog.search.schema import DOC_TABLE, FTS_TABLE, TERM_FTS_TABLE, TERM_TABLE

_SAFE_TERM = re.compile(r"[0-9a-zа-я]+")
# Trigram candidates below this pg_trgm similarity are not looked at; the final choice
# is made in Python by edit distance, so this only bounds the candidate set.
TRIGRAM_FLOOR = 0.2
TYPO_CANDIDATES = 60


@dataclass(frozen=True)
class Filters:
    """What narrows a search: all optional."""

    category_id: Any = None
    department_ids: Sequence[Any] = ()
    level: str = ""
    online_only: bool = False
    region_id: Any = None  # only services available in this region
    include_unpublished: bool = False


@dataclass
class Candidate:
    doc_id: int
    service_id: Any
    db_rank: float


@dataclass
class _Sql:
    joins: list[str] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)


def _uuid(value: Any) -> Any:
    return Service._meta.pk.get_db_prep_value(value, connection)


def _filter_sql(filters: Filters) -> _Sql:
    sql = _Sql()
    if not filters.include_unpublished:
        sql.where.append("d.published = %s")
        sql.params.append(True)
    if not (
        filters.level or filters.department_ids or filters.online_only
        or filters.category_id is not None or filters.region_id is not None
    ):  # fmt: skip
        return sql
    sql.joins.append("JOIN catalog_service s ON s.id = d.service_id")
    if filters.level:
        sql.where.append("s.level = %s")
        sql.params.append(filters.level)
    if filters.department_ids:
        marks = ", ".join(["%s"] * len(filters.department_ids))
        sql.where.append(f"s.department_id IN ({marks})")
        sql.params.extend(_uuid(i) for i in filters.department_ids)
    if filters.online_only:
        sql.where.append("s.channel_online = %s AND s.online_form_code <> ''")
        sql.params.append(True)
    if filters.category_id is not None:
        sql.where.append(
            "EXISTS (SELECT 1 FROM catalog_service_categories c "
            "WHERE c.service_id = s.id AND c.category_id = %s)"
        )
        sql.params.append(_uuid(filters.category_id))
    if filters.region_id is not None:
        sql.where.append(
            "(s.availability = %s OR EXISTS (SELECT 1 FROM catalog_service_regions r "
            "WHERE r.service_id = s.id AND r.region_id = %s))"
        )
        sql.params.extend([Availability.ALL_REGIONS.value, _uuid(filters.region_id)])
    return sql


def _check(terms: Sequence[str]) -> None:
    for term in terms:
        if not _SAFE_TERM.fullmatch(term):
            raise ValueError(f"unsafe search term {term!r}")


def document_candidates(
    terms: Sequence[str],
    *,
    prefix_terms: Sequence[str] = (),
    filters: Filters,
    limit: int,
    require_all: bool = False,
    titles_only: bool = False,
) -> list[Candidate]:
    """Documents containing any of the terms (all of them with `require_all`; in their
    titles only with `titles_only`), or a word starting with a prefix term, best first by
    the database's own text rank."""
    _check([*terms, *prefix_terms])
    if not terms and not prefix_terms:
        return []
    sql = _filter_sql(filters)
    if connection.vendor == "postgresql":
        joiner = " & " if require_all else " | "
        query = joiner.join([*(f"'{t}'" for t in terms), *(f"'{t}':*" for t in prefix_terms)])
        vector = "d.tsv_title" if titles_only else "d.tsv"
        where = [f"{vector} @@ to_tsquery('simple', %s)", *sql.where]
        statement = (
            f"SELECT d.id, d.service_id, ts_rank({vector}, to_tsquery('simple', %s)) * d.boost "
            "AS rank "
            f"FROM {DOC_TABLE} d {' '.join(sql.joins)} WHERE {' AND '.join(where)} "
            f"ORDER BY rank DESC, d.id LIMIT %s"
        )
        params = [query, query, *sql.params, limit]
    elif connection.vendor == "sqlite":
        joiner = " AND " if require_all else " OR "
        query = joiner.join([*(f'"{t}"' for t in terms), *(f'"{t}"*' for t in prefix_terms)])
        if titles_only:
            query = "{title_ru_terms title_en_terms} : (" + query + ")"
        where = [f"{FTS_TABLE} MATCH %s", *sql.where]
        # Column weights: the titles count most, then keywords, then the body.
        statement = (
            f"SELECT d.id, d.service_id, -bm25({FTS_TABLE}, 10.0, 10.0, 4.0, 1.0) * d.boost "
            "AS rank "
            f"FROM {FTS_TABLE} f JOIN {DOC_TABLE} d ON d.id = f.rowid "
            f"{' '.join(sql.joins)} WHERE {' AND '.join(where)} "
            f"ORDER BY rank DESC, d.id LIMIT %s"
        )
        params = [query, *sql.params, limit]
    else:  # pragma: no cover - the settings allow only these two
        raise ImproperlyConfigured(f"service search does not support {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    field = Service._meta.pk
    return [
        Candidate(
            doc_id=int(doc_id),
            service_id=field.to_python(service_id),
            db_rank=float(rank),
        )
        for doc_id, service_id, rank in rows
    ]


def known_terms(terms: Sequence[str]) -> dict[str, int]:
    """The document counts of those terms that are in the vocabulary."""
    if not terms:
        return {}
    return dict(SearchTerm.objects.filter(term__in=set(terms)).values_list("term", "doc_count"))


def prefix_candidates(token: str) -> dict[str, int]:
    """Vocabulary terms sharing the token's first two letters (a b-tree range): they catch
    swapped letters in short words, which trigrams miss ("штарф" shares no inner trigram
    with "штраф")."""
    _check([token])
    if len(token) < 3:
        return {}
    low, high = token[:2], token[:2] + "\uffff"
    near = SearchTerm.objects.filter(term__gte=low, term__lt=high).values_list("term", "doc_count")
    return dict(near[:400])


def trigram_candidates(token: str) -> dict[str, int]:
    """Vocabulary terms sharing trigrams with the token, from the database's trigram
    index (pg_trgm; SQLite FTS5 trigram)."""
    _check([token])
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_limit(%s)", [TRIGRAM_FLOOR])
            cursor.execute(
                f"SELECT term, doc_count FROM {TERM_TABLE} WHERE lower(term) %% %s "
                f"ORDER BY similarity(lower(term), %s) DESC LIMIT %s",
                [token, token, TYPO_CANDIDATES],
            )
            found.update(cursor.fetchall())
        elif connection.vendor == "sqlite" and len(token) >= 3:
            grams = {token[i : i + 3] for i in range(len(token) - 2)}
            cursor.execute(
                f"SELECT t.term, t.doc_count FROM {TERM_FTS_TABLE} f "
                f"JOIN {TERM_TABLE} t ON t.id = f.rowid WHERE {TERM_FTS_TABLE} MATCH %s "
                f"ORDER BY rank LIMIT %s",
                [" OR ".join(f'"{g}"' for g in sorted(grams)), TYPO_CANDIDATES],
            )
            found.update(cursor.fetchall())
    return found

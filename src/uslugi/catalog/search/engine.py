"""Query planning and ranking, the same on every database.

A query is analysed like the documents (stems, synonym tokens); words the vocabulary does
not know are corrected to the nearest known term by edit distance (candidates come from
the database's trigram index); the database returns candidate documents; Python scores
them by weighted field matches (titles > keywords > body, each term weighted by its
rarity), completeness, how much of the title the query covers, popularity and whether
the service is available in the person's region."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from uslugi.catalog.constants import Availability
from uslugi.catalog.search import analysis, backends
from uslugi.catalog.search.backends import Filters

# The vocabulary row that holds the number of indexed documents (no term is empty).
DOC_COUNT_TERM = ""
CANDIDATES = 200
MIN_CANDIDATES = 20
# A term in more than this share of documents does not find candidates on its own.
COMMON_SHARE = 0.01
POPULARITY_SCALE = 2_000_000  # the most popular services have ~1.6 M applications a year

# Score weights (sum of the positive parts is 1).
W_TEXT = 0.55
W_COMPLETE = 0.15
W_TITLE_COVER = 0.12
W_POPULARITY = 0.12
W_REGION = 0.06
REGION_UNAVAILABLE_PENALTY = 0.25
NO_REGION_LOCAL_PENALTY = 0.04

FIELD_TITLE, FIELD_KEYWORDS, FIELD_BODY = 1.0, 0.75, 0.4


@dataclass
class QueryPlan:
    text: str
    terms: list[str]
    prefix: str = ""  # the last word's stem when it may be unfinished (suggestions)
    corrections: dict[str, str] = field(default_factory=dict)
    idf: dict[str, float] = field(default_factory=dict)
    df: dict[str, int] = field(default_factory=dict)
    total_docs: int = 1

    @property
    def empty(self) -> bool:
        return not self.terms and not self.prefix


def osa_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (Levenshtein with adjacent swaps), or limit + 1
    as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = 0 if ca == cb else 1
            value = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                value = min(value, previous2[j - 2] + 1)
            current[j] = value
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def _max_typos(token: str) -> int:
    return 1 if len(token) <= 5 else 2


def correct(token: str, candidates: dict[str, int]) -> str | None:
    """The known term nearest to a misspelt token (ties: the more common), if near enough."""
    limit = _max_typos(token)
    best: tuple[int, int, str] | None = None
    for term, count in candidates.items():
        if not term:
            continue
        distance = osa_distance(token, term, limit)
        if distance <= limit:
            key = (distance, -count, term)
            if best is None or key < best:
                best = key
    return best[2] if best else None


def _dedupe(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def plan_query(text: str, *, suggest: bool = False) -> QueryPlan:
    """Analyse a query: stems, typo corrections, synonyms folded, term weights."""
    synonyms = analysis.synonyms()
    raw = analysis.stems(text)
    prefix = ""
    if suggest and raw and not text[-1:].isspace():
        prefix = raw[-1]
    counts = backends.known_terms([*raw, DOC_COUNT_TERM])
    corrections: dict[str, str] = {}
    fixed: list[str] = []
    for token in raw:
        if token in counts or token in synonyms.known_stems or token.isdigit() or len(token) < 3:
            fixed.append(token)
            continue
        # Cheap candidates first: known words with the same first letters, and synonym
        # phrases' words (known even when no document uses them); the trigram index
        # only when those give nothing one edit away.
        candidates = backends.prefix_candidates(token)
        for known in synonyms.known_stems:
            if abs(len(known) - len(token)) <= 2:
                candidates.setdefault(known, 0)
        replacement = correct(token, candidates)
        if replacement is None or osa_distance(token, replacement, 2) > 1:
            candidates.update(backends.trigram_candidates(token))
            replacement = correct(token, candidates)
        if replacement is None:
            fixed.append(token)
        else:
            corrections[token] = replacement
            fixed.append(replacement)
    terms = _dedupe(synonyms.fold(fixed))
    if prefix and (prefix in corrections or prefix in counts or prefix in synonyms.known_stems):
        prefix = ""  # a complete known word: no need to treat it as a prefix
    if prefix and terms and terms[-1] == prefix:
        terms = terms[:-1]
    counts.update(backends.known_terms([t for t in terms if t not in counts]))
    total_docs = max(counts.get(DOC_COUNT_TERM, 0), 1)
    idf = {
        t: math.log(1 + (total_docs - counts.get(t, 0) + 0.5) / (counts.get(t, 0) + 0.5))
        for t in terms
    }
    return QueryPlan(
        text=text,
        terms=terms,
        prefix=prefix,
        corrections=corrections,
        idf=idf,
        df={t: counts.get(t, 0) for t in terms},
        total_docs=total_docs,
    )


@dataclass
class DocumentTerms:
    title_ru: frozenset[str]
    title_en: frozenset[str]
    keywords: frozenset[str]
    body: frozenset[str]
    title_ru_words: int
    title_en_words: int

    @classmethod
    def parse(cls, title_ru: str, title_en: str, keywords: str, body: str) -> DocumentTerms:
        tokens = analysis.synonyms().tokens
        ru, en = title_ru.split(), title_en.split()
        return cls(
            title_ru=frozenset(ru),
            title_en=frozenset(en),
            keywords=frozenset(keywords.split()),
            body=frozenset(body.split()),
            title_ru_words=sum(1 for t in ru if t not in tokens),
            title_en_words=sum(1 for t in en if t not in tokens),
        )

    def _has_prefix(self, prefix: str, terms: frozenset[str]) -> bool:
        return any(t.startswith(prefix) for t in terms)

    def weight_of(self, term: str, *, prefix: bool = False) -> float:
        def has(terms: frozenset[str]) -> bool:
            return self._has_prefix(term, terms) if prefix else term in terms

        if has(self.title_ru) or has(self.title_en):
            return FIELD_TITLE
        if has(self.keywords):
            return FIELD_KEYWORDS
        if has(self.body):
            return FIELD_BODY
        return 0.0


@dataclass
class Scored:
    service_id: Any
    score: float
    available: bool | None  # in the chosen region; None when no region is chosen


def score(
    plan: QueryPlan,
    doc: DocumentTerms,
    *,
    popularity: int,
    availability: str,
    available: bool | None,
) -> float:
    """The relevance of one document to the query, about 0..1."""
    weights = dict(plan.idf)
    max_idf = max(weights.values(), default=1.0)
    if plan.prefix:
        weights[plan.prefix] = max_idf
    total = sum(weights.values()) or 1.0
    got = 0.0
    matched = 0
    title_ru_hits = title_en_hits = 0
    for term, idf in weights.items():
        is_prefix = term == plan.prefix and term not in plan.idf
        weight = doc.weight_of(term, prefix=is_prefix)
        if weight:
            matched += 1
            got += idf * weight
            if weight == FIELD_TITLE:
                title_ru_hits += (
                    doc._has_prefix(term, doc.title_ru) if is_prefix else (term in doc.title_ru)
                )
                title_en_hits += (
                    doc._has_prefix(term, doc.title_en) if is_prefix else (term in doc.title_en)
                )
    text = got / total
    complete = 1.0 if matched == len(weights) else 0.0
    cover = max(
        min(title_ru_hits / doc.title_ru_words, 1.0) if doc.title_ru_words else 0.0,
        min(title_en_hits / doc.title_en_words, 1.0) if doc.title_en_words else 0.0,
    )
    pop = math.log1p(popularity) / math.log1p(POPULARITY_SCALE)
    result = W_TEXT * text + W_COMPLETE * complete + W_TITLE_COVER * cover + W_POPULARITY * pop
    if available is True:
        result += W_REGION
    elif available is False:
        result -= REGION_UNAVAILABLE_PENALTY
    elif availability != Availability.ALL_REGIONS:
        result -= NO_REGION_LOCAL_PENALTY
    return result


def candidates_for(
    plan: QueryPlan, filters: Filters, limit: int = CANDIDATES
) -> list[backends.Candidate]:
    """Candidate documents for the ranking. Terms found in a large share of the register
    ("выдача", "разрешение") are not used alone to find candidates: a document that has
    only those is never among the best, and scoring thousands of them would be slow. So:
    documents with any selective term, plus those with all the terms; when every term is
    common, documents with all of them (any of them only if that finds too few)."""
    prefixes = [plan.prefix] if plan.prefix else []
    common = [t for t in plan.terms if plan.df.get(t, 0) > COMMON_SHARE * plan.total_docs]
    selective = [t for t in plan.terms if t not in common]
    found: dict[int, backends.Candidate] = {}

    def fetch(
        terms: Sequence[str],
        *,
        require_all: bool,
        with_prefix: bool = True,
        titles_only: bool = False,
    ) -> None:
        for c in backends.document_candidates(
            terms,
            prefix_terms=prefixes if with_prefix else [],
            filters=filters,
            limit=limit,
            require_all=require_all,
            titles_only=titles_only,
        ):
            found.setdefault(c.doc_id, c)

    if selective or (prefixes and not common):
        fetch(selective, require_all=False)
        if len(plan.terms) > 1:  # those with every term, even if the above filled up
            fetch(plan.terms, require_all=True, with_prefix=False)
    else:
        # Only common words: all of them in titles first (a small index), then anywhere;
        # any of them only when no document has them all.
        fetch(plan.terms, require_all=True, titles_only=True)
        if len(found) < MIN_CANDIDATES:
            fetch(plan.terms, require_all=True)
        if not found:
            fetch(plan.terms, require_all=False, titles_only=True)
        if not found:
            fetch(plan.terms, require_all=False)
    return list(found.values())

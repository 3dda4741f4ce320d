"""Search relevance on the hand-written catalogue: the labelled queries of
relevance_queries.yaml (written before tuning) must have their service in the top 3 for
at least 90% of the queries. The national-scale figure is measured by the benchmark
(bench/suite_catalog.py) on the same queries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from uslugi.catalog import selectors

QUERIES_FILE = Path(__file__).with_name("relevance_queries.yaml")
TARGET = 0.90


def labelled_queries() -> list[dict[str, Any]]:
    with QUERIES_FILE.open(encoding="utf-8") as f:
        return list(yaml.safe_load(f)["queries"])


def test_the_labelled_set_is_big_and_varied() -> None:
    queries = labelled_queries()
    assert len(queries) >= 60
    kinds = {q["kind"] for q in queries}
    assert {"plain", "forms", "abbr", "typo", "en"} <= kinds


@pytest.mark.usefixtures("catalogue")
def test_top3_relevance_on_the_hand_written_catalogue() -> None:
    queries = labelled_queries()
    misses = []
    for item in queries:
        top = selectors.service_search(item["q"]).codes[:3]
        if not set(item["expected"]) & set(top):
            misses.append(f"{item['q']!r}: expected {item['expected']}, got {top}")
    share = 1 - len(misses) / len(queries)
    assert share >= TARGET, f"top-3 {share:.0%} < {TARGET:.0%}; misses:\n" + "\n".join(misses)

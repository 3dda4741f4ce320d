"""Fixtures for the shared kernel's tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import pytest
from django.db import connection

from uslugi.core.audit import AuditChainHead, AuditEntry


class Tamper(Protocol):
    def __call__(self, sql: str, params: Sequence[Any] = ()) -> None: ...


@pytest.fixture
def tamper(db: None) -> Tamper:
    """Run raw SQL against the audit tables, as an intruder with database access would.

    `{entries}` and `{head}` in the SQL name the two tables. On PostgreSQL the append-only
    trigger is disabled first, inside the test's transaction, so it comes back afterwards.
    """
    quote = connection.ops.quote_name
    names = {
        "entries": quote(AuditEntry._meta.db_table),
        "head": quote(AuditChainHead._meta.db_table),
    }
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in names.values():
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")

    def run(sql: str, params: Sequence[Any] = ()) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql.format(**names), list(params))

    return run

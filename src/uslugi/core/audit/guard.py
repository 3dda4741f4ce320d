"""On PostgreSQL the database itself refuses changes to the journal: a trigger, so that
raw SQL, other programs and ORM paths we did not think of are stopped too."""

from __future__ import annotations

import structlog
from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper

from uslugi.core.audit.models import AuditChainHead, AuditEntry

log = structlog.get_logger("uslugi.audit")

_ENTRY_FUNCTION = "uslugi_audit_append_only"
_HEAD_FUNCTION = "uslugi_audit_head_forward_only"
_ROW_TRIGGER = "uslugi_audit_append_only"
_TRUNCATE_TRIGGER = "uslugi_audit_no_truncate"


def _trigger_sql(connection: BaseDatabaseWrapper, *, refuse_truncate: bool) -> list[str]:
    quote = connection.ops.quote_name
    entries = quote(AuditEntry._meta.db_table)
    head = quote(AuditChainHead._meta.db_table)
    statements = [
        f"""
        CREATE OR REPLACE FUNCTION {_ENTRY_FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION 'the audit journal is append-only: % on % is refused',
                TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
        END
        $$
        """,
        f"""
        CREATE OR REPLACE FUNCTION {_HEAD_FUNCTION}() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NEW.id = OLD.id AND NEW.last_seq > OLD.last_seq THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'the audit chain head only moves forward: % on % is refused',
                TG_OP, TG_TABLE_NAME USING ERRCODE = 'restrict_violation';
        END
        $$
        """,
        f"CREATE OR REPLACE TRIGGER {_ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {entries} "
        f"FOR EACH ROW EXECUTE FUNCTION {_ENTRY_FUNCTION}()",
        f"CREATE OR REPLACE TRIGGER {_ROW_TRIGGER} BEFORE UPDATE OR DELETE ON {head} "
        f"FOR EACH ROW EXECUTE FUNCTION {_HEAD_FUNCTION}()",
    ]
    for table, function in ((entries, _ENTRY_FUNCTION), (head, _HEAD_FUNCTION)):
        statements.append(
            f"CREATE OR REPLACE TRIGGER {_TRUNCATE_TRIGGER} BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            if refuse_truncate
            else f"DROP TRIGGER IF EXISTS {_TRUNCATE_TRIGGER} ON {table}"
        )
    return statements


def install_append_only_trigger(
    connection: BaseDatabaseWrapper, *, refuse_truncate: bool | None = None
) -> None:
    """On PostgreSQL, make the database itself refuse changes to the journal (idempotent).

    UPDATE and DELETE of entries are always refused, and the head may only move forward.
    TRUNCATE is refused too, except in the test suite, whose runner empties every table
    with TRUNCATE between transactional tests. Other databases: nothing to do.
    """
    if connection.vendor != "postgresql":
        return
    if refuse_truncate is None:
        refuse_truncate = not settings.TESTING
    with connection.cursor() as cursor:
        for statement in _trigger_sql(connection, refuse_truncate=refuse_truncate):
            cursor.execute(statement)


def uninstall_append_only_trigger(connection: BaseDatabaseWrapper) -> None:
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (AuditEntry, AuditChainHead):
            table = quote(model._meta.db_table)
            cursor.execute(f"DROP TRIGGER IF EXISTS {_ROW_TRIGGER} ON {table}")
            cursor.execute(f"DROP TRIGGER IF EXISTS {_TRUNCATE_TRIGGER} ON {table}")
        cursor.execute(f"DROP FUNCTION IF EXISTS {_ENTRY_FUNCTION}()")
        cursor.execute(f"DROP FUNCTION IF EXISTS {_HEAD_FUNCTION}()")


def append_only_trigger_installed(connection: BaseDatabaseWrapper) -> bool:
    """Whether the PostgreSQL guard is in place on the journal table."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_trigger WHERE tgname = %s AND tgrelid = to_regclass(%s)",
            [_ROW_TRIGGER, AuditEntry._meta.db_table],
        )
        return cursor.fetchone() is not None


def ensure_append_only_trigger(connection: BaseDatabaseWrapper) -> None:
    """After `migrate`: put the guard (back) in place, warning if it had gone missing.

    The migration installs it; this also covers test databases built without migrations
    and a guard dropped by hand since.
    """
    if connection.vendor != "postgresql":
        return
    tables = set(connection.introspection.table_names())
    if not {AuditEntry._meta.db_table, AuditChainHead._meta.db_table} <= tables:
        return
    if not append_only_trigger_installed(connection) and AuditEntry.objects.exists():
        log.warning("audit.guard_missing", table=AuditEntry._meta.db_table)
    install_append_only_trigger(connection)

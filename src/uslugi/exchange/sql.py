"""The bus's hot-path statements, with their SQL built once from the models' metadata.

Every message ends with an INSERT of itself and its timeline rows (synchronous calls) or
`UPDATE message SET <outcome> WHERE id = ? AND status = 'sending' AND claimed_by = ?`
(workers); workers also read back the rows they claimed (`select`), and on SQLite claim
them with one conditional UPDATE (`claim_sqlite`). Compiling those through the ORM per
message cost about 0.3 ms (the UPDATE) and 0.08 ms (each INSERT) of a delivery's ~1 ms on
the benchmark machine; built once they cost 0.07 ms. Values still go through each field's
`pre_save` and `get_db_prep_save`, so defaults, encryption, time zones and UUIDs are
handled by the fields exactly as the ORM would, and rows read back go through the same
converters as an ORM query's (tests/exchange/test_sql.py checks the round trips on both
databases). Identifiers come from model metadata and are quoted; values are parameters.
Everything else in the app uses the ORM.
"""

from __future__ import annotations

import datetime as dt
import functools
import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from django.db import DEFAULT_DB_ALIAS, connection, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper

from uslugi.core.fields import EncryptedField

Field = models.Field[Any, Any]
Statement = tuple[str, list[Any]]


def _db() -> BaseDatabaseWrapper:
    """This thread's connection itself: `django.db.connection` is a proxy that looks it up
    on every attribute access, which field methods do many times per value."""
    return connections[DEFAULT_DB_ALIAS]


def _fields(model: type[models.Model], names: Iterable[str]) -> tuple[Field, ...]:
    return tuple(cast(Field, model._meta.get_field(name)) for name in names)


def _column(field: Field) -> str:
    return connection.ops.quote_name(str(field.column))


@functools.cache
def _update_sql(
    model: type[models.Model], vendor: str, names: tuple[str, ...], where: tuple[str, ...]
) -> tuple[str, tuple[Field, ...], tuple[Field, ...]]:
    set_fields, where_fields = _fields(model, names), _fields(model, where)
    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{_column(f)} = %s" for f in set_fields)
    conditions = " AND ".join(f"{_column(f)} = %s" for f in where_fields)
    sql = f"UPDATE {table} SET {assignments} WHERE {conditions}"  # noqa: S608 - see above
    return sql, set_fields, where_fields


class Preparer:
    """Makes statements ready to run, for one batch of them.

    Within a batch the same values recur in the same columns (a status, empty strings,
    NULLs, the batch's time): their database form depends only on the field and the value,
    so it is computed once. Encrypted fields are never memoised (each value gets its own
    nonce), nor are values of other types than plain scalars.
    """

    def __init__(self, *, memoise: bool = True) -> None:
        self.db = _db()
        self.memoise = memoise  # off for a single statement: nothing would recur
        self._memo: dict[tuple[int, type, Any], Any] = {}

    def value(self, field: Field, value: Any) -> Any:
        """`field.get_db_prep_save(value)`, memoised as above."""
        if not self.memoise or not isinstance(value, _PLAIN) or isinstance(field, EncryptedField):
            return field.get_db_prep_save(value, self.db)
        key = (id(field), type(value), value)
        try:
            return self._memo[key]
        except KeyError:
            prepared = self._memo[key] = field.get_db_prep_save(value, self.db)
            return prepared

    def update(
        self, model: type[models.Model], *, values: Mapping[str, Any], where: Mapping[str, Any]
    ) -> Statement:
        """`model.objects.filter(**where).update(**values)` for plain equality, ready to run."""
        db = self.db
        sql, set_fields, where_fields = _update_sql(model, db.vendor, tuple(values), tuple(where))
        params = [
            *(self.value(f, values[f.name]) for f in set_fields),
            *(f.get_db_prep_value(where[f.name], db, prepared=False) for f in where_fields),
        ]
        return sql, params

    def insert(self, objs: Sequence[models.Model]) -> Statement | None:
        """`bulk_create(objs)`, ready to run, for rows of one model whose keys are set
        client-side or by the database (an auto-increment id is not read back)."""
        if not objs:
            return None
        sql, fields = _insert_sql(type(objs[0]), self.db.vendor, len(objs))
        params = [
            self.value(field, field.pre_save(obj, add=True)) for obj in objs for field in fields
        ]
        return sql, params


# Scalars whose database form is a function of the field and the value alone.
_PLAIN = (str, int, float, dt.datetime, dt.date, uuid.UUID, type(None))


def prepare_update(
    model: type[models.Model], *, values: Mapping[str, Any], where: Mapping[str, Any]
) -> Statement:
    """`model.objects.filter(**where).update(**values)` for plain equality, ready to run."""
    return Preparer(memoise=False).update(model, values=values, where=where)


def prepare_insert(objs: Sequence[models.Model]) -> Statement | None:
    """`bulk_create(objs)`, ready to run (see `Preparer.insert`)."""
    return Preparer(memoise=False).insert(objs)


def cursor() -> Any:
    """A cursor of this thread's connection, for several statements in a row."""
    return _db().cursor()


def execute(statement: Statement | None, *, cursor: Any = None) -> int:
    """Run a prepared statement (with `cursor`, or a new one); the rows it changed."""
    if statement is None:
        return 0
    if cursor is not None:
        cursor.execute(*statement)
        return int(cursor.rowcount)
    with _db().cursor() as new:
        new.execute(*statement)
        return int(new.rowcount)


def update_where(
    model: type[models.Model], *, values: Mapping[str, Any], where: Mapping[str, Any]
) -> int:
    """`model.objects.filter(**where).update(**values)` for plain equality; rows changed."""
    return execute(prepare_update(model, values=values, where=where))


def insert(objs: Sequence[models.Model]) -> None:
    """Insert the rows at once (see `prepare_insert`)."""
    execute(prepare_insert(objs))


@functools.cache
def _insert_sql(model: type[models.Model], vendor: str, rows: int) -> tuple[str, tuple[Field, ...]]:
    fields = tuple(
        f
        for f in model._meta.concrete_fields
        if not (f.primary_key and isinstance(f, models.AutoField | models.BigAutoField))
    )
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_column(f) for f in fields)
    marks = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * rows)
    return f"INSERT INTO {table} ({columns}) VALUES {marks}", fields  # noqa: S608 - see above


# --- Reads -----------------------------------------------------------------------------------


@functools.cache
def _select_sql(
    model: type[models.Model], vendor: str, where: tuple[str, ...]
) -> tuple[str, tuple[Field, ...], tuple[Field, ...]]:
    fields = tuple(model._meta.concrete_fields)
    where_fields = _fields(model, where)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(_column(f) for f in fields)
    conditions = " AND ".join(f"{_column(f)} = %s" for f in where_fields)
    return f"SELECT {columns} FROM {table} WHERE {conditions}", fields, where_fields  # noqa: S608


def select(model: type[models.Model], *, where: Mapping[str, Any]) -> list[Any]:
    """`list(model.objects.filter(**where))` for plain equality, without the query compiler.

    Each column goes through the converters an ORM query applies (the backend's, then the
    field's: time zones, UUIDs, booleans, JSON, decryption), and rows become instances
    with `Model.from_db`, as the ORM makes them.
    """
    db = _db()
    sql, fields, where_fields = _select_sql(model, db.vendor, tuple(where))
    params = [f.get_db_prep_value(where[f.name], db, prepared=False) for f in where_fields]
    table = model._meta.db_table
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(table)
        found = db.ops.get_db_converters(column) + column.get_db_converters(db)
        if found:
            converters.append((index, column, found))
    with db.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    names = [f.attname for f in fields]
    objs = []
    for row in rows:
        values = list(row)
        for index, column, found in converters:
            value = values[index]
            for convert in found:
                value = convert(value, column, db)
            values[index] = value
        objs.append(model.from_db(db.alias, names, values))
    return objs


# --- The SQLite claim -----------------------------------------------------------------------


@functools.cache
def _claim_sql(model: type[models.Model], vendor: str) -> str:
    meta = model._meta
    table, pk = connection.ops.quote_name(meta.db_table), _column(meta.pk)
    status, due = (
        _column(_fields(model, ["status"])[0]),
        _column(_fields(model, ["next_attempt_at"])[0]),
    )
    claimed_by, claimed_at, attempts, updated_at = (
        _column(f) for f in _fields(model, ["claimed_by", "claimed_at", "attempts", "updated_at"])
    )
    return (
        f"UPDATE {table} SET {status} = %s, {claimed_by} = %s, {claimed_at} = %s, "  # noqa: S608
        f"{attempts} = {attempts} + 1, {updated_at} = %s "
        f"WHERE {pk} IN (SELECT {pk} FROM {table} WHERE {status} = %s AND {due} <= %s "
        f"ORDER BY {due} LIMIT %s) AND {status} = %s"
    )


def claim_sqlite(
    model: type[models.Model],
    *,
    queued: str,
    sending: str,
    token: str,
    now: Any,
    limit: int,
) -> int:
    """Stamp up to `limit` due queued rows with this claim token in one atomic UPDATE;
    the rows claimed. SQLite only (one writer at a time makes the conditional UPDATE a
    claim); PostgreSQL claims with SELECT ... FOR UPDATE SKIP LOCKED."""
    db = _db()
    when = _fields(model, ["updated_at"])[0].get_db_prep_value(now, db)
    params = [sending, token, when, when, queued, when, limit, queued]
    return execute((_claim_sql(model, db.vendor), params))

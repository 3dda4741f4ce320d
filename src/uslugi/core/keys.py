"""Key management for personal data: status, rotation and blind-index rebuilding.

`uslugi keys rotate` re-encrypts, in batches ordered by primary key, every value of every
encrypted field whose token does not start with the active key id. Each batch is one
transaction that locks its rows (where the database can), so an interrupted run loses at
most its current batch, and the next run skips what is done: rotation is resumable and
idempotent. Writes go through `QuerySet.update()`, so `save()` and signals do not fire.
Messages name models, fields, primary keys and key ids, never values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from django.apps import apps
from django.db import IntegrityError, models, router, transaction
from django.db.models import Case, Count, ExpressionWrapper, F, Value, When
from django.db.models.functions import Left, StrIndex

from uslugi.core.crypto import SEPARATOR, DecryptionError, key_id_of, keyring
from uslugi.core.fields import BlindIndexField, EncryptedField

MAX_BATCH_SIZE = 10_000  # three parameters a row stay under SQLite's 32,766
MALFORMED = "?"  # counted in place of a key id for a value that is not a token


class Output(Protocol):
    """Where progress lines go: a text stream or a management command's stdout."""

    def write(self, text: str, /) -> object: ...


class KeyRotationError(Exception):
    """Rotation (or re-indexing) stopped; the message names model, field and primary key."""


@dataclass
class FieldRotation:
    label: str
    rotated: int = 0
    remaining: int = 0


@dataclass
class RotationReport:
    active_key_id: str
    dry_run: bool
    fields: list[FieldRotation] = field(default_factory=list)
    batches: int = 0
    stopped_early: bool = False

    @property
    def rotated(self) -> int:
        return sum(f.rotated for f in self.fields)

    @property
    def remaining(self) -> int:
        return sum(f.remaining for f in self.fields)

    @property
    def complete(self) -> bool:
        """Every value is on the active key (in a dry run: the scan reached the end)."""
        return not self.stopped_early if self.dry_run else self.remaining == 0


@dataclass
class FieldKeyStatus:
    label: str
    by_key: dict[str, int]  # key id (or MALFORMED) -> number of values
    nulls: int


@dataclass
class ReindexReport:
    fields: list[str] = field(default_factory=list)
    rows: int = 0
    changed: int = 0
    batches: int = 0
    stopped_early: bool = False


def encrypted_fields() -> list[EncryptedField]:
    """Every encrypted column of every installed model, each once (on the model holding it)."""
    return [
        f
        for model in apps.get_models()
        if not model._meta.proxy
        for f in model._meta.local_concrete_fields
        if isinstance(f, EncryptedField)
    ]


def blind_index_models() -> list[tuple[type[models.Model], list[BlindIndexField]]]:
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        indexes = [f for f in model._meta.local_concrete_fields if isinstance(f, BlindIndexField)]
        if indexes:
            found.append((model, indexes))
    return found


def _token(f: EncryptedField) -> ExpressionWrapper:
    """The raw column: a plain text output field, so no decryption and no lookup refusal."""
    return ExpressionWrapper(F(f.attname), output_field=models.TextField())


def _tokens(f: EncryptedField) -> models.QuerySet[Any]:
    return f.model._base_manager.db_manager(router.db_for_write(f.model)).annotate(
        uslugi_token=_token(f)
    )


def _not_on_key(f: EncryptedField, key_id: str) -> models.QuerySet[Any]:
    """Values whose token does not start with `key_id$`.

    Compared with LEFT(...) = ..., not LIKE, which SQLite applies case-insensitively.
    """
    prefix = f"{key_id}{SEPARATOR}"
    return (
        _tokens(f)
        .alias(uslugi_prefix=Left("uslugi_token", len(prefix)))
        .filter(uslugi_token__isnull=False)
        .exclude(uslugi_prefix=prefix)
    )


def _say(stdout: Output | None, line: str) -> None:
    if stdout is not None:
        stdout.write(line + "\n")


def keys_status() -> list[FieldKeyStatus]:
    """How many values of each encrypted field are on each key id (a full scan per field)."""
    statuses = []
    for f in encrypted_fields():
        key_id = Case(
            When(uslugi_token__isnull=True, then=Value(None)),
            When(
                uslugi_token__contains=SEPARATOR,
                then=Left("uslugi_token", StrIndex("uslugi_token", Value(SEPARATOR)) - 1),
            ),
            default=Value(MALFORMED),
            output_field=models.TextField(),
        )
        rows = (
            _tokens(f)
            .annotate(uslugi_key=key_id)
            .values("uslugi_key")
            .annotate(count=Count("pk"))
            .order_by()
        )
        by_key: dict[str, int] = {}
        nulls = 0
        for row in rows:
            if row["uslugi_key"] is None:
                nulls += row["count"]
            else:
                by_key[row["uslugi_key"]] = by_key.get(row["uslugi_key"], 0) + row["count"]
        statuses.append(
            FieldKeyStatus(label=f.label, by_key=dict(sorted(by_key.items())), nulls=nulls)
        )
    return statuses


def _write_tokens(f: EncryptedField, tokens: dict[Any, str]) -> None:
    """One UPDATE for the batch, writing tokens as they are (no save(), no re-encryption)."""
    whens = [When(pk=pk, then=Value(token)) for pk, token in tokens.items()]
    f.model._base_manager.db_manager(router.db_for_write(f.model)).filter(
        pk__in=list(tokens)
    ).update(**{f.attname: Case(*whens, output_field=models.TextField())})


def _check_batch_size(batch_size: int) -> None:
    if not 1 <= batch_size <= MAX_BATCH_SIZE:
        raise ValueError(f"batch size must be between 1 and {MAX_BATCH_SIZE}")


def keys_rotate(
    *,
    batch_size: int = 500,
    max_batches: int | None = None,
    dry_run: bool = False,
    stdout: Output | None = None,
) -> RotationReport:
    """Re-encrypt every value not on the active key; safe to interrupt and run again."""
    _check_batch_size(batch_size)
    ring = keyring()
    active = ring.active_id
    report = RotationReport(active_key_id=active, dry_run=dry_run)
    for f in encrypted_fields():
        progress = FieldRotation(label=f.label)
        report.fields.append(progress)
        last_pk: Any = None
        while not report.stopped_early:
            if max_batches is not None and report.batches >= max_batches:
                report.stopped_early = True
                break
            with transaction.atomic(using=router.db_for_write(f.model)):
                batch = _not_on_key(f, active).order_by("pk")
                if last_pk is not None:
                    # Keyset pagination: each run reads every row once, however far it got.
                    batch = batch.filter(pk__gt=last_pk)
                if not dry_run:
                    batch = batch.select_for_update()
                rows = list(batch.values_list("pk", "uslugi_token")[:batch_size])
                if not rows:
                    break
                tokens = {}
                for pk, token in rows:
                    try:
                        if key_id_of(token) != active:
                            tokens[pk] = ring.reencrypt(token, f.aad)
                    except DecryptionError as exc:
                        raise KeyRotationError(f"{f.label} pk={pk}: {exc}") from None
                if tokens and not dry_run:
                    _write_tokens(f, tokens)
            report.batches += 1
            progress.rotated += len(tokens)
            last_pk = rows[-1][0]
            verb = "would re-encrypt" if dry_run else "re-encrypted"
            _say(stdout, f"{f.label}: {verb} {len(tokens)} (through pk {last_pk})")
        progress.remaining = _not_on_key(f, active).count()
    return report


def keys_reindex(
    *,
    batch_size: int = 500,
    max_batches: int | None = None,
    dry_run: bool = False,
    stdout: Output | None = None,
) -> ReindexReport:
    """Recompute every blind index from its decrypted source (after a BLIND_INDEX_KEY change,
    or to repair indexes a `QuerySet.update()` left stale). Idempotent; a full pass each run.
    """
    _check_batch_size(batch_size)
    report = ReindexReport()
    for model, indexes in blind_index_models():
        label = model._meta.label_lower
        report.fields.extend(f"{label}.{f.name}" for f in indexes)
        only = sorted({"pk", *(f.source for f in indexes), *(f.name for f in indexes)})
        db = router.db_for_write(model)
        last_pk: Any = None
        while not report.stopped_early:
            if max_batches is not None and report.batches >= max_batches:
                report.stopped_early = True
                break
            with transaction.atomic(using=db):
                batch = model._base_manager.db_manager(db).order_by("pk").only(*only)
                if last_pk is not None:
                    batch = batch.filter(pk__gt=last_pk)
                if not dry_run:
                    batch = batch.select_for_update()
                rows = list(batch[:batch_size])
                if not rows:
                    break
                changed = [row for row in rows if _refresh_indexes(label, row, indexes)]
                if changed and not dry_run:
                    try:
                        with transaction.atomic(using=db):
                            model._base_manager.db_manager(db).bulk_update(
                                changed, [f.name for f in indexes]
                            )
                    except IntegrityError as exc:
                        raise KeyRotationError(
                            f"{label}: rebuilt blind indexes collide in the batch ending at "
                            f"pk {rows[-1].pk} ({type(exc).__name__})"
                        ) from None
            report.batches += 1
            report.rows += len(rows)
            report.changed += len(changed)
            last_pk = rows[-1].pk
            verb = "would update" if dry_run else "updated"
            _say(stdout, f"{label}: {verb} {len(changed)} of {len(rows)} (through pk {last_pk})")
    return report


def _refresh_indexes(label: str, row: models.Model, indexes: list[BlindIndexField]) -> bool:
    """Recompute the row's indexes in place; True if any changed."""
    stale = False
    for f in indexes:
        try:
            fresh = f.compute(row)
        except DecryptionError as exc:
            raise KeyRotationError(f"{label}.{f.name} pk={row.pk}: {exc}") from None
        if getattr(row, f.attname) != fresh:
            setattr(row, f.attname, fresh)
            stale = True
    return stale

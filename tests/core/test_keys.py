"""Key status, rotation (also interrupted and resumed) and blind-index rebuilding."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models.signals import post_save, pre_save
from pytest_django.fixtures import Settings

from tests.testapp.models import PersonRecord
from uslugi.core import keys
from uslugi.core.crypto import Keyring, encode_key
from uslugi.core.fields import blind_index_for
from uslugi.core.keys import KeyRotationError, keys_reindex, keys_rotate, keys_status

pytestmark = pytest.mark.django_db
# Rotation commits batch by batch: where that matters, tests use real transactions.
committing = pytest.mark.django_db(transaction=True)

K1 = f"k1:{encode_key(bytes([1]) * 32)}"
K2 = f"k2:{encode_key(bytes([2]) * 32)}"
K9 = f"k9:{encode_key(bytes([9]) * 32)}"
SNILS = ["11223344595", "12345678964", "08765432112", "15975348620", "35715925846"]
LABELS = [
    "testapp.personrecord.snils",
    "testapp.personrecord.birth_date",
    "testapp.personrecord.address",
    "testapp.personrecord.note",
]


def raw_tokens(column: str) -> list[str | None]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM testapp_personrecord ORDER BY id")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


def key_ids(column: str) -> list[str | None]:
    return [None if t is None else t.split("$")[0] for t in raw_tokens(column)]


def all_key_ids() -> set[str]:
    return {
        k for column in ("snils", "birth_date", "address", "note") for k in key_ids(column) if k
    }


def make_records(count: int = 5) -> list[PersonRecord]:
    """Records written with whatever key is active, one without SNILS or address."""
    created = [
        PersonRecord.objects.create(
            snils=SNILS[i] if i != 2 else None,
            birth_date=f"19{70 + i}-01-0{i + 1}",
            address={"flat": i} if i != 2 else None,
            note=f"note {i}",
        )
        for i in range(count)
    ]
    return [PersonRecord.objects.get(pk=record.pk) for record in created]


def assert_readable(records: list[PersonRecord]) -> None:
    for record in records:
        loaded = PersonRecord.objects.get(pk=record.pk)
        assert (loaded.snils, loaded.birth_date, loaded.address, loaded.note) == (
            record.snils,
            record.birth_date,
            record.address,
            record.note,
        )


@pytest.fixture
def old_data(settings: Settings) -> list[PersonRecord]:
    """Five records on key k1, then k2 put first (a rotation has been started)."""
    settings.FIELD_ENCRYPTION_KEYS = K1
    records = make_records()
    settings.FIELD_ENCRYPTION_KEYS = f"{K2},{K1}"
    return records


VALUES = 4 * 5 - 2  # four encrypted fields, five rows, two NULLs


# --- Status ---------------------------------------------------------------------------------


def test_status_counts_values_per_key_id(old_data: list[PersonRecord], settings: Settings) -> None:
    PersonRecord.objects.create(snils=None, note="on the new key")
    status = {s.label: s for s in keys_status()}
    assert set(LABELS) <= set(status)
    assert status["testapp.personrecord.snils"].by_key == {"k1": 4}
    assert status["testapp.personrecord.snils"].nulls == 2
    assert status["testapp.personrecord.note"].by_key == {"k1": 5, "k2": 1}
    assert status["testapp.personrecord.address"].nulls == 2


def test_status_command_flags_unknown_and_malformed_values(
    old_data: list[PersonRecord], settings: Settings
) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE testapp_personrecord SET note = 'plain text' WHERE id = %s", [old_data[0].pk]
        )
    settings.FIELD_ENCRYPTION_KEYS = K2
    out = io.StringIO()
    call_command("keys", "status", stdout=out)
    text = out.getvalue()
    assert "active key: k2; keyring: k2" in text
    assert "testapp.personrecord.snils: k1 (NOT IN KEYRING: unreadable): 4, empty: 1" in text
    assert "testapp.personrecord.note: ? (not encrypted values!): 1, k1 (NOT IN" in text
    assert "plain text" not in text


# --- Rotation ---------------------------------------------------------------------------------


def test_rotation_moves_every_value_to_the_active_key(
    old_data: list[PersonRecord], settings: Settings
) -> None:
    report = keys_rotate(batch_size=2)
    assert report.active_key_id == "k2"
    assert report.rotated == VALUES
    assert report.remaining == 0
    assert report.complete
    assert all_key_ids() == {"k2"}
    assert_readable(old_data)
    # The old key can now go.
    settings.FIELD_ENCRYPTION_KEYS = K2
    assert_readable(old_data)
    assert {s.label: s.by_key for s in keys_status()}["testapp.personrecord.snils"] == {"k2": 4}


def test_rotation_is_idempotent(old_data: list[PersonRecord]) -> None:
    keys_rotate(batch_size=100)
    tokens = raw_tokens("snils")
    again = keys_rotate(batch_size=100)
    assert again.rotated == 0
    assert again.complete
    assert raw_tokens("snils") == tokens  # nothing rewritten


def test_rotation_keeps_blind_indexes_and_fires_no_save_signals(
    old_data: list[PersonRecord],
) -> None:
    indexes = raw_tokens("snils_index")
    calls: list[object] = []

    def receiver(**kwargs: Any) -> None:
        calls.append(kwargs["sender"])

    pre_save.connect(receiver)
    post_save.connect(receiver)
    try:
        keys_rotate(batch_size=3)
    finally:
        pre_save.disconnect(receiver)
        post_save.disconnect(receiver)
    assert calls == []
    assert raw_tokens("snils_index") == indexes


@committing
def test_interrupted_rotation_is_readable_and_resumes(old_data: list[PersonRecord]) -> None:
    first = keys_rotate(batch_size=2, max_batches=1)
    assert first.stopped_early
    assert not first.complete
    assert first.batches == 1
    assert first.rotated == 2
    assert first.remaining == VALUES - 2
    assert key_ids("snils") == ["k2", "k2", None, "k1", "k1"]
    assert_readable(old_data)  # a mixed state reads fine: both keys are in the keyring

    second = keys_rotate(batch_size=2, max_batches=2)
    assert second.rotated == 4  # snils' last two, then birth_date's first two
    assert key_ids("birth_date") == ["k2", "k2", "k1", "k1", "k1"]

    rest = keys_rotate(batch_size=2)
    assert rest.complete
    assert first.rotated + second.rotated + rest.rotated == VALUES
    assert all_key_ids() == {"k2"}
    assert_readable(old_data)


@committing
def test_crash_inside_a_batch_rolls_that_batch_back(
    old_data: list[PersonRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    write = keys._write_tokens
    writes = 0

    def crash_on_second_batch(*args: Any) -> None:
        nonlocal writes
        writes += 1
        write(*args)  # the UPDATE has run ...
        if writes == 2:
            raise KeyboardInterrupt  # ... and the process dies before the commit

    monkeypatch.setattr(keys, "_write_tokens", crash_on_second_batch)
    with pytest.raises(KeyboardInterrupt):
        keys_rotate(batch_size=2)
    # The first batch committed; the second rolled back with its transaction.
    assert key_ids("snils") == ["k2", "k2", None, "k1", "k1"]
    assert_readable(old_data)

    monkeypatch.setattr(keys, "_write_tokens", write)
    report = keys_rotate(batch_size=2)
    assert report.complete
    assert report.rotated == VALUES - 2
    assert all_key_ids() == {"k2"}
    assert_readable(old_data)


def test_dry_run_reads_everything_and_writes_nothing(old_data: list[PersonRecord]) -> None:
    before = raw_tokens("note")
    report = keys_rotate(batch_size=2, dry_run=True)
    assert report.rotated == VALUES
    assert report.remaining == VALUES
    assert raw_tokens("note") == before


@committing
def test_unreadable_value_stops_rotation_naming_model_field_and_pk(
    old_data: list[PersonRecord], settings: Settings
) -> None:
    # A value encrypted with a key that is not in the keyring.
    stray = Keyring.parse(K9).encrypt(b"11223344595", b"testapp.personrecord.snils")
    victim = old_data[3]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE testapp_personrecord SET snils = %s WHERE id = %s", [stray, victim.pk]
        )
    with pytest.raises(KeyRotationError) as info:
        keys_rotate(batch_size=2)
    message = str(info.value)
    assert message.startswith(f"testapp.personrecord.snils pk={victim.pk}: ")
    assert "'k9'" in message
    assert "11223344595" not in message
    assert key_ids("snils") == ["k2", "k2", None, "k9", "k1"]  # earlier batch kept


def test_reaching_max_batches_exactly_at_the_end_is_complete(
    old_data: list[PersonRecord],
) -> None:
    report = keys_rotate(batch_size=100, max_batches=4)  # one batch per field
    assert report.stopped_early
    assert report.complete
    assert report.rotated == VALUES


def test_rotation_refuses_silly_batch_sizes() -> None:
    with pytest.raises(ValueError, match="batch size"):
        keys_rotate(batch_size=0)


def test_encrypted_fields_are_found_once_despite_the_proxy() -> None:
    labels = [f.label for f in keys.encrypted_fields() if f.model._meta.app_label == "testapp"]
    assert labels == LABELS


# --- Blind-index rebuild -----------------------------------------------------------------------


@committing
def test_reindex_after_a_blind_index_key_change(settings: Settings) -> None:
    settings.BLIND_INDEX_KEY = encode_key(bytes([7]) * 32)
    records = make_records()
    settings.BLIND_INDEX_KEY = encode_key(bytes([8]) * 32)

    def found(snils: str) -> bool:
        lookup = blind_index_for(PersonRecord, "snils_index", snils)
        return PersonRecord.objects.filter(snils_index=lookup).exists()

    assert not found(SNILS[0])
    partial = keys_reindex(batch_size=2, max_batches=1)
    assert partial.stopped_early
    assert found(SNILS[0])
    assert not found(SNILS[3])
    report = keys_reindex(batch_size=2)
    assert report.rows == 5
    assert report.changed == 2  # the first two were done; row 3 has no SNILS
    assert all(found(s) for s in SNILS if s != SNILS[2])
    assert keys_reindex(batch_size=2).changed == 0
    assert_readable(records)


def test_reindex_repairs_an_index_left_stale_by_update() -> None:
    record = PersonRecord.objects.create(snils=SNILS[0])
    PersonRecord.objects.filter(pk=record.pk).update(snils=SNILS[1])  # no pre_save
    assert keys_reindex(dry_run=True).changed == 1
    assert keys_reindex().changed == 1
    lookup = blind_index_for(PersonRecord, "snils_index", SNILS[1])
    assert PersonRecord.objects.get(snils_index=lookup) == record


# --- The command ---------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("keys", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_generate_prints_a_usable_entry() -> None:
    entry = run("generate").strip()
    assert re.fullmatch(r"k\d{8}:[A-Za-z0-9_-]{43}", entry)
    assert Keyring.parse(entry).active_id == entry.split(":")[0]
    assert run("generate", "--id", "spare").startswith("spare:")
    assert run("generate") != run("generate")


def test_generate_blind_index_key(settings: Settings) -> None:
    key = run("generate", "--blind-index").strip()
    settings.BLIND_INDEX_KEY = key
    assert len(blind_index_for(PersonRecord, "snils_index", SNILS[0])) == 64


def test_generate_refuses_a_bad_id() -> None:
    with pytest.raises(CommandError, match="key id"):
        run("generate", "--id", "a:b")


@committing
def test_rotate_command_reports_progress_and_resumes(old_data: list[PersonRecord]) -> None:
    text = run("rotate", "--batch-size", "3", "--max-batches", "1")
    assert "testapp.personrecord.snils: re-encrypted 3 (through pk" in text
    assert "run `uslugi keys rotate` again to resume" in text
    text = run("rotate", "--batch-size", "3")
    assert f"done: {VALUES - 3} values re-encrypted; every value is on key 'k2'" in text
    for value in SNILS:
        assert value not in text


def test_rotate_command_turns_failures_into_one_line(
    old_data: list[PersonRecord], settings: Settings
) -> None:
    settings.FIELD_ENCRYPTION_KEYS = K2  # k1 removed too early
    with pytest.raises(CommandError, match=r"^testapp\.personrecord\.snils pk=\d+: .*'k1'"):
        run("rotate")


def test_dry_run_and_reindex_commands(old_data: list[PersonRecord]) -> None:
    assert f"dry run: {VALUES} values would be re-encrypted" in run("rotate", "--dry-run")
    assert "5 rows read, 0 changed" in run("reindex", "--batch-size", "2")


@pytest.mark.parametrize("args", [["rotate", "--batch-size", "0"], ["frobnicate"], []])
def test_bad_arguments_are_refused(args: list[str]) -> None:
    with pytest.raises(CommandError):
        run(*args)

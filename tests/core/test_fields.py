"""Encrypted model fields and the blind index, against the real database."""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import sys
import uuid

import pytest
from django import forms
from django.core.exceptions import FieldError, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.forms import modelform_factory
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import isolate_apps
from django.views.debug import ExceptionReporter
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from pytest_django.fixtures import Settings

from tests.testapp.models import PersonRecord, PersonRecordProxy
from uslugi.core.crypto import DecryptionError, blind_index, encode_key, keyring
from uslugi.core.fields import (
    BlindIndexField,
    EncryptedJSONField,
    EncryptedTextField,
    Sensitive,
    blind_index_for,
)

pytestmark = pytest.mark.django_db

ENTRY1 = f"k1:{encode_key(bytes([1]) * 32)}"
ENTRY2 = f"k2:{encode_key(bytes([2]) * 32)}"
SNILS = "11223344595"
SNILS_FORMATTED = "112-233-445 95"
ADDRESS = {"region": "Тверская область", "city": "Тверь", "flat": 12, "lines": ["ул. Советская"]}
BIRTH = dt.date(1984, 2, 29)


def raw_row(pk: int) -> dict[str, str | None]:
    """The columns as the database holds them."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT snils, snils_index, birth_date, address, note "
            "FROM testapp_personrecord WHERE id = %s",
            [pk],
        )
        columns = [c[0] for c in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def set_raw(pk: int, column: str, value: str | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE testapp_personrecord SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def secret_snils() -> str:
    """A SNILS-like value built at run time, so no source line on a debug page shows it."""
    return str(uuid.uuid4().int)[:11]


# --- Round trip --------------------------------------------------------------------------------


def test_round_trip_stores_only_ciphertext(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ENTRY1
    record = PersonRecord.objects.create(
        snils=SNILS_FORMATTED, birth_date=BIRTH, address=ADDRESS, note="заметка"
    )
    raw = raw_row(record.pk)
    for column in ("snils", "birth_date", "address", "note"):
        assert raw[column] is not None
        assert raw[column].startswith("k1$")
    assert SNILS_FORMATTED not in raw["snils"]
    assert "1984" not in raw["birth_date"]
    assert "Тверь" not in raw["address"]
    assert "заметка" not in raw["note"]

    loaded = PersonRecord.objects.get(pk=record.pk)
    assert loaded.snils == SNILS_FORMATTED
    assert loaded.birth_date == BIRTH
    assert isinstance(loaded.birth_date, dt.date)
    assert loaded.address == ADDRESS
    assert loaded.note == "заметка"


def test_none_is_null_and_empty_string_is_kept(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ENTRY1
    record = PersonRecord.objects.create(snils=None, birth_date=None, address=None, note="")
    raw = raw_row(record.pk)
    assert raw["snils"] is None
    assert raw["birth_date"] is None
    assert raw["address"] is None
    assert raw["snils_index"] is None
    assert raw["note"] is not None  # the empty string is encrypted too
    assert raw["note"].startswith("k1$")
    loaded = PersonRecord.objects.get(pk=record.pk)
    assert loaded.snils is None
    assert loaded.birth_date is None
    assert loaded.address is None
    assert loaded.note == ""


def test_values_and_values_list_decrypt() -> None:
    PersonRecord.objects.create(snils=SNILS, birth_date=BIRTH, address=[1, "two", None])
    assert list(PersonRecord.objects.values_list("snils", "birth_date", "address")) == [
        (SNILS, BIRTH, [1, "two", None])
    ]
    assert PersonRecord.objects.values("snils").get()["snils"] == SNILS


def test_date_field_accepts_iso_strings_and_datetimes() -> None:
    record = PersonRecord.objects.create(birth_date="1984-02-29")
    record.refresh_from_db()
    assert record.birth_date == BIRTH
    record.birth_date = dt.datetime(1990, 5, 1, 12, 0, tzinfo=dt.UTC)
    record.save()
    record.refresh_from_db()
    assert record.birth_date == dt.date(1990, 5, 1)


def test_invalid_date_error_does_not_echo_the_value() -> None:
    with pytest.raises(ValidationError) as info:
        PersonRecord(birth_date="29.02.1984 secret").full_clean()
    assert "secret" not in str(info.value)
    assert [e.code for e in info.value.error_dict["birth_date"]] == ["invalid"]


def test_update_and_bulk_create_encrypt() -> None:
    PersonRecord.objects.bulk_create([PersonRecord(snils=SNILS), PersonRecord(snils=None)])
    PersonRecord.objects.filter(snils__isnull=False).update(note="обновлено")
    record = PersonRecord.objects.get(snils__isnull=False)
    assert record.note == "обновлено"
    assert "обновлено" not in (raw_row(record.pk)["note"] or "")
    assert record.snils_index == blind_index(SNILS, purpose="snils")  # bulk_create runs pre_save


def test_proxy_model_reads_and_writes() -> None:
    record = PersonRecordProxy.objects.create(snils=SNILS)
    assert PersonRecord.objects.get(pk=record.pk).snils == SNILS


def test_round_trip_of_any_text() -> None:
    @hypothesis_settings(
        max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        text=st.text(max_size=300),
        data=st.recursive(
            st.none() | st.booleans() | st.integers() | st.text(max_size=20),
            lambda inner: (
                st.lists(inner, max_size=4)
                | st.dictionaries(st.text(max_size=8), inner, max_size=4)
            ),
            max_leaves=10,
        ),
    )
    def round_trip(text: str, data: object) -> None:
        record = PersonRecord.objects.create(note=text, address={"data": data})
        loaded = PersonRecord.objects.get(pk=record.pk)
        assert loaded.note == text  # NUL and any Unicode survive: the column holds base64
        assert loaded.address == {"data": data}

    round_trip()


# --- Wrong key, tampering, column binding ------------------------------------------------------


def test_reading_without_the_key_names_field_and_key_id(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ENTRY1
    record = PersonRecord.objects.create(snils=SNILS)
    settings.FIELD_ENCRYPTION_KEYS = ENTRY2
    with pytest.raises(DecryptionError) as info:
        PersonRecord.objects.get(pk=record.pk)
    message = str(info.value)
    assert message.startswith("testapp.personrecord.snils: ")
    assert "'k1'" in message
    assert SNILS not in message


def test_tampered_column_fails() -> None:
    record = PersonRecord.objects.create(snils=SNILS)
    token = raw_row(record.pk)["snils"]
    assert token is not None
    tampered = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    set_raw(record.pk, "snils", tampered)
    with pytest.raises(DecryptionError, match="altered"):
        PersonRecord.objects.get(pk=record.pk)


def test_token_copied_to_another_column_fails() -> None:
    record = PersonRecord.objects.create(snils=SNILS, note="x")
    set_raw(record.pk, "note", raw_row(record.pk)["snils"])
    with pytest.raises(DecryptionError) as info:
        PersonRecord.objects.get(pk=record.pk)
    assert str(info.value).startswith("testapp.personrecord.note: ")
    assert "another column" in str(info.value)
    assert SNILS not in str(info.value)


def test_plaintext_in_an_encrypted_column_is_not_echoed() -> None:
    record = PersonRecord.objects.create()
    set_raw(record.pk, "snils", SNILS_FORMATTED)
    with pytest.raises(DecryptionError) as info:
        PersonRecord.objects.get(pk=record.pk)
    assert "112" not in str(info.value)


def test_value_of_the_wrong_type_fails_without_quoting_it(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = ENTRY1
    record = PersonRecord.objects.create()
    # An authentic token whose plaintext is not a date, as after a careless type change.
    token = keyring().encrypt(b"1984-13-45 secret", b"testapp.personrecord.birth_date")
    set_raw(record.pk, "birth_date", token)
    with pytest.raises(DecryptionError, match="does not parse") as info:
        PersonRecord.objects.get(pk=record.pk)
    assert "secret" not in str(info.value)
    assert info.value.__suppress_context__  # the parser's message is not chained either


# --- Look-ups ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lookup",
    [
        {"snils": SNILS},
        {"snils__exact": SNILS},
        {"snils__iexact": SNILS},
        {"snils__startswith": "112"},
        {"snils__contains": "112"},
        {"snils__in": [SNILS]},
        {"snils__gt": ""},
        {"birth_date": BIRTH},
        {"birth_date__year": 1984},
        {"address__city": "Тверь"},
        {"snils": models.F("note")},
    ],
    ids=str,
)
def test_filtering_by_value_is_refused(lookup: dict[str, object]) -> None:
    with pytest.raises(FieldError, match="is encrypted and cannot be filtered by value") as info:
        list(PersonRecord.objects.filter(**lookup))
    assert "blind index" in str(info.value)
    assert SNILS not in str(info.value)
    assert "Тверь" not in str(info.value)


def test_null_checks_still_work() -> None:
    with_snils = PersonRecord.objects.create(snils=SNILS)
    without = PersonRecord.objects.create(snils=None)
    assert list(PersonRecord.objects.filter(snils=None)) == [without]
    assert list(PersonRecord.objects.filter(snils__isnull=False)) == [with_snils]
    assert list(PersonRecord.objects.exclude(snils=None)) == [with_snils]


# --- Masking -------------------------------------------------------------------------------------


def test_repr_is_masked_str_and_templates_show_the_value() -> None:
    PersonRecord.objects.create(snils=SNILS, birth_date=BIRTH, address=ADDRESS)
    record = PersonRecord.objects.get()
    assert isinstance(record.snils, Sensitive)
    assert repr(record.snils) == "Sensitive('***')"
    assert f"{record.snils!r}" == "Sensitive('***')"
    assert "%r" % (record.snils,) == "Sensitive('***')"  # noqa: UP031 - the logging style
    assert str(record.snils) == SNILS
    assert f"{record.snils}" == SNILS
    assert repr(record.birth_date) == "SensitiveDate('***')"
    assert record.birth_date.isoformat() == "1984-02-29"
    assert repr(record.address) == "SensitiveDict('***')"
    assert repr(record.address["lines"]) == "SensitiveList('***')"
    assert repr(record.address["city"]) == "Sensitive('***')"
    assert "Тверь" not in repr(record.address)
    rendered = Template("{{ r.snils }} {{ r.birth_date|date:'Y-m-d' }} {{ r.address.city }}")
    assert rendered.render(Context({"r": record})) == f"{SNILS} 1984-02-29 Тверь"


def test_assigned_values_are_masked_too() -> None:
    record = PersonRecord(snils=SNILS, birth_date=BIRTH, address={"a": "b"})
    assert repr(record.snils) == "Sensitive('***')"
    assert repr(record.birth_date) == "SensitiveDate('***')"
    assert repr(record.address) == "SensitiveDict('***')"
    record.snils = "другой"
    assert repr(record.snils) == "Sensitive('***')"


def test_masked_values_pickle() -> None:
    record = PersonRecord.objects.create(snils=SNILS, birth_date=BIRTH, address=ADDRESS)
    copy = pickle.loads(pickle.dumps(PersonRecord.objects.get(pk=record.pk)))  # noqa: S301
    assert (copy.snils, copy.birth_date, copy.address) == (SNILS, BIRTH, ADDRESS)
    assert repr(copy.birth_date) == "SensitiveDate('***')"


def test_logging_with_repr_does_not_show_the_value(caplog: pytest.LogCaptureFixture) -> None:
    record = PersonRecord.objects.create(snils=secret_snils())
    loaded = PersonRecord.objects.get(pk=record.pk)
    with caplog.at_level(logging.INFO, logger="uslugi.test"):
        logging.getLogger("uslugi.test").info("checking %r for %r", loaded.snils, loaded.address)
    assert str(loaded.snils) not in caplog.text
    assert "Sensitive('***')" in caplog.text


def test_debug_error_page_does_not_show_the_value(rf: RequestFactory) -> None:
    record = PersonRecord.objects.create(snils=secret_snils(), address={"city": "Тверь"})

    def view(pk: int) -> None:
        loaded = PersonRecord.objects.get(pk=pk)
        snils = loaded.snils
        address = loaded.address
        raise RuntimeError(f"failed for {snils!r} at {address!r}")

    try:
        view(record.pk)
    except RuntimeError:
        exc_type, exc, tb = sys.exc_info()
    html = ExceptionReporter(rf.get("/"), exc_type, exc, tb, is_email=False).get_traceback_html()
    assert "Sensitive(&#x27;***&#x27;)" in html
    assert str(PersonRecord.objects.get(pk=record.pk).snils) not in html
    assert "Тверь" not in html


# --- Forms and migrations ------------------------------------------------------------------


def test_model_forms_get_matching_form_fields() -> None:
    form_class = modelform_factory(PersonRecord, fields=["snils", "birth_date", "address"])
    form = form_class(
        data={"snils": SNILS_FORMATTED, "birth_date": "1984-02-29", "address": '{"a": 1}'}
    )
    assert isinstance(form.fields["snils"].widget, forms.TextInput)
    assert isinstance(form.fields["birth_date"], forms.DateField)
    assert isinstance(form.fields["address"], forms.JSONField)
    assert "snils_index" not in form_class.base_fields
    assert form.is_valid(), form.errors
    record = form.save()
    assert record.snils_index == blind_index(SNILS, purpose="snils")
    assert PersonRecord.objects.get(pk=record.pk).address == {"a": 1}


def test_fields_deconstruct_without_keys() -> None:
    for name in ("snils", "birth_date", "address", "snils_index"):
        field = PersonRecord._meta.get_field(name)
        _, path, args, kwargs = field.deconstruct()
        assert path.startswith("uslugi.core.fields.")
        rebuilt = type(field)(*args, **kwargs)
        assert rebuilt.deconstruct()[3] == kwargs
        assert "k1" not in repr(kwargs)
        assert "dev" not in repr(kwargs)
    _, _, _, kwargs = PersonRecord._meta.get_field("snils_index").deconstruct()
    assert kwargs["source"] == "snils"
    assert kwargs["purpose"] == "snils"
    assert kwargs["unique"] is True
    assert "max_length" not in kwargs
    assert "db_index" not in kwargs


@pytest.mark.parametrize(
    "field",
    [
        BlindIndexField(source="snils", purpose="p", null=False, db_index=False, max_length=70),
        BlindIndexField(source="snils", purpose="p", unique=True, db_index=True),
        EncryptedTextField(context="identity.person.snils"),
        EncryptedJSONField(encoder=DjangoJSONEncoder, null=True),
    ],
    ids=["index-non-defaults", "index-unique-indexed", "text-context", "json"],
)
def test_non_default_options_survive_deconstruction(field: models.Field) -> None:
    _, _, args, kwargs = field.deconstruct()
    rebuilt = type(field)(*args, **kwargs)
    assert rebuilt.deconstruct() == field.deconstruct()
    for attribute in ("null", "unique", "db_index", "max_length", "context", "purpose"):
        assert getattr(rebuilt, attribute, None) == getattr(field, attribute, None)


@isolate_apps("tests.testapp")
def test_system_checks_refuse_unique_encrypted_fields_and_bad_sources() -> None:
    class Bad(models.Model):
        secret = EncryptedTextField(unique=True)
        index = BlindIndexField(source="missing", purpose="p")

        class Meta:
            app_label = "testapp"

        def __str__(self) -> str:
            return "bad"

    ids = [error.id for error in Bad.check()]
    assert "uslugi.E101" in ids
    assert "uslugi.E102" in ids


def test_context_overrides_the_column_binding() -> None:
    field = EncryptedTextField(context="identity.person.snils")
    field.set_attributes_from_name("renamed")
    field.model = PersonRecord
    assert field.aad == b"identity.person.snils"
    assert PersonRecord._meta.get_field("snils").aad == b"testapp.personrecord.snils"  # type: ignore[union-attr]


# --- Blind index -----------------------------------------------------------------------------------


def test_blind_index_is_filled_on_save() -> None:
    record = PersonRecord.objects.create(snils=SNILS_FORMATTED)
    assert record.snils_index == blind_index(SNILS, purpose="snils")
    assert raw_row(record.pk)["snils_index"] == record.snils_index
    record.snils = None
    record.save()
    assert raw_row(record.pk)["snils_index"] is None
    record.snils = "  "  # normalises to nothing: no index
    record.save()
    assert raw_row(record.pk)["snils_index"] is None


def test_look_up_by_blind_index_in_any_format() -> None:
    record = PersonRecord.objects.create(snils=SNILS)
    PersonRecord.objects.create(snils="12345678964")
    for typed in (SNILS, SNILS_FORMATTED, "112 233 445-95"):
        found = PersonRecord.objects.get(
            snils_index=blind_index_for(PersonRecord, "snils_index", typed)
        )
        assert found == record
    assert not PersonRecord.objects.filter(
        snils_index=blind_index_for(PersonRecord, "snils_index", "11223344596")
    ).exists()


def test_blind_index_for_refuses_empty_values_and_other_fields() -> None:
    PersonRecord.objects.create(snils=None)
    with pytest.raises(ValueError, match="empty value has no blind index"):
        blind_index_for(PersonRecord, "snils_index", " - ")
    with pytest.raises(TypeError, match="not a BlindIndexField"):
        blind_index_for(PersonRecord, "snils", SNILS)


def test_unique_blind_index_rejects_the_same_snils_in_another_format() -> None:
    PersonRecord.objects.create(snils=SNILS_FORMATTED)
    with pytest.raises(IntegrityError), transaction.atomic():
        PersonRecord.objects.create(snils=SNILS)
    assert PersonRecord.objects.count() == 1
    # Records without a SNILS do not collide.
    PersonRecord.objects.create(snils=None)
    PersonRecord.objects.create(snils=None)
    assert PersonRecord.objects.count() == 3


def test_full_clean_reports_the_duplicate_before_the_database_does() -> None:
    PersonRecord.objects.create(snils=SNILS)
    duplicate = PersonRecord(snils=SNILS_FORMATTED)
    with pytest.raises(ValidationError) as info:
        duplicate.full_clean()
    assert "snils_index" in info.value.message_dict
    assert SNILS not in str(info.value)


def test_changing_the_blind_index_key_changes_the_index(settings: Settings) -> None:
    settings.BLIND_INDEX_KEY = encode_key(bytes([7]) * 32)
    first = PersonRecord.objects.create(snils=SNILS).snils_index
    settings.BLIND_INDEX_KEY = encode_key(bytes([8]) * 32)
    assert blind_index_for(PersonRecord, "snils_index", SNILS) != first
    assert not PersonRecord.objects.filter(
        snils_index=blind_index_for(PersonRecord, "snils_index", SNILS)
    ).exists()  # until `uslugi keys reindex` (tests/core/test_keys.py)


def test_save_with_update_fields_must_include_the_index() -> None:
    record = PersonRecord.objects.create(snils=SNILS)
    record.snils = "12345678964"
    with pytest.raises(ValueError, match="names 'snils' but not its blind index 'snils_index'"):
        record.save(update_fields=["snils"])
    record.save(update_fields=["snils", "snils_index"])
    assert raw_row(record.pk)["snils_index"] == blind_index("12345678964", purpose="snils")
    record.name = "unrelated"
    record.save(update_fields=["name"])

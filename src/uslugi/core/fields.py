"""Model fields for personal data: encrypted at rest, found through a blind index.

```python
class Person(BaseModel):
    snils = EncryptedTextField(null=True, blank=True)
    snils_index = BlindIndexField(source="snils", purpose="snils",
                                  normalizer=normalize_snils, unique=True)

Person.objects.filter(snils_index=blind_index_for(Person, "snils_index", "112-233-445 95"))
```

An encrypted column holds `<key id>$<ciphertext>` (see `uslugi.core.crypto`), bound to
its column, so it cannot be filtered by value: every lookup but `isnull` is refused with a
message pointing to the blind index. Values read from these fields are wrapped so that
`repr()` (debug pages, tracebacks, `%r` in logs) shows `***` while `str()`, formatting
and templates show the value.

Limits: the blind index is computed in `save()` (and `full_clean()`), so `QuerySet.update()`
and `bulk_update()` of the source leave it stale, and `save(update_fields=...)` naming the
source without the index is refused.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from collections.abc import Callable
from typing import Any, cast

from django.core import checks, exceptions
from django.db import models
from django.db.models.lookups import Exact
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.forms import CharField as CharFormField
from django.forms import DateField as DateFormField
from django.forms import JSONField as JSONFormField
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext_lazy as _

from uslugi.core.crypto import DecryptionError, blind_index, keyring

MASK = "***"

# --- Masked values -----------------------------------------------------------------------


class Sensitive(str):
    """A string that shows itself in full, but never in its repr()."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"Sensitive({MASK!r})"


class SensitiveDate(dt.date):
    """A date whose repr() is masked."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"SensitiveDate({MASK!r})"


class SensitiveDict(dict[str, Any]):
    """A JSON object whose repr() is masked (its values are masked too)."""

    def __repr__(self) -> str:
        return f"SensitiveDict({MASK!r})"


class SensitiveList(list[Any]):
    """A JSON array whose repr() is masked (its items are masked too)."""

    def __repr__(self) -> str:
        return f"SensitiveList({MASK!r})"


def mask(value: Any) -> Any:
    """Wrap a value (recursively for JSON) so its repr() hides it; other types pass as is."""
    if isinstance(value, Sensitive | SensitiveDate):
        return value
    if isinstance(value, str):
        return Sensitive(value)
    if type(value) is dt.date:
        return SensitiveDate(value.year, value.month, value.day)
    if isinstance(value, dict):
        return SensitiveDict({key: mask(item) for key, item in value.items()})
    if isinstance(value, list):
        return SensitiveList(mask(item) for item in value)
    return value


class _MaskingAttribute(DeferredAttribute):
    """Masks every value assigned to the field, not only values loaded from the database."""

    def __set__(self, instance: models.Model, value: Any) -> None:
        instance.__dict__[self.field.attname] = mask(value)


# --- Encrypted fields ----------------------------------------------------------------------


class _NullOnlyExact(Exact):
    """`field=None` still means IS NULL; any other equality is refused."""

    def get_prep_lookup(self) -> Any:
        if self.rhs is not None:
            field: EncryptedField = self.lhs.output_field
            raise exceptions.FieldError(field.refusal("exact"))
        return super().get_prep_lookup()


class EncryptedField(models.TextField):
    """Base of encrypted fields: a text column holding a token; subclasses (de)serialise.

    `context` overrides the associated data that binds values to this column
    (default `app_label.model.field`): set it to the old label when renaming a model or
    field, or re-encrypt the column in a data migration.
    """

    descriptor_class = _MaskingAttribute
    description = _("Encrypted value")

    def __init__(self, *args: Any, context: str | None = None, **kwargs: Any) -> None:
        self.context = context
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.context is not None:
            kwargs["context"] = self.context
        return name, path, args, kwargs

    @property
    def label(self) -> str:
        """`app_label.model.field`: names the column in messages (never the value)."""
        return f"{self.model._meta.label_lower}.{self.name}"

    @property
    def aad(self) -> bytes:
        return (self.context or self.label).encode("utf-8")

    def to_plaintext(self, value: Any) -> str:
        """The Python value as the plaintext string that is encrypted."""
        raise NotImplementedError

    def from_plaintext(self, text: str) -> Any:
        raise NotImplementedError

    def encrypt(self, value: Any) -> str | None:
        if value is None:
            return None
        return keyring().encrypt(self.to_plaintext(value).encode("utf-8"), self.aad)

    def decrypt(self, token: str) -> Any:
        # No local holds the plaintext, and parse errors (whose messages may quote it)
        # are replaced, so tracebacks and error reports never show the value.
        try:
            return mask(self.from_plaintext(keyring().decrypt(token, self.aad).decode("utf-8")))
        except DecryptionError as exc:
            raise DecryptionError(f"{self.label}: {exc}") from None
        except ValueError:  # also UnicodeDecodeError, JSONDecodeError
            raise DecryptionError(
                f"{self.label}: the decrypted value does not parse as this field's type "
                "(was the field's type changed without a data migration?)"
            ) from None

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else self.decrypt(value)

    def get_prep_value(self, value: Any) -> Any:
        return self.encrypt(super().get_prep_value(value))

    def refusal(self, lookup_name: str) -> str:
        return (
            f"{self.label} is encrypted and cannot be filtered by value ({lookup_name!r}); "
            "look it up through its blind index (uslugi.core.fields.blind_index_for)"
        )

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        if lookup_name == "exact":
            return _NullOnlyExact
        raise exceptions.FieldError(self.refusal(lookup_name))

    def get_transform(self, lookup_name: str) -> Any:
        raise exceptions.FieldError(self.refusal(lookup_name))

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        for attribute in ("primary_key", "unique", "db_index"):
            if getattr(self, attribute):
                errors.append(
                    checks.Error(
                        f"An encrypted field cannot have {attribute}=True: equal values "
                        "have different ciphertexts.",
                        hint="Add a BlindIndexField(unique=True) over it instead.",
                        obj=self,
                        id="uslugi.E101",
                    )
                )
        return errors


class EncryptedTextField(EncryptedField):
    """Encrypted text; reads back as `Sensitive` (a `str`)."""

    def to_python(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return str(value)

    def to_plaintext(self, value: Any) -> str:
        return str(value)

    def from_plaintext(self, text: str) -> Any:
        return text

    def formfield(self, **kwargs: Any) -> Any:
        # One line, unlike TextField's textarea: these are identifiers and short texts.
        return models.Field.formfield(
            self, **{"form_class": CharFormField, "max_length": self.max_length, **kwargs}
        )


class EncryptedDateField(EncryptedField):
    """An encrypted date, stored as its ISO form; reads back as `SensitiveDate`."""

    default_error_messages = {"invalid": _("Enter a valid date.")}  # never the value
    description = _("Encrypted date")

    def to_python(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            if timezone.is_aware(value):
                value = timezone.make_naive(value, timezone.get_default_timezone())
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            parsed = parse_date(str(value))
        except ValueError:
            parsed = None
        if parsed is None:
            raise exceptions.ValidationError(self.error_messages["invalid"], code="invalid")
        return parsed

    def to_plaintext(self, value: Any) -> str:
        return str(self.to_python(value).isoformat())

    def from_plaintext(self, text: str) -> Any:
        return dt.date.fromisoformat(text)

    def value_to_string(self, obj: models.Model) -> str:
        value = cast("dt.date | None", self.value_from_object(obj))
        return "" if value is None else value.isoformat()

    def formfield(self, **kwargs: Any) -> Any:
        return models.Field.formfield(self, **{"form_class": DateFormField, **kwargs})


class EncryptedJSONField(EncryptedField):
    """An encrypted JSON value. Python `None` is SQL NULL (JSON null is not stored)."""

    description = _("Encrypted JSON")

    def __init__(
        self,
        *args: Any,
        encoder: type[json.JSONEncoder] | None = None,
        decoder: type[json.JSONDecoder] | None = None,
        **kwargs: Any,
    ) -> None:
        self.encoder = encoder
        self.decoder = decoder
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        if self.encoder is not None:
            kwargs["encoder"] = self.encoder
        if self.decoder is not None:
            kwargs["decoder"] = self.decoder
        return name, path, args, kwargs

    def to_python(self, value: Any) -> Any:
        return value

    def to_plaintext(self, value: Any) -> str:
        return json.dumps(value, cls=self.encoder, ensure_ascii=False, separators=(",", ":"))

    def from_plaintext(self, text: str) -> Any:
        return json.loads(text, cls=self.decoder)

    def value_to_string(self, obj: models.Model) -> Any:
        return self.value_from_object(obj)  # as django's JSONField: serialisers take objects

    def formfield(self, **kwargs: Any) -> Any:
        return models.Field.formfield(
            self,
            **{
                "form_class": JSONFormField,
                "encoder": self.encoder,
                "decoder": self.decoder,
                **kwargs,
            },
        )


# --- Blind index -------------------------------------------------------------------------


class BlindIndexField(models.CharField):
    """A keyed HMAC of another field's normalised value, for equality look-ups and uniqueness.

    Filled on save from `source`; NULL when the source is None or normalises to "".
    The same `purpose` on two fields makes their indexes comparable (same kind of value).
    `normalizer` must be importable (it is written into migrations).
    """

    description = _("Blind index")

    def __init__(
        self,
        *args: Any,
        source: str,
        purpose: str,
        normalizer: Callable[[Any], str] | None = None,
        **kwargs: Any,
    ) -> None:
        if not purpose:
            raise ValueError("BlindIndexField needs a purpose")
        self.source = source
        self.purpose = purpose
        self.normalizer = normalizer
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        if not kwargs.get("unique"):
            kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["purpose"] = self.purpose
        if self.normalizer is not None:
            kwargs["normalizer"] = self.normalizer
        # Written only where they differ from this field's defaults (not CharField's).
        for key in ("max_length", "null", "editable", "db_index"):
            kwargs.pop(key, None)
        if self.max_length != 64:
            kwargs["max_length"] = self.max_length
        if not self.null:
            kwargs["null"] = False
        if self.editable:
            kwargs["editable"] = True
        db_index = getattr(self, "db_index")  # noqa: B009 - missing from django-stubs
        if db_index != (not self.unique):
            kwargs["db_index"] = db_index
        return name, path, args, kwargs

    def index_for(self, value: Any) -> str | None:
        """The index of a raw source value (normalised here), or None for an empty one."""
        if value is None:
            return None
        normalized = self.normalizer(value) if self.normalizer else str(value)
        if normalized == "":
            return None
        return blind_index(normalized, purpose=self.purpose)

    def compute(self, instance: models.Model) -> str | None:
        return self.index_for(getattr(instance, self.source))

    def pre_save(self, model_instance: models.Model, add: bool) -> Any:
        value = self.compute(model_instance)
        setattr(model_instance, self.attname, value)
        return value

    def clean(self, value: Any, model_instance: models.Model | None) -> Any:
        # full_clean() computes the index first, so validate_unique() can report a duplicate.
        return value if model_instance is None else self.compute(model_instance)

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        try:
            self.model._meta.get_field(self.source)
        except exceptions.FieldDoesNotExist:
            errors.append(
                checks.Error(
                    f"BlindIndexField source {self.source!r} is not a field of this model.",
                    obj=self,
                    id="uslugi.E102",
                )
            )
        return errors


def blind_index_for(model: type[models.Model], field_name: str, value: Any) -> str:
    """The blind index to filter `field_name` by, for a raw (unnormalised) value.

    `Person.objects.filter(snils_index=blind_index_for(Person, "snils_index", raw))`.
    An empty value has no index (it would match every row without one): ValueError.
    """
    field = model._meta.get_field(field_name)
    if not isinstance(field, BlindIndexField):
        raise TypeError(f"{model._meta.label}.{field_name} is not a BlindIndexField")
    index = field.index_for(value)
    if index is None:
        raise ValueError(f"an empty value has no blind index ({model._meta.label}.{field_name})")
    return index


@functools.cache
def _blind_index_fields(model: type[models.Model]) -> tuple[BlindIndexField, ...]:
    return tuple(f for f in model._meta.concrete_fields if isinstance(f, BlindIndexField))


@receiver(pre_save, dispatch_uid="uslugi.core.fields.blind_index_update_fields")
def _refuse_stale_blind_index(
    sender: type[models.Model], update_fields: frozenset[str] | None, **kwargs: Any
) -> None:
    """`save(update_fields=["snils"])` would skip the index; demand it is listed too."""
    if not update_fields:
        return
    for field in _blind_index_fields(sender):
        if field.source in update_fields and field.name not in update_fields:
            raise ValueError(
                f"save(update_fields=...) of {sender._meta.label} names {field.source!r} "
                f"but not its blind index {field.name!r}"
            )

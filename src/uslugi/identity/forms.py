"""HTML forms of the identity pages: they parse and check the format; services decide."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from uslugi.core import clock
from uslugi.core.validators import (
    normalize_passport,
    normalize_snils,
    validate_division_code,
    validate_passport_series_number,
    validate_snils,
)
from uslugi.identity.constants import (
    AdditionalDocumentType,
    Citizenship,
    DocumentType,
    Gender,
)
from uslugi.identity.contacts import normalize_document_number
from uslugi.identity.passwords import password_rule_text

DATE_FORMATS = ["%d.%m.%Y", "%Y-%m-%d", "%d/%m/%Y"]
MIN_AGE_YEARS = 14  # a Russian passport is issued from 14


def _text(
    label: Any, *, required: bool = True, max_length: int = 100, **attrs: Any
) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"spellcheck": "false", **attrs}),
    )


def _date(label: Any, *, required: bool = True, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text or _("For example, 27.03.1985"),
        widget=forms.DateInput(attrs={"inputmode": "numeric"}, format="%d.%m.%Y"),
        error_messages={"invalid": _("Enter a date like 27.03.1985.")},
    )


def _password(label: Any, *, autocomplete: str, help_text: Any = "") -> forms.CharField:
    # No max_length here: a longer password gets the rule's message, not a silent cut.
    return forms.CharField(
        label=label,
        strip=False,
        help_text=help_text,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


def _code(label: Any, *, length: int = 6, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=32,
        help_text=help_text,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
            if length == 6
            else {"autocomplete": "off", "spellcheck": "false"}
        ),
    )


class RegistrationForm(forms.Form):
    surname = _text(_("Surname"), autocomplete="family-name")
    first_name = _text(_("First name"), autocomplete="given-name")
    patronymic = _text(
        _("Patronymic"),
        required=False,
        help_text=_("If you have one, as in your passport."),
        autocomplete="additional-name",
    )
    contact = _text(
        _("Mobile phone or email"),
        max_length=254,
        help_text=_("We will send a code by SMS or a link by email to check it is yours."),
        autocomplete="username",
    )


class CodeForm(forms.Form):
    code = _code(_("Code"))


class PasswordSetForm(forms.Form):
    password = _password(
        _("Create a password"), autocomplete="new-password", help_text=password_rule_text
    )
    password_again = _password(_("Repeat the password"), autocomplete="new-password")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password_again"):
            self.add_error("password_again", _("The passwords do not match."))
        return data


class LoginForm(forms.Form):
    identifier = _text(
        _("Phone, email or SNILS"),
        max_length=254,
        help_text=_("For example, +7 912 345-67-89, name@example.ru or 112-233-445 95"),
        autocomplete="username",
    )
    password = _password(_("Password"), autocomplete="current-password")


class SecondStepForm(forms.Form):
    code = _code(
        _("Code"),
        length=0,
        help_text=_("The 6-digit code, or one of your recovery codes."),
    )


class RecoveryStartForm(forms.Form):
    identifier = _text(
        _("Phone, email or SNILS"),
        max_length=254,
        help_text=_("We will send a code to the phone or email linked to your account."),
        autocomplete="username",
    )


class PasswordChangeForm(PasswordSetForm):
    current = _password(_("Current password"), autocomplete="current-password")

    field_order = ["current", "password", "password_again"]


class PasswordConfirmForm(forms.Form):
    password = _password(_("Your password"), autocomplete="current-password")


class StandardForm(forms.Form):
    """The personal data checked by the registries for the standard level."""

    surname = _text(_("Surname"), autocomplete="family-name")
    first_name = _text(_("First name"), autocomplete="given-name")
    patronymic = _text(_("Patronymic"), required=False, autocomplete="additional-name")
    birth_date = _date(_("Date of birth"))
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices, widget=forms.RadioSelect)
    citizenship = forms.ChoiceField(
        label=_("Citizenship"), choices=Citizenship.choices, initial=Citizenship.RUS
    )
    snils = _text(
        _("SNILS"),
        max_length=20,
        help_text=_("11 digits, for example 112-233-445 95"),
        inputmode="numeric",
    )
    document_type = forms.ChoiceField(
        label=_("Identity document"),
        choices=DocumentType.choices,
        initial=DocumentType.RU_PASSPORT,
        widget=forms.RadioSelect,
    )
    passport_number = _text(
        _("Passport series and number"),
        required=False,
        max_length=20,
        help_text=_("Russian passport: 10 digits, for example 45 08 123456"),
        inputmode="numeric",
    )
    division_code = _text(
        _("Division code"),
        required=False,
        max_length=10,
        help_text=_("Russian passport: for example 770-001"),
        inputmode="numeric",
    )
    foreign_number = _text(
        _("Foreign passport number"),
        required=False,
        max_length=30,
        help_text=_("Foreign citizens: as printed in the passport"),
    )
    document_country = forms.ChoiceField(
        label=_("Country that issued the foreign passport"),
        choices=[("", "—"), *Citizenship.choices],
        required=False,
    )
    document_issued_on = _date(_("Date of issue"))
    document_issuer = _text(
        _("Issued by"), max_length=255, help_text=_("As written in the document")
    )

    def clean_snils(self) -> str:
        value = self.cleaned_data["snils"]
        validate_snils(value)
        return normalize_snils(value)

    def clean_birth_date(self) -> dt.date:
        value: dt.date = self.cleaned_data["birth_date"]
        today = timezone.localdate(clock.now())
        if value > today:
            raise ValidationError(_("The date of birth cannot be in the future."))
        if value.year < 1900:
            raise ValidationError(_("Check the year of birth."))
        if (today.year - value.year) - (
            (today.month, today.day) < (value.month, value.day)
        ) < MIN_AGE_YEARS:
            raise ValidationError(
                _("An account with checked data can be opened from the age of 14.")
            )
        return value

    def clean_document_issued_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["document_issued_on"]
        if value > timezone.localdate(clock.now()):
            raise ValidationError(_("The date of issue cannot be in the future."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("document_type")
        if kind == DocumentType.RU_PASSPORT:
            self._clean_passport(data)
        elif kind == DocumentType.FOREIGN_PASSPORT:
            if not data.get("foreign_number"):
                self.add_error("foreign_number", _("Enter the number of your foreign passport."))
            if not data.get("document_country"):
                self.add_error("document_country", _("Choose the country that issued it."))
            data["document_number"] = normalize_document_number(data.get("foreign_number", ""))
        born, issued = data.get("birth_date"), data.get("document_issued_on")
        if born and issued and issued < born:
            self.add_error(
                "document_issued_on", _("The date of issue is before the date of birth.")
            )
        return data

    def _clean_passport(self, data: dict[str, Any]) -> None:
        number = data.get("passport_number", "")
        try:
            validate_passport_series_number(number)
        except ValidationError as exc:
            self.add_error("passport_number", exc)
        else:
            data["document_number"] = normalize_passport(number)
        code = data.get("division_code", "")
        try:
            validate_division_code(code)
        except ValidationError as exc:
            self.add_error("division_code", exc)
        else:
            digits = normalize_passport(code)
            data["division_code"] = f"{digits[:3]}-{digits[3:]}"
        if data.get("citizenship") != Citizenship.RUS:
            self.add_error(
                "document_type",
                _("A Russian passport belongs to a citizen of Russia: check your citizenship."),
            )

    def submitted_data(self) -> dict[str, Any]:
        """What is frozen and sent to the registries (JSON-ready)."""
        d = self.cleaned_data
        russian = d["document_type"] == DocumentType.RU_PASSPORT
        return {
            "surname": d["surname"].strip(),
            "first_name": d["first_name"].strip(),
            "patronymic": d.get("patronymic", "").strip(),
            "birth_date": d["birth_date"].isoformat(),
            "gender": d["gender"],
            "citizenship": d["citizenship"],
            "snils": d["snils"],
            "document_type": d["document_type"],
            "document_number": d["document_number"],
            "document_issued_on": d["document_issued_on"].isoformat(),
            "document_issuer": d["document_issuer"].strip(),
            "division_code": d.get("division_code", "") if russian else "",
            "document_country": "" if russian else d.get("document_country", ""),
        }


class PostOrderForm(forms.Form):
    address = forms.CharField(
        label=_("Address for the letter"),
        max_length=300,
        help_text=_("Postcode, region, town, street, house and flat."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )


class PostCodeForm(forms.Form):
    code = _code(_("Code from the letter"), length=0, help_text=_("8 letters and digits"))


class ContactChangeForm(forms.Form):
    value = _text(_("New contact"), max_length=254)
    password = _password(
        _("Your password"),
        autocomplete="current-password",
        help_text=_("To protect your account, enter your password again."),
    )


class AddressesForm(forms.Form):
    registration = forms.CharField(
        label=_("Registration address"),
        required=False,
        max_length=300,
        help_text=_("Where you are registered (propiska), as in your passport."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    residence = forms.CharField(
        label=_("Residence address"),
        required=False,
        max_length=300,
        help_text=_("Where you actually live, if different."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DocumentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Document"),
        choices=[
            (k, label)
            for k, label in AdditionalDocumentType.choices
            if k != AdditionalDocumentType.INN
        ],
        widget=forms.RadioSelect,
    )
    number = _text(_("Series and number"), max_length=30)
    issued_on = _date(_("Date of issue"), required=False)
    valid_until = _date(_("Valid until"), required=False, help_text=_("For example, 27.03.2034"))
    issuer = _text(_("Issued by"), required=False, max_length=255)


class TotpSetupForm(forms.Form):
    code = _code(_("Code from the app"))
    password = _password(_("Your password"), autocomplete="current-password")


class OperatorSearchForm(forms.Form):
    snils = _text(_("SNILS"), required=False, max_length=20, inputmode="numeric")
    document_number = _text(_("Identity document series and number"), required=False, max_length=30)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("snils") and not data.get("document_number"):
            raise ValidationError(_("Enter a SNILS or a document's series and number."))
        if data.get("snils"):
            try:
                validate_snils(data["snils"])
            except ValidationError as exc:
                self.add_error("snils", exc)
        return data


class OperatorConfirmForm(forms.Form):
    checked = forms.BooleanField(
        label=_("The person is present, showed this identity document, and its data matches"),
    )


class OperatorRestoreForm(forms.Form):
    phone = _text(_("New mobile phone"), max_length=20, inputmode="tel")
    checked = forms.BooleanField(
        label=_("The person is present and showed the identity document linked to the account"),
    )


class CentreFilterForm(forms.Form):
    region = forms.ChoiceField(label=_("Region"), required=False)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = [("", _("All regions")), *regions]

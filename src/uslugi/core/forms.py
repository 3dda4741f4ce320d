"""Form helpers shared by every app's HTML views."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from uslugi.core.errors import DomainError


def add_domain_error(form: forms.BaseForm, error: DomainError) -> None:
    """Show a service's domain error on the form: on its field if known, else at the top."""
    field = error.field if error.field in form.fields else None
    form.add_error(field, ValidationError(error.text, code=error.code))

"""Forms of the catalogue pages (search, filters, region chooser)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from uslugi.catalog import selectors
from uslugi.catalog.constants import Level


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search for a service"), max_length=200, required=False, strip=True)
    category = forms.ChoiceField(label=_("Category"), required=False)
    level = forms.ChoiceField(
        label=_("Level"), required=False, choices=[("", _("Any level")), *Level.choices]
    )
    department = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)
    online = forms.BooleanField(label=_("Only services I can apply for online"), required=False)
    available = forms.BooleanField(label=_("Only services available in my region"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A callable: read only when the form is validated or shown.
        self.fields["category"].choices = _category_choices  # type: ignore[attr-defined]


def _category_choices() -> list[tuple[str, Any]]:
    return [("", _("Any category")), *selectors.category_choices()]


class RegionForm(forms.Form):
    region = forms.ChoiceField(label=_("Your region"))
    next = forms.CharField(required=False, widget=forms.HiddenInput, max_length=500)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [  # type: ignore[attr-defined]
            ("", _("Choose a region")),
            *((r.code, f"{r.name} ({r.code})") for r in selectors.regions()),
        ]

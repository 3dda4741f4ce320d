from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from uslugi.forms.engine import MultipleFileField

# The files a reply or a result may carry.
REPLY_FILES: dict[str, Any] = {
    "name": "files",
    "accept": ["application/pdf", "image/jpeg", "image/png"],
    "max_size_kb": 10240,
    "max_files": 5,
}


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your answer"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": _("Write your answer to the agency's request.")},
    )
    documents = MultipleFileField(
        label=_("Documents"),
        required=False,
        help_text=_("Up to 5 files: PDF, JPG or PNG, each up to 10 MB."),
    )


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Application number or service"), max_length=100, required=False)
    group = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All")),
            ("active", _("In progress")),
            ("completed", _("Completed")),
        ],
    )

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from uslugi.agencies.constants import ANY_STATUS, Role
from uslugi.applications.constants import STAFF_STATUS_LABELS, Status
from uslugi.forms.engine import MultipleFileField


class QueueForm(forms.Form):
    number = forms.CharField(label=_("Application number"), max_length=40, required=False)
    service = forms.ChoiceField(label=_("Service"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("To do (not decided yet)")), (ANY_STATUS, _("Any"))]
        + [(s.value, STAFF_STATUS_LABELS[s]) for s in Status if s != Status.SUBMITTED],
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=[("", _("Any time")), ("overdue", _("Overdue")), ("week", _("Due this week"))],
    )
    assignee = forms.ChoiceField(
        label=_("Assigned to"),
        required=False,
        choices=[("", _("Anyone")), ("mine", _("Me")), ("unassigned", _("Nobody"))],
    )
    kind = forms.ChoiceField(
        label=_("Applications"),
        required=False,
        choices=[("", _("Real")), ("test", _("Test (monitoring)"))],
    )
    office = forms.ChoiceField(label=_("Office"), required=False)

    def __init__(
        self,
        *args: Any,
        services: list[tuple[str, str]],
        offices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Any")), *services]  # type: ignore[attr-defined]
        self.fields["office"].choices = [("", _("Any")), *(offices or [])]  # type: ignore[attr-defined]


class CommentForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the applicant"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class RequestInfoForm(forms.Form):
    comment = forms.CharField(
        label=_("What the applicant has to send or explain"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what the applicant has to do or why.")},
    )


class RefuseForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason for refusal"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write the reason for the refusal.")},
    )


class ApproveForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the applicant"),
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    documents = MultipleFileField(
        label=_("Result documents"),
        required=False,
        help_text=_("Up to 5 PDF files, each up to 10 MB."),
    )


class AssignForm(forms.Form):
    assignee = forms.ChoiceField(label=_("Assign to"), required=False)

    def __init__(self, *args: Any, officers: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.officers = {str(o.pk): o for o in officers}
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", _("Nobody")),
            *[(str(o.pk), o.get_full_name() or o.email or str(o.pk)) for o in officers],
        ]


class StatisticsForm(forms.Form):
    since = forms.DateField(label=_("Submitted from"), required=False)
    until = forms.DateField(label=_("Submitted to"), required=False)


class StaffRoleForm(forms.Form):
    email = forms.EmailField(label=_("Email of the account"))
    department = forms.ChoiceField(label=_("Department"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    region = forms.CharField(
        label=_("Region code"),
        max_length=2,
        required=False,
        help_text=_("Two digits, e.g. 77. Empty: every region of the department."),
    )
    office = forms.ChoiceField(
        label=_("Office"),
        required=False,
        help_text=_("Empty: every office. Officers and supervisors only."),
    )

    def __init__(
        self,
        *args: Any,
        departments: list[tuple[str, str]],
        offices: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["department"].choices = departments  # type: ignore[attr-defined]
        self.fields["office"].choices = [("", "—"), *(offices or [])]  # type: ignore[attr-defined]

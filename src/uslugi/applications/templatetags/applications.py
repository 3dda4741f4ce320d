from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from uslugi.applications.constants import STAFF_STATUS_LABELS, Status

register = template.Library()

_COLOURS: dict[str, str] = {
    Status.SUBMITTED: "grey",
    Status.DELIVERED: "light-blue",
    Status.ACCEPTED: "blue",
    Status.IN_PROGRESS: "blue",
    Status.INFO_REQUESTED: "orange",
    Status.INFO_PROVIDED: "purple",
    Status.APPROVED: "green",
    Status.REFUSED: "red",
    Status.CANCELLED: "grey",
    Status.WITHDRAWN: "grey",
}


@register.filter
def status_colour(status: str) -> str:
    return _COLOURS.get(status, "grey")


@register.simple_tag
def status_tag(status: str, label: str) -> SafeString:
    """An application's status as a coloured tag (components/tag.html's markup), in one
    call: long lists render it per row."""
    return format_html(
        '<strong class="govuk-tag govuk-tag--{}">{}</strong>', status_colour(status), label
    )


@register.filter
def staff_status(status: str) -> str:
    """The back office's label of a status ("Cancelled by the applicant", not "by you")."""
    label = STAFF_STATUS_LABELS.get(status)
    return str(label) if label is not None else status


@register.simple_tag
def staff_status_tag(status: str) -> SafeString:
    """`status_tag` with the back office's label."""
    return status_tag(status, staff_status(status))

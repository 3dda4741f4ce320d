from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from uslugi.applications.constants import Status

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

from __future__ import annotations

from django import template

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

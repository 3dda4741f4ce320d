"""Template helpers for the design-system components in `core/templates/components/`.

Presentation only: which GOV.UK Frontend classes and ARIA attributes a Django form
widget needs, and the links of a pagination bar. No business rules live here.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.core.paginator import Page
from django.http import HttpRequest, QueryDict
from django.utils.safestring import SafeString

from uslugi.core.pagination import KeysetPage

register = template.Library()

# Django's `BoundField.widget_type` (the widget class name, lower case, without
# "widget"/"input") mapped to the kind of GOV.UK component that renders it.
_WIDGET_KINDS = {
    "textarea": "textarea",
    "select": "select",
    "selectmultiple": "select",
    "nullbooleanselect": "select",
    "radioselect": "radios",
    "checkboxselectmultiple": "checkboxes",
    "checkbox": "checkbox",
    "file": "file",
    "clearablefile": "file",
    "hidden": "hidden",
    "multiplehidden": "hidden",
}

# The CSS class each kind's control gets, with its error modifier (if GOV.UK has one).
_CONTROL_CLASSES = {
    "input": ("govuk-input", "govuk-input--error"),
    "textarea": ("govuk-textarea", "govuk-textarea--error"),
    "select": ("govuk-select", "govuk-select--error"),
    "file": ("govuk-file-upload", "govuk-file-upload--error"),
    "checkbox": ("govuk-checkboxes__input", ""),
}

_PAGE_WINDOW = 1  # pages shown either side of the current one and at each end


@register.filter
def widget_kind(field: forms.BoundField) -> str:
    """The component kind for a bound field: input, textarea, select, radios, checkboxes..."""
    return _WIDGET_KINDS.get(field.widget_type, "input")


@register.filter
def field_anchor(field: forms.BoundField) -> str:
    """The element id an error summary links to: the control, or the first option of a group."""
    if widget_kind(field) in {"radios", "checkboxes"}:
        return f"{field.auto_id}_0"
    return field.id_for_label or field.auto_id


@register.simple_tag
def field_control(field: forms.BoundField, classes: str = "") -> SafeString:
    """Render a field's own control with GOV.UK classes and its hint and error described-by."""
    kind = widget_kind(field)
    base, error_class = _CONTROL_CLASSES.get(kind, ("", ""))
    existing = field.field.widget.attrs.get("class", "")
    css = " ".join(
        part for part in (base, error_class if field.errors else "", existing, classes) if part
    )
    attrs: dict[str, Any] = {"class": css} if css else {}
    described_by = field_described_by(field)
    if described_by:
        attrs["aria-describedby"] = described_by
    return field.as_widget(attrs=attrs)


@register.filter
def field_described_by(field: forms.BoundField) -> str:
    """Ids of the hint and the error message of a field, as `aria-describedby` wants them."""
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


def _url_with(request: HttpRequest | None, **params: object) -> str:
    """The current query string with some parameters replaced (others kept)."""
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for name, value in params.items():
        query[name] = str(value)
    return "?" + query.urlencode()


@register.simple_tag(takes_context=True)
def pagination_links(
    context: template.Context,
    page: Page | KeysetPage | None = None,
    previous_url: str = "",
    next_url: str = "",
    param: str = "",
) -> dict[str, Any]:
    """Previous/next links, and numbered items (with ellipses) when given a Django `Page`.

    A keyset page links its previous and next cursors (in `param`, default "cursor").
    Without a page (cursor pagination) the given previous and next URLs are used as they are.
    """
    if isinstance(page, KeysetPage):
        request = context.get("request")
        param = param or "cursor"
        return {
            "previous_url": _url_with(request, **{param: page.previous_cursor})
            if page.previous_cursor
            else "",
            "next_url": _url_with(request, **{param: page.next_cursor}) if page.next_cursor else "",
            "items": [],
        }
    if not isinstance(page, Page):
        return {"previous_url": previous_url or "", "next_url": next_url or "", "items": []}
    request = context.get("request")
    param = param or "page"
    paginator = page.paginator
    items: list[dict[str, Any]] = []
    if paginator.num_pages > 1:
        for number in paginator.get_elided_page_range(
            page.number, on_each_side=_PAGE_WINDOW, on_ends=_PAGE_WINDOW
        ):
            if number == paginator.ELLIPSIS:
                items.append({"ellipsis": True})
            else:
                items.append(
                    {
                        "number": number,
                        "url": _url_with(request, **{param: number}),
                        "current": number == page.number,
                    }
                )
    return {
        "previous_url": (
            _url_with(request, **{param: page.previous_page_number()})
            if page.has_previous()
            else ""
        ),
        "next_url": (
            _url_with(request, **{param: page.next_page_number()}) if page.has_next() else ""
        ),
        "items": items,
    }

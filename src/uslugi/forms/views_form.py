"""The form itself: start (or resume) a draft, one page per step, check your answers."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from uslugi.core.errors import DomainError
from uslugi.forms import engine, selectors, services
from uslugi.forms.errors import DefinitionNotFound
from uslugi.forms.models import Draft


def _draft(request: HttpRequest, form_code: str) -> Draft:
    try:
        version = selectors.version_current(
            code=form_code, include_testing=request.user.has_perm("forms.test_definitions")
        )
    except DefinitionNotFound as exc:
        raise Http404(exc.text) from exc
    return services.draft_start(account=request.user, version=version)


def _next_step(document: dict[str, Any], answers: dict[str, Any], step_id: str) -> str:
    ids = [s["id"] for s in engine.visible_steps(document, answers)]
    later = ids[ids.index(step_id) + 1 :] if step_id in ids else []
    return later[0] if later else "check"


def _step_url(form_code: str, step_id: str) -> str:
    if step_id == "check":
        return reverse("forms:check", args=[form_code])
    return reverse("forms:step", args=[form_code, step_id])


@login_required
def start(request: HttpRequest, form_code: str) -> HttpResponse:
    """Start a new draft, or resume one at the step where the person stopped."""
    draft = _draft(request, form_code)
    return redirect(_step_url(form_code, draft.current_step or "check"))


@login_required
def step(request: HttpRequest, form_code: str, step_id: str) -> HttpResponse:
    draft = _draft(request, form_code)
    document = draft.version.document
    steps = engine.visible_steps(document, draft.data)
    current = next((s for s in document["steps"] if s["id"] == step_id), None)
    if current is None:
        raise Http404
    if current not in steps:
        return redirect(_step_url(form_code, _next_step(document, draft.data, step_id)))
    kwargs = {"step": current, "saved": dict(draft.data), "locked": dict(draft.locked)}
    if request.method == "POST":
        form = engine.StepForm(request.POST, **kwargs)
        if form.is_valid():
            answers = form.answers()
            merged = {**draft.data, **answers}
            following = _next_step(document, merged, step_id)
            if "another" in request.POST:  # "Save and add another": back to this step
                services.draft_save_step(draft=draft, answers=answers, next_step=step_id)
                return redirect(_step_url(form_code, step_id))
            services.draft_save_step(draft=draft, answers=answers, next_step=following)
            return redirect(_step_url(form_code, following))
    else:
        form = engine.StepForm(**kwargs)
    index = [s["id"] for s in steps].index(step_id)
    back = (
        _step_url(form_code, steps[index - 1]["id"])
        if index
        else reverse("catalog-service", args=[form_code])
    )
    return render(
        request,
        "forms/step.html",
        {
            "document": document,
            "step": current,
            "form": form,
            "items": _items(form),
            "number": index + 1,
            "total": len(steps),
            "back_url": back,
            "has_group": any(f["type"] == "group" for f in form.visible),
        },
    )


def _items(form: engine.StepForm) -> list[dict[str, Any]]:
    """What the step shows, in order: info blocks and bound fields (composites expanded)."""
    items: list[dict[str, Any]] = []
    for field in form.visible:
        if field["type"] == "info":
            items.append({"info": field["text"]})
        elif field["type"] == "file":
            items.append({"unsupported": field.get("label", field["name"])})
        elif field["type"] == "group":
            rows = []
            for index in range(form.group_rows(field)):
                prefix = f"{field['name']}__{index}__"
                rows.append([form[n] for n in form.fields if n.startswith(prefix)])
            items.append({"group": field, "rows": rows})
        else:
            names = [
                n for n in form.fields if n == field["name"] or n.startswith(f"{field['name']}__")
            ]
            items.extend({"field": form[n]} for n in names)
    return items


def _display(field: dict[str, Any], value: Any) -> str:
    if value is None or value == "":
        return ""
    if field["type"] == "yesno":
        return str(engine.YES_LABEL if value else engine.NO_LABEL)
    if "options" in field:
        labels = {o["value"]: o["label"] for o in field["options"]}
        values = value if isinstance(value, list) else [value]
        return ", ".join(str(labels.get(v, v)) for v in values)
    if isinstance(value, dict):
        return ", ".join(str(v) for v in value.values() if v)
    if isinstance(value, list) and field["type"] == "group":
        return "; ".join(", ".join(str(v) for v in row.values()) for row in value)
    return str(value)


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, form_code: str) -> HttpResponse:
    """Check your answers: every visible answer, with a link to change it."""
    draft = _draft(request, form_code)
    document = draft.version.document
    sections = []
    for s in engine.visible_steps(document, draft.data):
        rows = [
            {
                "key": f.get("label", f["name"]),
                "value": _display(f, draft.data.get(f["name"])),
                "action_url": ""
                if f["name"] in draft.locked
                else _step_url(form_code, s["id"]) + f"#id_{f['name']}",
            }
            for f in s["fields"]
            if f["type"] != "info" and engine.truthy(f.get("visible_if"), draft.data)
        ]
        sections.append({"title": s["title"], "rows": rows})
    context: dict[str, Any] = {"document": document, "sections": sections}
    if document["kind"] == "information" and request.method == "POST":
        # A read-only query answered at once: the answer is shown on this response, not
        # stored (nothing changes that a reload could repeat harmfully).
        try:
            result = services.information_request(draft=draft)
        except DomainError as exc:  # the bus refused the request (no grant, invalid)
            context["refused"] = exc.text
        else:
            context["result"] = result
            context["answer"] = _answer_blocks(result.response or {})
    return render(request, "forms/check.html", context)


def _answer_blocks(response: dict[str, Any]) -> list[dict[str, Any]]:
    """A registry's answer as summary lists: one per listed item, one for the totals."""
    blocks: list[dict[str, Any]] = []
    totals = []
    for key, value in response.items():
        if isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    rows = [
                        {"key": k, "value": "" if v is None else str(v)} for k, v in item.items()
                    ]
                    blocks.append({"title": key, "rows": rows})
        else:
            totals.append({"key": key, "value": "" if value is None else str(value)})
    if totals:
        blocks.append({"title": "", "rows": totals})
    return blocks

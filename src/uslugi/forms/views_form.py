"""The form itself: start (or resume) a draft, one page per step, check your answers."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from uslugi.core.errors import DomainError
from uslugi.forms import answers, engine, files, selectors, services
from uslugi.forms.answers import answer_blocks
from uslugi.forms.errors import DefinitionNotFound
from uslugi.forms.models import DefinitionVersion, Draft, Upload


def _current(request: HttpRequest, form_code: str) -> DefinitionVersion:
    """The version in effect for this person (looked up once per request)."""
    known: dict[str, DefinitionVersion] = request.__dict__.setdefault("_forms_current", {})
    if form_code not in known:
        try:
            known[form_code] = selectors.version_current(
                code=form_code,
                include_testing=lambda: request.user.has_perm("forms.test_definitions"),
            )
        except DefinitionNotFound as exc:
            raise Http404(exc.text) from exc
    return known[form_code]


def _draft(request: HttpRequest, form_code: str) -> Draft:
    """The person's draft of this form: of the version in effect, else one they started on
    an older version (kept on it; they may move it), else a new one."""
    version = _current(request, form_code)
    draft = selectors.draft_of_version(account=request.user, version=version)
    if draft is not None:  # the common case: one query
        return draft
    older = selectors.draft_on_older_version(account=request.user, version=version)
    if older is not None:
        return older
    return services.draft_start(account=request.user, version=version)


def _newer(request: HttpRequest, draft: Draft) -> DefinitionVersion | None:
    current = _current(request, draft.version.definition.code)
    return current if current.number > draft.version.number else None


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
@require_http_methods(["GET", "POST"])
def step(request: HttpRequest, form_code: str, step_id: str) -> HttpResponse:
    draft = _draft(request, form_code)
    document = draft.version.localized()
    steps = engine.visible_steps(document, draft.data)
    current = next((s for s in document["steps"] if s["id"] == step_id), None)
    if current is None:
        raise Http404
    if current not in steps:
        return redirect(_step_url(form_code, _next_step(document, draft.data, step_id)))
    kwargs = {
        "step": current,
        "saved": dict(draft.data),
        "locked": dict(draft.locked),
        "sources": dict(draft.sources),
    }
    preview = request.method == "POST" and request.GET.get("preview") == "1"
    if request.method == "POST" and "remove" in request.POST and not preview:
        field, _sep, upload_id = request.POST["remove"].partition(":")
        services.draft_remove_file(draft=draft, field=field, upload_id=upload_id)
        return redirect(_step_url(form_code, step_id))
    if request.method == "POST":
        form = engine.StepForm(request.POST, request.FILES, **kwargs)
        valid = form.is_valid()
        if preview:
            # htmx re-renders the step as answered so far (conditions shown or hidden);
            # nothing is saved and no errors are shown yet.
            form.quiet()
        elif valid:
            answers = form.answers()
            merged = {**draft.data, **answers}
            following = _next_step(document, merged, step_id)
            if "another" in request.POST:  # "Save and add another": back to this step
                following = step_id
            services.draft_save_step(
                draft=draft, answers=answers, next_step=following, new_files=form.new_files
            )
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
            "items": _items(form, form_code),
            "number": index + 1,
            "total": len(steps),
            "back_url": back,
            "has_group": any(f["type"] == "group" for f in form.visible),
            "has_files": any(f["type"] == "file" for f in form.visible),
            "preview_url": f"{_step_url(form_code, step_id)}?preview=1",
            "newer": _newer(request, draft),
            "draft": draft,
        },
    )


def _items(form: engine.StepForm, form_code: str) -> list[dict[str, Any]]:
    """What the step shows, in order: info blocks and bound fields (composites expanded).

    Fields that other fields' conditions read are `live`: with JavaScript on, changing
    them re-renders the step at once (htmx); without it, Continue does the same.
    """
    items: list[dict[str, Any]] = []
    live = engine.condition_sources(form.step)
    for field in form.visible:
        if field["type"] == "info":
            items.append({"info": field["text"]})
        elif field["type"] == "file":
            saved = [
                {**d, "url": reverse("forms:file", args=[form_code, d["id"]])}
                for d in form.saved.get(field["name"]) or []
            ]
            items.append(
                {
                    "field": form[field["name"]],
                    "files": saved,
                    "spec": field,
                    "accept": files.accepted_labels(field),
                    "max_files": field.get("max_files", 1),
                    "max_mb": f"{field['max_size_kb'] / 1024:g}" if "max_size_kb" in field else "",
                }
            )
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
            items.extend({"field": form[n], "live": field["name"] in live} for n in names)
    return items


def _step_of(document: dict[str, Any], step_id: str) -> dict[str, Any]:
    return next(s for s in document["steps"] if s["id"] == step_id)


def _link(form_code: str, step: dict[str, Any], key: str) -> str:
    """A link to a question on its step (to the control itself where there is one)."""
    target = engine.anchor(step, key)
    return _step_url(form_code, step["id"]) + (f"#{target}" if target else "")


@login_required
@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, form_code: str) -> HttpResponse:
    """Check your answers: every visible answer, with a link to change it."""
    draft = _draft(request, form_code)
    document = draft.version.localized()
    sections = []
    for s in engine.visible_steps(document, draft.data):
        rows = [
            {
                "key": f.get("label", f["name"]),
                "value": answers.field_text(f, draft.data.get(f["name"])),
                "action_url": "" if f["name"] in draft.locked else _link(form_code, s, f["name"]),
            }
            for f in s["fields"]
            if f["type"] != "info" and engine.truthy(f.get("visible_if"), draft.data)
        ]
        sections.append({"title": s["title"], "rows": rows})
    # The whole draft is re-validated as on submit: a step skipped or an answer no longer
    # valid (a date that has passed) is listed with a link to fix it.
    problems = [
        {"text": message, "href": _link(form_code, _step_of(document, step_id), key)}
        for step_id, key, message in engine.validate_answers(
            document, dict(draft.data), locked=dict(draft.locked), sources=dict(draft.sources)
        )
    ]
    context: dict[str, Any] = {
        "document": document,
        "sections": sections,
        "problems": problems,
        "newer": _newer(request, draft),
        "draft": draft,
        "submit_key": uuid.uuid4().hex,
    }
    if document["kind"] == "information" and request.method == "POST" and not problems:
        # A read-only query answered at once: the answer is shown on this response, not
        # stored (nothing changes that a reload could repeat harmfully).
        try:
            result = services.information_request(draft=draft)
        except DomainError as exc:  # the bus refused the request (no grant, invalid)
            context["refused"] = exc.text
        else:
            context["result"] = result
            context["answer"] = answer_blocks(result.response or {})
    return render(request, "forms/check.html", context)


@login_required
@require_POST
def migrate(request: HttpRequest, form_code: str) -> HttpResponse:
    """Move the person's draft to the version of the form now in effect."""
    draft = _draft(request, form_code)
    newer = _newer(request, draft)
    if newer is None:
        return redirect(_step_url(form_code, draft.current_step or "check"))
    outcome = services.draft_migrate(draft=draft, version=newer)
    document = newer.localized()
    if outcome.reenter:
        labels = sorted(
            {
                str(f.get("label", f["name"]))
                for _step, key, _message in outcome.reenter
                for step in document["steps"]
                for f in step["fields"]
                if f["name"] == key.split("__")[0]
            }
        )
        messages.warning(
            request,
            _(
                "Your answers were moved to the new version of the form. Enter these again: %(fields)s."
            )
            % {"fields": "; ".join(labels) or _("the answers marked on the pages")},
        )
    else:
        messages.success(request, _("Your answers were moved to the new version of the form."))
    return redirect(_step_url(form_code, outcome.draft.current_step or "check"))


@login_required
def file(request: HttpRequest, form_code: str, upload_id: str) -> HttpResponseBase:
    """A file the person attached to their own draft (nobody else's)."""
    upload = Upload.objects.filter(pk=upload_id, account_id=cast(Any, request.user).pk).first()
    if upload is None:
        raise Http404
    content = services.upload_read(upload)
    return files.download(content, content_type=upload.content_type, filename=str(upload.name))

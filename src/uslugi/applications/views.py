"""The applicant's side: submit, the dashboard, an application's page, reply, cancel."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from uslugi.applications import selectors, services
from uslugi.applications.constants import NEXT_FOR_APPLICANT, Actor, AttachmentKind, Status, allowed
from uslugi.applications.errors import ApplicationNotFound, LevelTooLow, TransitionRefused
from uslugi.applications.forms import REPLY_FILES, ReplyForm, SearchForm
from uslugi.core.errors import DomainError
from uslugi.forms import files as form_files
from uslugi.forms import selectors as form_selectors
from uslugi.forms import services as form_services
from uslugi.forms.answers import answer_blocks

PAGE_SIZE = 20


def _account(request: HttpRequest) -> Any:
    return cast(Any, request.user)


def _own(request: HttpRequest, application_id: Any) -> Any:
    try:
        return selectors.application_for(account=_account(request), application_id=application_id)
    except ApplicationNotFound as exc:
        raise Http404(exc.text) from exc


@login_required
@require_POST
def submit(request: HttpRequest, form_code: str) -> HttpResponse:
    """Send the draft from check-your-answers; a repeated POST finds the same application."""
    try:
        draft_id = uuid.UUID(request.POST.get("draft", ""))
    except ValueError:
        raise Http404 from None
    key = request.POST.get("idempotency_key", "")[:80]
    draft = form_selectors.draft_of(account=_account(request), draft_id=draft_id)
    if draft is None:
        # Already submitted (another tab, a retried POST): show that application.
        done = (
            services.Application.objects.filter(account=_account(request), draft_id=draft_id)
            .only("pk")
            .first()
        )
        if done is None:
            raise Http404
        return redirect(reverse("applications:detail", args=[done.pk]) + "?submitted=1")
    try:
        outcome = services.application_submit(
            account=_account(request), draft=draft, idempotency_key=key
        )
    except LevelTooLow:
        decision = services.may_submit(_account(request), draft.version.document)
        return render(
            request, "applications/level.html", {"decision": decision, "form_code": form_code},
            status=403,
        )  # fmt: skip
    except services.AnswersIncomplete as exc:
        messages.error(request, exc.text)
        return redirect("forms:check", form_code)
    return redirect(reverse("applications:detail", args=[outcome.application.pk]) + "?submitted=1")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """Drafts, applications in progress and completed: filter and search by number."""
    search = SearchForm(request.GET or None)
    group = query = ""
    if search.is_valid():
        group, query = search.cleaned_data["group"], search.cleaned_data["q"]
    found = selectors.applications_of(_account(request), group=group, query=query)
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    drafts = form_selectors.drafts_of(_account(request)) if not query else []
    return render(
        request,
        "applications/dashboard.html",
        {
            "search": search,
            "page": page,
            "drafts": [
                {
                    "draft": d,
                    "title": d.version.localized()["title"],
                    "code": d.version.definition.code,
                }
                for d in drafts
            ],
            "query": query,
            "group": group,
            "answers": [
                {"answer": a, "title": a.version.localized()["title"]}
                for a in form_selectors.information_answers_of(_account(request))
            ]
            if not query
            else [],
        },
    )


@login_required
def answer(request: HttpRequest, answer_id: uuid.UUID) -> HttpResponse:
    """An information service's answer from the person's history."""
    found = form_selectors.information_answer_of(account=_account(request), answer_id=answer_id)
    if found is None:
        raise Http404
    return render(
        request,
        "applications/answer.html",
        {
            "answer": found,
            "title": found.version.localized()["title"],
            "blocks": answer_blocks(dict(found.response)),
            "request_rows": [{"key": k, "value": v} for k, v in dict(found.request).items()],
        },
    )


@login_required
def detail(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _own(request, application_id)
    events = selectors.timeline(application)
    last_request = next((e for e in reversed(events) if e.status == Status.INFO_REQUESTED), None)
    return render(
        request,
        "applications/detail.html",
        {
            "application": application,
            "events": events,
            "expected": NEXT_FOR_APPLICANT.get(application.status, ""),
            "results": selectors.results(application),
            "own_files": application.attachments.filter(
                kind=AttachmentKind.APPLICANT
            ).select_related("upload"),
            "may_cancel": allowed(application.status, Status.CANCELLED, Actor.APPLICANT),
            "may_reply": application.status == Status.INFO_REQUESTED,
            "last_request": last_request,
            "reply_form": ReplyForm(),
            "submitted": request.GET.get("submitted") == "1",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def reply(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    application = _own(request, application_id)
    if application.status != Status.INFO_REQUESTED:
        return redirect("applications:detail", application.pk)
    form = ReplyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["documents"] or []
        # Every file is checked before any is kept: a bad one keeps none.
        problems = [
            problem
            for upload in chosen
            for content_type, problem in [form_files.check_upload(REPLY_FILES, upload)]
            if content_type is None
        ]
        if len(chosen) > REPLY_FILES["max_files"]:
            form.add_error("documents", _("Attach up to 5 files."))
        for problem in problems:
            form.add_error("documents", problem)
        if form.is_valid():
            uploads = [
                form_services.upload_accept(
                    account=_account(request), field=REPLY_FILES, upload=upload
                )
                for upload in chosen
            ]
            try:
                services.reply(
                    application=application,
                    account=_account(request),
                    text=form.cleaned_data["text"],
                    uploads=uploads,
                )
            except TransitionRefused as exc:
                messages.error(request, exc.text)
            else:
                messages.success(request, _("Your answer has been sent to the agency."))
            return redirect("applications:detail", application.pk)
    return render(
        request,
        "applications/reply.html",
        {
            "application": application,
            "form": form,
            "accept": form_files.accepted_labels(REPLY_FILES),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def cancel(request: HttpRequest, application_id: uuid.UUID) -> HttpResponse:
    """Ask, then cancel (allowed until the agency accepts the application)."""
    application = _own(request, application_id)
    if request.method == "POST":
        try:
            services.cancel(application=application, account=_account(request))
        except DomainError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, _("The application has been cancelled."))
        return redirect("applications:detail", application.pk)
    return render(request, "applications/cancel.html", {"application": application})


@login_required
def attachment(
    request: HttpRequest, application_id: uuid.UUID, attachment_id: uuid.UUID
) -> HttpResponseBase:
    """A file of the person's own application (anyone else's: 404)."""
    try:
        found = selectors.attachment_for(
            account=_account(request), application_id=application_id, attachment_id=attachment_id
        )
    except ApplicationNotFound as exc:
        raise Http404(exc.text) from exc
    content = form_services.upload_read(found.upload)
    return form_files.download(
        content, content_type=found.upload.content_type, filename=str(found.upload.name)
    )


@login_required
@require_POST
def draft_delete(request: HttpRequest, draft_id: uuid.UUID) -> HttpResponse:
    draft = form_selectors.draft_of(account=_account(request), draft_id=draft_id)
    if draft is None:
        raise Http404
    form_services.draft_delete(draft=draft, actor=_account(request))
    messages.success(request, _("The draft has been deleted."))
    return redirect("applications:dashboard")

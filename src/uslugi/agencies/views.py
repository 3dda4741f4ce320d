"""The back office: the queue, an application's case, actions, workload, statistics and
staff roles. Every view resolves the staff member's scope first; anything outside it is
a 404, and staff without a second sign-in step are sent to turn it on."""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from uslugi.agencies import answers as case_answers
from uslugi.agencies import selectors, services
from uslugi.agencies.constants import ACTION_TARGET, OPEN, Action
from uslugi.agencies.errors import CaseNotFound
from uslugi.agencies.forms import (
    ApproveForm,
    AssignForm,
    CommentForm,
    QueueForm,
    RefuseForm,
    RequestInfoForm,
    StaffRoleForm,
    StatisticsForm,
)
from uslugi.agencies.models import AutotestRun
from uslugi.agencies.selectors import QueueFilter, Scope
from uslugi.applications.constants import Actor, AttachmentKind, allowed
from uslugi.applications.errors import TransitionRefused
from uslugi.applications.models import Application
from uslugi.catalog import selectors as catalog_selectors
from uslugi.core.errors import DomainError
from uslugi.core.forms import add_domain_error
from uslugi.core.pagination import BadCursor, Keyset, capped_count
from uslugi.forms import files as form_files
from uslugi.forms import services as form_services
from uslugi.identity.views.common import person_required

PAGE_SIZE = 25
# The queue's pages: "previous" and "next" in due order (keyset), so a deep page costs
# what the first does.
QUEUE_PAGES = Keyset(selectors.QUEUE_ORDER, PAGE_SIZE, salt="uslugi.agencies.queue")

StaffView = Callable[..., HttpResponse]


def staff_required(view: Callable[..., HttpResponseBase]) -> StaffView:
    """Signed in, with a staff role and a second sign-in step; the view gets the scope."""

    @person_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        scope = selectors.staff_scope(request.user)
        if not scope.is_staff:
            raise PermissionDenied
        if not scope.has_second_factor:
            return render(request, "agencies/second_factor.html", status=403)
        request.agency_scope = scope  # type: ignore[attr-defined]  # for the menu
        return cast(HttpResponse, view(request, scope, *args, **kwargs))

    return wrapper


def _case(scope: Scope, application_id: Any) -> Application:
    try:
        return selectors.case_for(scope, application_id)
    except CaseNotFound as exc:
        raise Http404(exc.text) from exc


@staff_required
def queue(request: HttpRequest, scope: Scope) -> HttpResponse:
    """The applications of the staff member's departments, filtered and searched."""
    offices = selectors.offices_of(scope)
    form = QueueForm(request.GET or None, services=selectors.services_of(scope), offices=offices)
    filters = QueueFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = QueueFilter(
            service=data["service"],
            status=data["status"],
            due=data["due"],
            test=data["kind"] == "test",
            assignee=data["assignee"],
            number=data["number"].strip(),
            office=data["office"],
        )
    found = selectors.queue(scope, filters)
    try:
        page = QUEUE_PAGES.page(found, request.GET.get("cursor", ""))
    except BadCursor:  # an old or mangled link: the first page
        page = QUEUE_PAGES.page(found)
    today = selectors.today()
    rows = []
    for application in page.object_list:
        case = getattr(application, "case_file", None)
        rows.append(
            {
                "application": application,
                "case": case,
                "overdue": bool(
                    application.due_on and application.due_on < today and application.status in OPEN
                ),
                "may_accept": allowed(
                    application.status, ACTION_TARGET[Action.ACCEPT], Actor.AGENCY
                )
                and (case is None or services.may_act(scope, application, case)),
            }
        )
    return render(
        request,
        "agencies/queue.html",
        {
            "scope": scope,
            "form": form,
            "page": page,
            # The count walks the queue's index in its order (its columns, not the id).
            "count": capped_count(
                found, column=selectors.QUEUE_ORDER[0], ordered=selectors.QUEUE_ORDER[:-1]
            ),
            "rows": rows,
            "test": filters.test,
            "has_offices": len(offices) > 1,
        },
    )


def _case_context(
    request: HttpRequest, scope: Scope, application: Application, **forms: Any
) -> dict[str, Any]:
    case = services.case_file_of(application)
    document = application.version.localized()
    events = list(
        application.events.order_by("created_at")
        .select_related("actor_account")
        .prefetch_related("attachments__upload")
    )
    status = application.status
    # A colleague's case is theirs (or a supervisor's): no buttons that would be refused.
    may_act = services.may_act(scope, application, case)
    actions = {
        str(action): may_act and allowed(status, target, Actor.AGENCY)
        for action, target in ACTION_TARGET.items()
    }
    supervising = scope.supervises(application)
    context: dict[str, Any] = {
        "scope": scope,
        "application": application,
        "case": case,
        "overdue": bool(
            application.due_on and application.due_on < selectors.today() and status in OPEN
        ),
        "sections": case_answers.sections(document, dict(application.answers or {})),
        "attachments": list(
            application.attachments.select_related("upload").order_by("created_at")
        ),
        "events": events,
        "actions": actions,
        "may_act": may_act,
        "assigned_elsewhere": "" if may_act else services.assigned_elsewhere(case).text,
        "accept_form": forms.get("accept_form") or CommentForm(prefix="accept"),
        "start_form": forms.get("start_form") or CommentForm(prefix="start"),
        "request_form": forms.get("request_form") or RequestInfoForm(prefix="request_info"),
        "approve_form": forms.get("approve_form") or ApproveForm(prefix="approve"),
        "refuse_form": forms.get("refuse_form") or RefuseForm(prefix="refuse"),
        "error": forms.get("error", ""),
        "may_claim": case.assignee_id is None and status in OPEN,
        "supervising": supervising,
        "result_kind": AttachmentKind.RESULT,
        "office": catalog_selectors.office_by_code(application.office_code),
    }
    if supervising:
        context["assign_form"] = AssignForm(
            initial={"assignee": str(case.assignee_id or "")},
            officers=selectors.officers_for(application),
        )
    return context


@staff_required
def case(request: HttpRequest, scope: Scope, application_id: uuid.UUID) -> HttpResponse:
    application = _case(scope, application_id)
    return render(request, "agencies/case.html", _case_context(request, scope, application))


_ACTION_FORMS: dict[str, tuple[str, type[Any]]] = {
    Action.ACCEPT: ("accept_form", CommentForm),
    Action.START: ("start_form", CommentForm),
    Action.REQUEST_INFO: ("request_form", RequestInfoForm),
    Action.APPROVE: ("approve_form", ApproveForm),
    Action.REFUSE: ("refuse_form", RefuseForm),
}

_DONE: dict[str, Any] = {
    Action.ACCEPT: gettext_lazy("The application is accepted."),
    Action.START: gettext_lazy("Work on the application has started."),
    Action.REQUEST_INFO: gettext_lazy("The request has been sent to the applicant."),
    Action.APPROVE: gettext_lazy(
        "The application is approved; the applicant can download the result."
    ),
    Action.REFUSE: gettext_lazy(
        "The application is refused; the applicant has been told the reason."
    ),
}


@staff_required
@require_POST
def act(request: HttpRequest, scope: Scope, application_id: uuid.UUID, action: str) -> HttpResponse:
    """One action on the application; a refused transition answers 409 with the reason."""
    if action not in _ACTION_FORMS:
        raise Http404
    application = _case(scope, application_id)
    name, form_class = _ACTION_FORMS[action]
    form = form_class(request.POST, request.FILES, prefix=action)
    status = 400
    if form.is_valid():
        try:
            services.case_act(
                scope=scope,
                application=application,
                action=action,
                comment=form.cleaned_data.get("comment", ""),
                documents=form.cleaned_data.get("documents") or [],
            )
        except TransitionRefused as exc:
            form.add_error(None, exc.text)
            status = 409
        except DomainError as exc:
            add_domain_error(form, exc)
            status = exc.status if exc.status in {403, 404, 409} else 400
        else:
            messages.success(request, str(_DONE[action]))
            return redirect("agencies:case", application.pk)
    context = _case_context(request, scope, application, **{name: form})
    context["error_form"] = form
    return render(request, "agencies/case.html", context, status=status)


@staff_required
@require_POST
def claim(request: HttpRequest, scope: Scope, application_id: uuid.UUID) -> HttpResponse:
    application = _case(scope, application_id)
    try:
        services.case_claim(scope=scope, application=application)
    except DomainError as exc:
        messages.error(request, exc.text)
    else:
        messages.success(request, _("The application is now yours."))
    return redirect("agencies:case", application.pk)


@staff_required
@require_POST
def assign(request: HttpRequest, scope: Scope, application_id: uuid.UUID) -> HttpResponse:
    application = _case(scope, application_id)
    if not scope.supervises(application):
        raise PermissionDenied
    form = AssignForm(request.POST, officers=selectors.officers_for(application))
    if form.is_valid():
        assignee = form.officers.get(form.cleaned_data["assignee"])
        try:
            services.case_assign(scope=scope, application=application, assignee=assignee)
        except DomainError as exc:
            messages.error(request, exc.text)
        else:
            messages.success(request, _("The assignment is saved."))
    else:
        messages.error(request, _("Choose an officer of the department."))
    return redirect("agencies:case", application.pk)


@staff_required
@require_POST
def bulk_accept(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Accept the chosen delivered applications."""
    ids = []
    for value in request.POST.getlist("application"):
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            continue
    if not ids:
        messages.error(request, _("Choose the applications to accept."))
        return redirect("agencies:queue")
    accepted, skipped = services.bulk_accept(scope=scope, application_ids=ids)
    text = _("Accepted: %(accepted)s.") % {"accepted": accepted}
    if skipped:
        text += " " + _("Not accepted (no longer waiting or not yours to accept): %(skipped)s.") % {
            "skipped": skipped
        }
    messages.success(request, text)
    return redirect("agencies:queue")


@staff_required
def attachment(
    request: HttpRequest, scope: Scope, application_id: uuid.UUID, attachment_id: uuid.UUID
) -> HttpResponseBase:
    """A file of an application of the scope (any other: 404)."""
    try:
        found = selectors.attachment_for(scope, application_id, attachment_id)
    except CaseNotFound as exc:
        raise Http404(exc.text) from exc
    content = form_services.upload_read(found.upload)
    return form_files.download(
        content, content_type=found.upload.content_type, filename=str(found.upload.name)
    )


@staff_required
def workload(request: HttpRequest, scope: Scope) -> HttpResponse:
    if not scope.is_supervisor:
        raise PermissionDenied
    return render(
        request, "agencies/workload.html", {"scope": scope, "rows": selectors.workload(scope)}
    )


_CSV_COLUMNS = [
    ("department_code", "department"),
    ("service_code", "service"),
    ("title", "title"),
    ("received", "received"),
    ("in_progress", "in_progress"),
    ("overdue", "overdue"),
    ("completed", "completed"),
    ("average_days", "average_processing_days"),
]


@staff_required
def statistics(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Per department and service; `?format=csv` downloads the same table."""
    if not scope.is_supervisor:
        raise PermissionDenied
    form = StatisticsForm(request.GET or None)
    since = until = None
    if form.is_valid():
        since, until = form.cleaned_data["since"], form.cleaned_data["until"]
    rows = selectors.statistics(scope, since=since, until=until)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="agency-statistics.csv"'
        writer = csv.writer(response)
        writer.writerow([header for _key, header in _CSV_COLUMNS])
        for row in rows:
            writer.writerow(["" if row[key] is None else row[key] for key, _h in _CSV_COLUMNS])
        return response
    return render(
        request,
        "agencies/statistics.html",
        {"scope": scope, "form": form, "rows": rows, "query": request.GET.urlencode()},
    )


@staff_required
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest, scope: Scope) -> HttpResponse:
    """An agency administrator's page: who has which role in their departments."""
    if not scope.is_administrator:
        raise PermissionDenied
    departments = [(d.code, str(d.name)) for d in selectors.administered_departments(scope)]
    form = StaffRoleForm(
        request.POST or None, departments=departments, offices=selectors.administered_offices(scope)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.staff_role_grant(
                scope=scope,
                email=data["email"],
                department_code=data["department"],
                role=data["role"],
                region_code=data["region"].strip(),
                office_code=data["office"],
            )
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, _("The role is granted."))
            return redirect("agencies:staff")
    return render(
        request,
        "agencies/staff.html",
        {"scope": scope, "form": form, "grants": selectors.staff_of(scope)},
        status=400 if form.errors else 200,
    )


@staff_required
@require_POST
def staff_revoke(request: HttpRequest, scope: Scope, role_id: uuid.UUID) -> HttpResponse:
    if not scope.is_administrator:
        raise PermissionDenied
    try:
        services.staff_role_revoke(scope=scope, role_id=role_id)
    except DomainError as exc:
        raise Http404(exc.text) from exc
    messages.success(request, _("The role is withdrawn."))
    return redirect("agencies:staff")


@staff_required
def autotest_results(request: HttpRequest, scope: Scope) -> HttpResponse:
    """Monitoring autotests of the scope's services: the latest result per service and
    scenario, and history."""
    runs = selectors.autotest_runs(scope)
    latest: dict[tuple[str, bool], AutotestRun] = {}
    for record in runs:
        latest.setdefault((record.service_code, record.full), record)
    return render(
        request,
        "agencies/autotests.html",
        {"scope": scope, "latest": sorted(latest.values(), key=lambda r: (r.service_code, r.full)),
         "runs": runs},
    )  # fmt: skip

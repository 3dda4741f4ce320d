"""Request ids, access log, Prometheus metrics and the health endpoints."""

from __future__ import annotations

import hmac
import os
import re
import time
import uuid
from collections.abc import Callable, Iterator

import structlog
from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import REGISTRY, GaugeMetricFamily
from prometheus_client.registry import Collector

log = structlog.get_logger("uslugi.request")

REQUEST_ID_HEADER = "X-Request-ID"
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

HTTP_REQUESTS = Counter(
    "uslugi_http_requests_total",
    "HTTP requests by route, method and status.",
    ["route", "method", "status"],
)
HTTP_LATENCY = Histogram(
    "uslugi_http_request_duration_seconds",
    "HTTP request latency by route and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def current_request_id(request: HttpRequest) -> str:
    return getattr(request, "request_id", "")


class RequestIdMiddleware:
    """Give every request an id (taken from a well-formed incoming header or new), bind it
    to every log line of the request, return it in the response, and log the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        log.info(
            "request",
            method=request.method,
            route=_route(request),
            status_code=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 2),
        )
        return response


def _route(request: HttpRequest) -> str:
    """The URL pattern, not the path: bounded label values, no personal data from URLs."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unmatched"
    return "/" + (match.route or match.view_name or "unknown")


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        route, method = _route(request), request.method or "?"
        HTTP_LATENCY.labels(route, method).observe(time.perf_counter() - started)
        HTTP_REQUESTS.labels(route, method, str(response.status_code)).inc()
        return response


class TaskQueueCollector(Collector):
    """Depth of the background-task queue, read from the database at scrape time."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "uslugi_task_queue_depth", "Tasks waiting to run, by queue.", labels=["queue"]
        )
        for queue, depth in task_queue_depths().items():
            gauge.add_metric([queue], depth)
        yield gauge


def task_queue_depths() -> dict[str, int]:
    """Waiting tasks per queue (empty when tasks do not go through the database)."""
    backend = str(settings.TASKS["default"]["BACKEND"])
    if not backend.startswith("django_tasks_db"):
        return {}
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.ready().values("queue_name").annotate(n=Count("id"))
    return {row["queue_name"]: row["n"] for row in rows}


_collector_registered = False


def _registry() -> CollectorRegistry:
    global _collector_registered  # noqa: PLW0603 - register once per process
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        registry.register(TaskQueueCollector())
        return registry
    if not _collector_registered:
        REGISTRY.register(TaskQueueCollector())
        _collector_registered = True
    return REGISTRY


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus exposition; with METRICS_TOKEN set, a matching bearer token is required."""
    token = settings.METRICS_TOKEN
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not hmac.compare_digest(given.encode(), token.encode()):
            return HttpResponse("unauthorized\n", status=401, content_type="text/plain")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """The process is up and serving (no dependencies checked)."""
    return JsonResponse({"status": "ok"})


@never_cache
def readyz(request: HttpRequest) -> HttpResponse:
    """Ready to serve: the database answers and the task queue is reachable."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means not ready
        log.warning("readyz.database_failed", error=type(exc).__name__)
        checks["database"] = "unavailable"
    try:
        depth = sum(task_queue_depths().values())
        checks["task_queue"] = "ok"
    except Exception as exc:  # noqa: BLE001
        log.warning("readyz.task_queue_failed", error=type(exc).__name__)
        checks["task_queue"] = "unavailable"
        depth = -1
    ok = all(v == "ok" for v in checks.values())
    body: dict[str, object] = {"status": "ok" if ok else "unavailable", "checks": checks}
    if depth >= 0:
        body["task_queue_depth"] = depth
    return JsonResponse(body, status=200 if ok else 503)

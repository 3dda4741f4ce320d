"""Pages of service definitions: the integrators' specification and the payload schema."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from uslugi.forms import routing, selectors
from uslugi.forms.errors import DefinitionNotFound
from uslugi.forms.models import DefinitionVersion
from uslugi.forms.payload import agency_schema as build_agency_schema
from uslugi.forms.payload import payload_schema
from uslugi.forms.spec import instruction_steps, mapping_rows, spec_rows


def _version(request: HttpRequest, code: str) -> DefinitionVersion:
    raw = request.GET.get("version", "")
    number = int(raw) if raw.isdigit() else None
    try:
        return selectors.version_for_spec(code=code, number=number)
    except DefinitionNotFound as exc:
        raise Http404(exc.text) from exc


def spec(request: HttpRequest, form_code: str) -> HttpResponse:
    """The specification of a definition version for integrators, generated from it."""
    version = _version(request, form_code)
    schema = payload_schema(version.localized(), number=version.number)
    return render(
        request,
        "forms/spec.html",
        {
            "version": version,
            "document": version.localized(),
            "rows": spec_rows(version.localized()),
            "mapping": mapping_rows(version.document),
            "routing": version.document.get("routing"),
            "schema_json": json.dumps(schema, ensure_ascii=False, indent=2),
        },
    )


def _schema_response(request: HttpRequest, form_code: str, build: Any) -> JsonResponse:
    version = _version(request, form_code)
    return JsonResponse(
        build(version.localized(), number=version.number),
        json_dumps_params={"ensure_ascii": False, "indent": 2},
        content_type="application/schema+json",
    )


def schema(request: HttpRequest, form_code: str) -> JsonResponse:
    """The JSON Schema (2020-12) of the payload of a definition version."""
    return _schema_response(request, form_code, payload_schema)


def agency_schema(request: HttpRequest, form_code: str) -> JsonResponse:
    """The JSON Schema (2020-12) of what the agency receives (the definition's mapping)."""
    return _schema_response(request, form_code, build_agency_schema)


def instruction(request: HttpRequest, form_code: str) -> HttpResponse:
    """The instruction for call-centre operators: what to ask, when, and what happens next."""
    version = _version(request, form_code)
    document = version.localized()
    return render(
        request,
        "forms/instruction.html",
        {
            "version": version,
            "document": document,
            "steps": instruction_steps(document),
            "routing": document.get("routing"),
            "fixed_department": routing.department_for(document, {})
            if "by" not in (document.get("routing") or {"by": 1})
            else "",
        },
    )

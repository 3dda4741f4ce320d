"""How a sandbox registry provides a message type on the exchange bus.

`@provides(...)` declares a message type (JSON Schemas 2020-12, examples) next to its
handler; `register_all()` (called from `RegistriesConfig.ready`) registers them with the
exchange. Every handler is wrapped so that, in this order:

1. an injected fault of its registry applies (down / slow / error rate, see `faults`);
2. the request is validated against its schema: `InvalidRequestError` lists every
   failing path (`/passport/series`), never the values;
3. the handler runs and answers, or raises a typed `ProviderError`;
4. the answer is validated against the response schema (a failure is our bug: it raises).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from jsonschema import Draft202012Validator

from uslugi.exchange.interfaces import (
    HandlerContext,
    InvalidRequestError,
    MessageType,
    MismatchError,
    ProviderHandler,
    register_handler,
    register_message_type,
)
from uslugi.registries.faults import apply_fault
from uslugi.registries.normalizers import normalize_name

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE = "https://uslugi.example/schemas/exchange/"

Handler = Callable[[dict[str, Any], HandlerContext], dict[str, Any]]  # a declared handler

# --- Schema fragments ----------------------------------------------------------------------

DATE = {"type": "string", "format": "date", "description": "ISO 8601 date, YYYY-MM-DD"}
NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}
NAME_PART = {"type": "string", "minLength": 1, "maxLength": 100}
OPTIONAL_NAME_PART = {"type": "string", "maxLength": 100}
GENDER = {"enum": ["male", "female"]}
SNILS = {
    "type": "string",
    "pattern": "^[0-9]{3}-?[0-9]{3}-?[0-9]{3}[ -]?[0-9]{2}$",
    "description": "SNILS, 11 digits, with or without the usual separators (112-233-445 95)",
}
PERSONAL_INN = {"type": "string", "pattern": "^[0-9]{12}$", "description": "12-digit INN"}
ORGANISATION_INN = {"type": "string", "pattern": "^[0-9]{10}$"}
MONEY = {
    "type": "string",
    "pattern": "^-?[0-9]+\\.[0-9]{2}$",
    "description": "roubles as a decimal string, 1234.50",
}
POINTS = {"type": "string", "pattern": "^[0-9]+\\.[0-9]{3}$"}
REGION_CODE = {"type": "string", "pattern": "^[0-9]{2}$"}
PASSPORT_SERIES = {
    "type": "string",
    "pattern": "^[0-9]{2} ?[0-9]{2}$",
    "description": "passport series, 4 digits (45 08)",
}
PASSPORT_NUMBER = {"type": "string", "pattern": "^[0-9]{6}$", "description": "6 digits"}
PERSON_NAME_PROPERTIES = {
    "surname": NAME_PART,
    "first_name": NAME_PART,
    "patronymic": OPTIONAL_NAME_PART,
}
ADDRESS = {
    "type": "object",
    "properties": {
        "postcode": {"type": "string"},
        "region_code": REGION_CODE,
        "region": {"type": "string"},
        "city": {"type": "string"},
        "street": {"type": "string"},
        "house": {"type": "string"},
        "flat": {"type": ["string", "null"]},
        "office": {"type": ["string", "null"]},
    },
    "required": ["region_code", "region", "city", "street", "house"],
}


def obj(
    properties: dict[str, Any], required: list[str] | tuple[str, ...] = (), **extra: Any
) -> dict[str, Any]:
    """A closed JSON object schema."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
        **extra,
    }


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


def _schema(key: str, part: str, title: str, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{SCHEMA_BASE}{key}/{part}.json",
        "title": f"{title} ({part})",
        **copy.deepcopy(body),
    }


# --- Declaring and registering -------------------------------------------------------------


@dataclass(frozen=True)
class Provision:
    message_type: MessageType
    handler: Handler
    request_validator: Draft202012Validator
    response_validator: Draft202012Validator


PROVISIONS: dict[str, Provision] = {}


def provides(
    *,
    code: str,
    title: str,
    request: dict[str, Any],
    response: dict[str, Any],
    examples: list[dict[str, Any]],
    description: str = "",
    version: int = 1,
    deadline_s: int = 30,
) -> Callable[[Handler], Handler]:
    """Declare the message type a handler answers (the provider is the code's prefix)."""

    def decorate(handler: Handler) -> Handler:
        key = f"{code}/{version}"
        request_schema = _schema(key, "request", title, request)
        response_schema = _schema(key, "response", title, response)
        for schema in (request_schema, response_schema):
            Draft202012Validator.check_schema(schema)
        message_type = MessageType(
            code=code,
            version=version,
            provider=code.split(".", 1)[0].replace("egrip", "egrul"),
            title=title,
            request_schema=request_schema,
            response_schema=response_schema,
            default_deadline=dt.timedelta(seconds=deadline_s),
            description=description,
            examples=examples,
        )
        checker = Draft202012Validator.FORMAT_CHECKER
        PROVISIONS[key] = Provision(
            message_type=message_type,
            handler=handler,
            request_validator=Draft202012Validator(request_schema, format_checker=checker),
            response_validator=Draft202012Validator(response_schema, format_checker=checker),
        )
        return handler

    return decorate


def _pointer(path: Any) -> str:
    return "/" + "/".join(str(part) for part in path) if path else "/"


def request_errors(validator: Draft202012Validator, payload: Any) -> list[dict[str, str]]:
    """Every schema violation as `{"path", "message"}`; messages never quote values."""
    errors = []
    for error in sorted(validator.iter_errors(payload), key=lambda e: list(map(str, e.path))):
        path = _pointer(error.absolute_path)
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else ""
            path = f"{path.rstrip('/')}/{missing}" if missing else path
            message = "is required"
        elif error.validator == "additionalProperties":
            message = "unknown property"
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            if extra:
                path = f"{path.rstrip('/')}/{extra[0]}"
        else:
            message = f"does not satisfy '{error.validator}'"
        errors.append({"path": path, "message": message})
    return errors


def invalid(path: str, message: str) -> InvalidRequestError:
    """An invalid-request error for one path (checks beyond the schema, e.g. checksums)."""
    return InvalidRequestError(
        f"invalid request: {path} {message}",
        details={"errors": [{"path": path, "message": message}]},
    )


def wrap(provision: Provision) -> ProviderHandler:
    message_type = provision.message_type

    def handle(payload: dict[str, Any], context: HandlerContext) -> dict[str, Any]:
        apply_fault(message_type.provider)
        errors = request_errors(provision.request_validator, payload)
        if errors:
            paths = ", ".join(error["path"] for error in errors)
            raise InvalidRequestError(
                f"{message_type.key}: invalid request at {paths}", details={"errors": errors}
            )
        response = provision.handler(payload, context)
        problems = request_errors(provision.response_validator, response)
        if problems:
            raise RuntimeError(f"{message_type.key} answered outside its schema: {problems}")
        return response

    handle.__name__ = f"handle_{message_type.code.replace('.', '_').replace('-', '_')}"
    handle.__doc__ = provision.handler.__doc__
    return handle


def register_all() -> None:
    """Register every sandbox message type and its wrapped handler with the exchange."""
    from uslugi.registries.messages import (  # noqa: F401 - importing declares them
        egrul,
        fns,
        fssp,
        gibdd,
        mvd,
        pfr,
        zags,
    )

    for key, provision in PROVISIONS.items():
        register_message_type(provision.message_type)
        register_handler(key, wrap(provision))


# --- Matching ------------------------------------------------------------------------------


def parse_date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def differing_fields(expected: dict[str, Any], payload: dict[str, Any]) -> list[str]:
    """The request fields that do not match the record: names compared without case and
    with ё = е; a patronymic absent from the request is not compared; dates as dates."""
    differ = []
    for name, value in expected.items():
        asked = payload.get(name)
        if asked is None or (name == "patronymic" and asked == ""):
            continue
        if isinstance(value, dt.date):
            if parse_date(asked) != value:
                differ.append(name)
        elif name in {"surname", "first_name", "patronymic", "given_names"}:
            if normalize_name(asked) != normalize_name(value):
                differ.append(name)
        elif asked != value:
            differ.append(name)
    return differ


def mismatch(fields: list[str], what: str) -> MismatchError:
    return MismatchError(
        f"the {what} exists but does not match: {', '.join(fields)}",
        # `mismatches` repeats `fields` under the name the identity app reads.
        details={"fields": fields, "mismatches": fields},
    )


def iso(value: Any) -> str | None:
    """A date (encrypted dates read back as `SensitiveDate`) as ISO text, or None."""
    return None if value is None else str(value.isoformat())


def money(value: Any) -> str:
    return f"{value:.2f}"

"""What identity asks the registries and how it reads their answers.

Message types (registered by the sandbox registries, or by real adapters in production):
  pfr.snils-verify/1            SNILS belongs to this name, gender and birth date
  mvd.passport-verify/1         a Russian passport exists, is valid and not reported lost
  mvd.foreign-document-verify/1 a foreign citizen's document, the same
  fns.inn-by-passport/1         the INN of the holder of a Russian passport
"""

from __future__ import annotations

from typing import Any

from uslugi.identity.constants import CheckKind, CheckStatus, DocumentType
from uslugi.identity.exchange_client import ERROR, OK, Answer

SNILS_VERIFY = "pfr.snils-verify/1"
PASSPORT_VERIFY = "mvd.passport-verify/1"
FOREIGN_DOCUMENT_VERIFY = "mvd.foreign-document-verify/1"
INN_BY_PASSPORT = "fns.inn-by-passport/1"


def _person(data: dict[str, Any]) -> dict[str, Any]:
    person = {
        "surname": data["surname"],
        "first_name": data["first_name"],
        "birth_date": data["birth_date"],
    }
    if data.get("patronymic"):
        person["patronymic"] = data["patronymic"]
    return person


def check_request(kind: str, data: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The message type and payload of one check of the submitted data."""
    if kind == CheckKind.SNILS:
        return SNILS_VERIFY, {"snils": data["snils"], "gender": data["gender"], **_person(data)}
    if data["document_type"] == DocumentType.RU_PASSPORT:
        number = data["document_number"]
        return PASSPORT_VERIFY, {
            "series": number[:4],
            "number": number[4:],
            "issue_date": data["document_issued_on"],
            **_person(data),
        }
    return FOREIGN_DOCUMENT_VERIFY, {
        "number": data["document_number"],
        "citizenship": data.get("document_country") or data["citizenship"],
        **_person(data),
    }


_DOCUMENT_STATUS_REASONS = {
    "lost": "document_lost",
    "stolen": "document_lost",
    "replaced": "document_replaced",
    "expired": "document_expired",
    "invalidated": "document_invalid",
    "invalid": "document_invalid",
}


def interpret(kind: str, answer: Answer) -> tuple[CheckStatus, str]:  # noqa: PLR0911 - one return per answer
    """The check's new status and reason code for a registry's answer."""
    prefix = "snils" if kind == CheckKind.SNILS else "document"
    if answer.kind == OK:
        payload = answer.payload
        if kind == CheckKind.SNILS:
            if payload.get("match", payload.get("valid", True)):
                return CheckStatus.PASSED, ""
            return CheckStatus.FAILED, _mismatch_reason(payload.get("mismatches"))
        status = str(payload.get("status", "valid"))
        if payload.get("match") is False:
            return CheckStatus.FAILED, "document_mismatch"
        if status == "valid" and payload.get("valid", True):
            return CheckStatus.PASSED, ""
        return CheckStatus.FAILED, _DOCUMENT_STATUS_REASONS.get(status, "document_invalid")
    if answer.kind == ERROR:
        if answer.error_code == "not_found":
            return CheckStatus.FAILED, f"{prefix}_not_found"
        if answer.error_code == "mismatch":
            if kind == CheckKind.SNILS:
                return CheckStatus.FAILED, _mismatch_reason(answer.details.get("mismatches"))
            status = str(answer.details.get("status", ""))
            return CheckStatus.FAILED, _DOCUMENT_STATUS_REASONS.get(status, "document_mismatch")
        if answer.error_code in {"invalid_request", "invalid_payload"}:
            return CheckStatus.FAILED, "invalid_request"
        return CheckStatus.UNAVAILABLE, "unavailable"
    return CheckStatus.UNAVAILABLE, "unavailable"


def _mismatch_reason(fields: object) -> str:
    """The most specific reason for a SNILS that belongs to someone else's details."""
    if isinstance(fields, list) and len(fields) == 1:
        field = str(fields[0])
        if field in {"surname", "first_name", "patronymic", "name"}:
            return "snils_mismatch_name"
        if field in {"birth_date", "gender"}:
            return f"snils_mismatch_{field}"
    if (
        isinstance(fields, list)
        and fields
        and all(str(f) in {"surname", "first_name", "patronymic", "name"} for f in fields)
    ):
        return "snils_mismatch_name"
    return "snils_mismatch"


def inn_request(personal: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    number = personal["document_number"]
    return INN_BY_PASSPORT, {"series": number[:4], "number": number[4:], **_person(personal)}


def inn_from(answer: Answer) -> str | None:
    if answer.kind != OK:
        return None
    inn = answer.payload.get("inn")
    return str(inn) if inn else None

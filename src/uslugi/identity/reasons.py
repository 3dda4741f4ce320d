"""Why a registry check failed, in plain words, with what to do next."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

REASONS: dict[str, Promise] = {
    "snils_not_found": _(
        "The Pension Fund has no record of this SNILS. Compare the number with your SNILS document and submit again."
    ),
    "snils_mismatch": _(
        "The Pension Fund holds this SNILS for a person with a different name, gender or date of birth. Check that you entered them exactly as in your passport. If you have changed your name, tell the Pension Fund first."
    ),
    "snils_mismatch_name": _(
        "The Pension Fund holds this SNILS under a different name. Enter your surname, first name and patronymic exactly as in your passport. If you have changed your name, tell the Pension Fund first."
    ),
    "snils_mismatch_birth_date": _(
        "The Pension Fund holds this SNILS with a different date of birth. Check the date you entered."
    ),
    "snils_mismatch_gender": _(
        "The Pension Fund holds this SNILS with a different gender. Check what you chose."
    ),
    "snils_taken": _(
        "This SNILS is already linked to another account. If it is yours, recover access to that account instead."
    ),
    "document_not_found": _(
        "The Interior Ministry has no document with this series and number. Compare them with your passport and submit again."
    ),
    "document_mismatch": _(
        "The Interior Ministry holds this document for a person with different details. Check your name, date of birth and the date of issue."
    ),
    "document_lost": _(
        "This document is registered as lost or stolen, so it is no longer valid. Submit your new passport; if you have none yet, apply for one."
    ),
    "document_replaced": _(
        "This passport has been replaced by a newer one. Submit the details of your current passport."
    ),
    "document_expired": _("This document has expired. Submit the details of a valid document."),
    "document_invalid": _("This document is not valid. Submit the details of a valid document."),
    "invalid_request": _(
        "The registry could not read the data. Check the format of what you entered and submit again."
    ),
    "rejected": _(
        "The check could not be sent. This is our fault, not yours: please try again later."
    ),
    "unavailable": _(
        "The registry is not answering at the moment. We will ask it again automatically; you do not need to do anything."
    ),
}


def reason_text(code: str) -> str:
    text = REASONS.get(code)
    return str(text) if text is not None else str(REASONS["invalid_request"])

"""Identity's API: `/api/v1/me`, the signed-in person's profile and level."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import django_auth
from pydantic import Field

from uslugi.core.problems import responses
from uslugi.identity import selectors
from uslugi.identity.constants import Channel, ConfirmationMethod, Level
from uslugi.identity.contacts import mask_contact
from uslugi.identity.models import Account

router = Router(tags=["identity"])


class PersonalDataOut(Schema):
    birth_date: dt.date | None = None
    gender: str = ""
    citizenship: str = ""
    snils_masked: str = ""
    document_type: str = ""
    document_masked: str = ""


class NextStepOut(Schema):
    reason: str
    action: str
    url: str


class MeOut(Schema):
    id: str
    surname: str
    first_name: str
    patronymic: str
    phone_masked: str
    email_masked: str
    # A plain string with the enum inlined: a `Level` component would collide with the
    # catalogue's `Level` (ninja names components by class name alone).
    level: str = Field(json_schema_extra={"enum": [str(v) for v in Level.values]})
    level_label: str
    confirmation_method: ConfirmationMethod | None = None
    confirmed_at: dt.datetime | None = None
    second_factor: str
    personal_data: PersonalDataOut | None = None
    next_step: NextStepOut | None = None


@router.get(
    "",
    response={200: MeOut, **responses(401)},
    auth=django_auth,
    summary="The signed-in person's profile and account level",
    description=(
        "Contacts and identifiers are masked (SNILS as `***-***-*** 45`). `level` is "
        "`simplified`, `standard` or `confirmed`; `confirmation_method` says how a confirmed "
        "account was confirmed (`in_person`, `post`, `signature`), which decides what it may "
        "use. `next_step` says how to raise the level. Session authentication (the browser)."
    ),
)
def me(request: HttpRequest) -> MeOut:
    account = request.user
    assert isinstance(account, Account)  # noqa: S101 - django_auth guarantees a signed-in user
    personal = selectors.personal_data(account)
    step = selectors.next_level_step(account)
    return MeOut(
        id=str(account.pk),
        surname=account.surname,
        first_name=account.first_name,
        patronymic=account.patronymic,
        phone_masked=mask_contact(Channel.PHONE, account.phone) if account.phone else "",
        email_masked=mask_contact(Channel.EMAIL, account.email) if account.email else "",
        level=str(Level(account.level)),
        level_label=str(Level(account.level).label),
        confirmation_method=ConfirmationMethod(account.confirmation_method)
        if account.confirmation_method
        else None,
        confirmed_at=account.confirmed_at,
        second_factor=account.second_factor,
        personal_data=PersonalDataOut(
            birth_date=cast("dt.date | None", personal.birth_date),
            gender=personal.gender,
            citizenship=personal.citizenship,
            snils_masked=personal.snils_masked,
            document_type=personal.document_type,
            document_masked=personal.document_masked,
        )
        if personal is not None and personal.verified_at
        else None,
        next_step=NextStepOut(reason=step.reason, action=step.next_step, url=step.next_step_url)
        if step is not None
        else None,
    )

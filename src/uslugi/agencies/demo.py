"""Demo data (development only; the passwords are published in the README): the
production calendar, and an officer and a supervisor of the migration directorate
(foreign passports and residence registration go there), and an officer of its Moscow
office only (residence registration applications choose their office).

Staff must sign in with a second step: the demo staff have SMS codes on, and in
development the codes land in the SMS outbox at /dev/sms-outbox/.
"""

from __future__ import annotations

from typing import TextIO

from uslugi.agencies.constants import Role
from uslugi.agencies.models import StaffRole
from uslugi.agencies.working_days import calendar_load
from uslugi.catalog.models import Department, Office
from uslugi.identity.constants import Level, SecondFactor
from uslugi.identity.models import Account

DEMO_PASSWORD = "Uslugi-Demo-2026"  # noqa: S105 - development demo data, documented
DEMO_DEPARTMENT = "mvd-migration"
DEMO_OFFICE = "77:mvd-migration"

STAFF = [
    # email, phone, surname, first name, roles (an officer of one office: "office" below)
    ("officer@uslugi.local", "+79990000101", "Исполнителева", "Ирина", [Role.OFFICER]),
    ("office@uslugi.local", "+79990000103", "Отделенцева", "Ольга", [Role.OFFICER]),
    (
        "supervisor@uslugi.local",
        "+79990000102",
        "Руководителев",
        "Роман",
        [Role.SUPERVISOR, Role.ADMINISTRATOR],
    ),
]


def load(stdout: TextIO) -> None:
    days = calendar_load()
    stdout.write(f"production calendar: {days} days (2025-2027)\n")
    department = Department.objects.filter(code=DEMO_DEPARTMENT).first()
    if department is None:
        stdout.write(f"agency staff: no department {DEMO_DEPARTMENT} (load the catalogue)\n")
        return
    office_of_demo = Office.objects.filter(code=DEMO_OFFICE).first()
    for email, phone, surname, first_name, roles in STAFF:
        if email.startswith("office@") and office_of_demo is None:
            continue  # never the whole department instead of the office
        account = Account.objects.filter(email=email).first()
        if account is None:
            account = Account.objects.create_user(
                email,
                DEMO_PASSWORD,
                phone=phone if not Account.objects.filter(phone=phone).exists() else None,
                surname=surname,
                first_name=first_name,
                level=Level.STANDARD,
            )
        if not account.second_factor and account.phone:
            account.second_factor = SecondFactor.SMS
            account.save(update_fields=["second_factor"])
        office = office_of_demo if email.startswith("office@") else None
        for role in roles:
            StaffRole.objects.get_or_create(
                account=account, department=department, role=role, defaults={"office": office}
            )
        where = f" of office {DEMO_OFFICE}" if office is not None else ""
        stdout.write(
            f"demo agency {'/'.join(str(r) for r in roles)}{where}: {email} / {DEMO_PASSWORD} "
            f"(SMS code to {account.phone} in /dev/sms-outbox/; back office at /agency/)\n"
        )

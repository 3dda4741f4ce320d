"""Demo data (development only; the passwords are published in the README): the
administrator, service centres, and a service-centre operator."""

from __future__ import annotations

from typing import TextIO

from django.contrib.auth.models import Group

from uslugi.identity.constants import CentreService, Level
from uslugi.identity.models import Account, CentreOperator, ServiceCentre
from uslugi.identity.roles import OPERATOR_GROUP, ensure_roles

DEMO_ADMIN_EMAIL = "admin@uslugi.local"
DEMO_ADMIN_PASSWORD = "Uslugi-Demo-2026"  # noqa: S105 - development demo data, documented
DEMO_OPERATOR_EMAIL = "operator@uslugi.local"

ALL_SERVICES = [
    CentreService.CONFIRM_IDENTITY,
    CentreService.RESTORE_ACCESS,
    CentreService.REGISTER,
]
WEEKDAYS = "Mon-Sat 8:00-20:00\nSun 10:00-18:00"

CENTRES = [
    ("Service centre “Tverskoy”", "77", "Moscow", "Moscow, Tverskaya St 9", WEEKDAYS, "+7 495 777-77-77"),
    ("Service centre “Arbat”", "77", "Moscow", "Moscow, Novy Arbat St 21", WEEKDAYS, "+7 495 777-77-77"),
    ("Service centre of the Central district", "78", "Saint Petersburg", "Saint Petersburg, Nevsky Ave 76", WEEKDAYS, "+7 812 573-90-00"),
    ("Service centre of Kazan", "16", "Republic of Tatarstan", "Kazan, Bauman St 44", "Mon-Fri 9:00-19:00\nSat 9:00-15:00", ""),
    ("Service centre of Yekaterinburg", "66", "Sverdlovsk Region", "Yekaterinburg, Lenin Ave 24", "Mon-Fri 8:00-20:00", ""),
    ("Service centre of Novosibirsk", "54", "Novosibirsk Region", "Novosibirsk, Krasny Ave 18", "Mon-Sat 9:00-20:00", ""),
]  # fmt: skip


def load(stdout: TextIO) -> None:
    if not Account.objects.filter(email=DEMO_ADMIN_EMAIL).exists():
        Account.objects.create_superuser(
            DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, surname="Администратор", first_name="Демо"
        )
    stdout.write(f"demo administrator: {DEMO_ADMIN_EMAIL} / {DEMO_ADMIN_PASSWORD}\n")

    first = None
    for name, code, region, address, hours, phone in CENTRES:
        centre, _ = ServiceCentre.objects.get_or_create(
            name=name,
            defaults={
                "region_code": code,
                "region_name": region,
                "address": address,
                "opening_hours": hours,
                "phone": phone,
                "services": [str(s) for s in ALL_SERVICES],
            },
        )
        first = first or centre

    ensure_roles()
    operator = Account.objects.filter(email=DEMO_OPERATOR_EMAIL).first()
    if operator is None:
        operator = Account.objects.create_user(
            DEMO_OPERATOR_EMAIL,
            DEMO_ADMIN_PASSWORD,
            surname="Операторова",
            first_name="Ольга",
            level=Level.CONFIRMED,
        )
    group = Group.objects.filter(name=OPERATOR_GROUP).first()
    if group is not None:
        operator.groups.add(group)
    if first is not None:
        CentreOperator.objects.get_or_create(account=operator, defaults={"centre": first})
    stdout.write(
        f"demo service-centre operator: {DEMO_OPERATOR_EMAIL} / {DEMO_ADMIN_PASSWORD} "
        "(console at /account/operator/)\n"
    )

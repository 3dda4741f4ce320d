"""End to end over HTTP: examples/agency_client.py as a separate process against the
portal (live server) pulls 100 delivered applications and approves each with a result."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.agencies.conftest import HOME
from tests.agencies.test_api import delivered
from uslugi.agencies.integration import system_create
from uslugi.agencies.models import Lease
from uslugi.applications.constants import AttachmentKind, Status
from uslugi.applications.models import Application, Attachment
from uslugi.catalog.models import Department
from uslugi.forms.models import DefinitionVersion
from uslugi.forms.services import upload_read
from uslugi.identity.models import Account

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

CLIENT = Path(__file__).resolve().parents[2] / "examples" / "agency_client.py"
COUNT = 100


def run_client(portal: str, client_id: str, secret: str, *extra: str) -> Any:
    # The live server answers kept-alive connections ~40 ms late (writes in pieces meet
    # delayed ACKs): a connection per request is five times faster here.
    portal = portal.replace("//localhost:", "//127.0.0.1:")  # no IPv6 attempt first
    return subprocess.run(
        [
            sys.executable, str(CLIENT), "--portal", portal, "--client-id", client_id,
            "--client-secret", secret, "--batch", "10", "--until-empty", "--no-keep-alive", *extra,
        ],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_example_client_approves_100_applications(
    live_server: Any,
    departments: dict[str, Department],
    applicant: Account,
    home_service: DefinitionVersion,
) -> None:
    made = [delivered(applicant, home_service) for _ in range(COUNT)]
    # A test application is not for real credentials: it stays untouched.
    test_one = delivered(applicant, home_service, test=True)
    credentials = system_create(name="Example CRM", department_code=HOME)

    out = run_client(live_server.url, credentials.client_id, credentials.client_secret)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert f"done: {COUNT} approved, 0 failed" in out.stdout
    assert out.stdout.count("1 file(s) downloaded, acknowledged, accepted, approved") == COUNT

    ids = [a.pk for a in made]
    assert set(Application.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
        Status.APPROVED
    }
    results = Attachment.objects.filter(application_id__in=ids, kind=AttachmentKind.RESULT)
    assert results.values("application_id").distinct().count() == COUNT
    sample = results.select_related("upload").first()
    assert sample is not None
    content = upload_read(sample.upload)
    assert content.startswith(b"%PDF-")
    assert hashlib.sha256(content).hexdigest() == sample.upload.sha256
    assert Lease.objects.filter(application_id__in=ids, acknowledged_at__isnull=False).count() == (
        COUNT
    )
    assert Application.objects.get(pk=test_one.pk).status == Status.DELIVERED

    # Nothing left: a second run leases nothing and changes nothing.
    again = run_client(live_server.url, credentials.client_id, credentials.client_secret)
    assert again.returncode == 0, again.stderr[-2000:]
    assert "done: 0 approved, 0 failed" in again.stdout


def test_wrong_credentials_fail_cleanly(
    live_server: Any, departments: dict[str, Department]
) -> None:
    credentials = system_create(name="Example CRM", department_code=HOME)
    out = run_client(live_server.url, credentials.client_id, "not-the-secret")
    assert out.returncode != 0
    assert "401" in out.stderr

"""Background work of applications (django_tasks; the tests run tasks at once)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(application_id: str) -> bool:
    """Hand one application to its agency (retried by `deliver_due` when it fails)."""
    from uslugi.applications.services import deliver as deliver_one

    return deliver_one(application_id)

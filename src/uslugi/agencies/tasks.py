"""Background work of agencies (django_tasks; the tests run tasks at once)."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_webhook(delivery_id: str) -> bool:
    """Try one webhook delivery now (retried by `webhooks.deliver_due` when it fails)."""
    from uslugi.agencies.webhooks import deliver

    return deliver(delivery_id)

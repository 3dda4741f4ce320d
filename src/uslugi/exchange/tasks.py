"""Background work of the bus (django-tasks)."""

from __future__ import annotations

from django_tasks import task

from uslugi.exchange import services


@task()
def deliver_message(message_id: str) -> str:
    """Deliver one message if it is still queued and due (enqueued when it is sent)."""
    return services.message_deliver(message_id=message_id)


@task()
def deliver_due() -> int:
    """One round of delivery of everything due (a periodic safety net for the loop)."""
    return services.exchange_deliver_due().claimed


@task()
def purge_messages() -> int:
    """Delete finished messages older than EXCHANGE_RETENTION_DAYS."""
    return services.messages_purge()

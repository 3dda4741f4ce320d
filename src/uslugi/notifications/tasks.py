"""Background work of the notifications app (django_tasks; the tests run tasks at once).

Arguments are notification ids only: the texts stay encrypted in their rows, and the
address is read from the account when sending.
"""

from __future__ import annotations

from django_tasks import task


@task()
def deliver(notification_id: str) -> str:
    """Send one notification if it is still pending and due (safe to run twice)."""
    from uslugi.notifications.services import notification_deliver

    return notification_deliver(notification_id=notification_id)


@task()
def sweep() -> int:
    """Queue again notifications pending well past their time; returns how many."""
    from uslugi.notifications.services import notifications_sweep

    return len(notifications_sweep().queued)

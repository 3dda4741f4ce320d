"""Background work of the identity app (django_tasks; the tests run them at once)."""

from __future__ import annotations

import structlog
from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from uslugi.identity.delivery import unseal

log = structlog.get_logger(__name__)


@task()
def deliver_sms(sealed: str) -> str:
    """Send one SMS through the configured gateway (arguments sealed: no code in clear)."""
    from uslugi.identity.sms import gateway

    message = unseal(sealed)
    plugin = gateway()
    reference = plugin.send(phone=message["phone"], text=message["text"])
    log.info("identity.sms_sent", gateway=plugin.identifier)
    return reference


@task()
def deliver_email(sealed: str) -> None:
    message = unseal(sealed)
    send_mail(
        message["subject"],
        message["body"],
        settings.DEFAULT_FROM_EMAIL,
        [message["to"]],
        fail_silently=False,
    )
    log.info("identity.email_sent")


@task()
def deliver_letter(request_id: str, sealed: str) -> str:
    """Hand a confirmation letter to the postal service and keep its tracking number."""
    from uslugi.identity.post import service
    from uslugi.identity.services.confirmation import letter_sent

    letter = unseal(sealed)
    plugin = service()
    tracking = plugin.send_letter(
        recipient=letter["recipient"], address=letter["address"], text=letter["text"]
    )
    letter_sent(request_id=request_id, tracking=tracking)
    log.info("identity.letter_sent", service=plugin.identifier)
    return tracking


@task()
def check_answered(message_id: str) -> None:
    """Exchange callback: a registry answered (or the bus gave up on) a standard-level check."""
    from uslugi.identity.services.verification import check_answered as handle

    handle(message_id=message_id)


@task()
def inn_answered(message_id: str) -> None:
    """Exchange callback: the Tax Service answered an INN look-up."""
    from uslugi.identity.services.profile import inn_answered as handle

    handle(message_id=message_id)


@task()
def retry_checks() -> int:
    """Send again the checks whose registry was unavailable and whose pause is over."""
    from uslugi.identity.services.verification import checks_retry_due

    return checks_retry_due()


@task()
def purge() -> int:
    """Forget old rate-limit counters and unfinished registrations."""
    from uslugi.identity.services.registration import registrations_purge
    from uslugi.identity.throttling import purge_expired

    return purge_expired() + registrations_purge()

"""Built-in postal-service adapters."""

from __future__ import annotations

from uslugi.identity.models import PostalLetter
from uslugi.identity.post.base import PostalService, register
from uslugi.identity.secrets import letter_code


@register("outbox")
class OutboxPostalService(PostalService):
    """Development: the letter goes into the database (/dev/post-outbox and the admin)."""

    development_only = True

    def send_letter(self, *, recipient: str, address: str, text: str) -> str:
        tracking = "RR" + letter_code(9) + "RU"
        PostalLetter.objects.create(
            recipient=recipient, address=address, text=text, tracking=tracking
        )
        return tracking

"""Built-in SMS gateways."""

from __future__ import annotations

import httpx
from django.conf import settings

from uslugi.identity.models import SmsMessage
from uslugi.identity.sms.base import SmsError, SmsGateway, register


@register("outbox")
class OutboxGateway(SmsGateway):
    """Development: the message goes into the database (/dev/sms-outbox and the admin)."""

    development_only = True

    def send(self, *, phone: str, text: str) -> str:
        return str(SmsMessage.objects.create(phone=phone, text=text).pk)


@register("http")
class HttpGateway(SmsGateway):
    """A provider's HTTP API: POST {"to", "text"} as JSON with a bearer token.

    SMS_GATEWAY_URL and SMS_GATEWAY_TOKEN configure it; a 2xx answer with an `id` in the
    JSON body (or none) is success, anything else raises SmsError (the phone and text are
    never put in the error).
    """

    timeout_s = 10.0

    def send(self, *, phone: str, text: str) -> str:
        url = settings.SMS_GATEWAY_URL
        if not url:
            raise SmsError("SMS_GATEWAY_URL is not set")
        headers = {"Accept": "application/json"}
        if settings.SMS_GATEWAY_TOKEN:
            headers["Authorization"] = f"Bearer {settings.SMS_GATEWAY_TOKEN}"
        try:
            response = httpx.post(
                url, json={"to": phone, "text": text}, headers=headers, timeout=self.timeout_s
            )
        except httpx.HTTPError as exc:
            raise SmsError(f"SMS gateway unreachable: {type(exc).__name__}") from None
        if not response.is_success:
            raise SmsError(f"SMS gateway answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        return str(body.get("id", "")) if isinstance(body, dict) else ""

"""SMS gateways as plugins: `outbox` (development: into the database, shown on
/dev/sms-outbox and in the admin) and `http` (a provider's HTTP API by URL and token).
The setting SMS_GATEWAY chooses one."""

from uslugi.identity.sms.base import SmsError, SmsGateway, gateway, register

__all__ = ["SmsError", "SmsGateway", "gateway", "register"]

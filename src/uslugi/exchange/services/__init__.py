"""Commands of the exchange bus (see the modules for each subject)."""

from uslugi.exchange.services.delivery import (
    DeliveryReport,
    exchange_deliver_due,
    message_deliver,
    run_worker,
)
from uslugi.exchange.services.inbound import envelope_receive
from uslugi.exchange.services.operations import (
    access_grant,
    access_revoke,
    message_resend,
    messages_purge,
    providers_ensure,
    system_register,
)
from uslugi.exchange.services.sending import admit, exchange_call, exchange_send, result_of

__all__ = [
    "DeliveryReport",
    "access_grant",
    "access_revoke",
    "admit",
    "envelope_receive",
    "exchange_call",
    "exchange_deliver_due",
    "exchange_send",
    "message_deliver",
    "message_resend",
    "messages_purge",
    "providers_ensure",
    "result_of",
    "run_worker",
    "system_register",
]

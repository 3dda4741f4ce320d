"""Demo set-up of the bus: provider systems with keys, the portal granted every type."""

from __future__ import annotations

from typing import TextIO

from uslugi.exchange import conf, services
from uslugi.exchange.interfaces import get_handler, message_types


def load(stdout: TextIO) -> None:
    services.providers_ensure()
    portal = conf.portal_system()
    keys = sorted(key for key in message_types() if get_handler(key) is not None)
    for key in keys:
        services.access_grant(consumer=portal, type_key=key)
    stdout.write(f"exchange: system {portal!r} may send {len(keys)} in-process message types\n")

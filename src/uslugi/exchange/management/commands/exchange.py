"""`uslugi exchange ...`: run and operate the exchange bus.

uslugi exchange deliver [--once | --loop] [--interval S]   deliver queued messages
uslugi exchange purge                                       delete messages past retention
uslugi exchange system CODE [--external --base-url URL --public-key B64] [--name N]
uslugi exchange grant CONSUMER TYPE_KEY... | --all [--rate N]
uslugi exchange keys                                        public keys of the systems
uslugi exchange types                                       registered message types
uslugi exchange call SENDER TYPE_KEY JSON                   a synchronous call
"""

from __future__ import annotations

import json
import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from uslugi.core.errors import DomainError
from uslugi.exchange import selectors, services
from uslugi.exchange.constants import SystemKind
from uslugi.exchange.interfaces import message_types


class Command(BaseCommand):
    help = "Operate the exchange bus: deliver, purge, systems, grants, keys, types, call."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        deliver = sub.add_parser("deliver", help="Deliver queued messages.")
        mode = deliver.add_mutually_exclusive_group()
        mode.add_argument("--once", action="store_true", help="Deliver what is due, then exit.")
        mode.add_argument("--loop", action="store_true", help="Keep delivering (the default).")
        deliver.add_argument("--interval", type=float, default=1.0, help="Seconds between polls.")
        sub.add_parser("purge", help="Delete finished messages older than the retention.")
        system = sub.add_parser("system", help="Register or update a system.")
        system.add_argument("code")
        system.add_argument("--name", default="")
        system.add_argument("--external", action="store_true", help="Reached over HTTP.")
        system.add_argument("--base-url", default="")
        system.add_argument("--public-key", default=None, help="External: its Ed25519 key.")
        grant = sub.add_parser("grant", help="Allow a consumer to send message types.")
        grant.add_argument("consumer")
        grant.add_argument("type_keys", nargs="*")
        grant.add_argument("--all", action="store_true", help="Every registered type.")
        grant.add_argument("--rate", type=int, default=None, help="Messages per minute.")
        sub.add_parser("keys", help="Print the public keys that verify signatures.")
        sub.add_parser("types", help="Print the registered message types.")
        call = sub.add_parser("call", help="Send a synchronous request and print the answer.")
        call.add_argument("sender")
        call.add_argument("type_key")
        call.add_argument("payload", help="The request payload as JSON.")
        call.add_argument("--timeout", type=float, default=None)

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            getattr(self, f"do_{action}")(**options)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.text}") from None

    def do_deliver(self, *, once: bool, interval: float, **options: Any) -> None:
        stopping = False

        def stop(*_: Any) -> None:
            nonlocal stopping
            stopping = True

        if not once:
            signal.signal(signal.SIGTERM, stop)
            self.stdout.write(f"exchange: delivering queued messages (poll every {interval} s)")
        try:
            count = services.run_worker(
                once=once,
                interval=interval,
                stop=lambda: stopping,
                on_round=lambda report: self.stdout.write(
                    f"exchange: {report.claimed} claimed {report.by_status}"
                    + (f", {report.requeued_stale} stale requeued" if report.requeued_stale else "")
                ),
            )
        except KeyboardInterrupt:
            return
        if once:
            self.stdout.write(f"exchange: {count} messages delivered")

    def do_purge(self, **options: Any) -> None:
        self.stdout.write(f"exchange: {services.messages_purge()} messages purged")

    def do_system(
        self,
        *,
        code: str,
        name: str,
        external: bool,
        base_url: str,
        public_key: str | None,
        **_: Any,
    ) -> None:
        if external and not (base_url and public_key):
            raise CommandError("an external system needs --base-url and --public-key")
        system = services.system_register(
            code=code,
            name=name,
            kind=SystemKind.EXTERNAL if external else SystemKind.INTERNAL,
            base_url=base_url,
            public_key=public_key,
        )
        self.stdout.write(f"exchange: system {system.code} ({system.kind}) registered")

    def do_grant(
        self, *, consumer: str, type_keys: list[str], all: bool, rate: int | None, **_: Any
    ) -> None:
        keys = sorted(message_types()) if all else type_keys
        if not keys:
            raise CommandError("name message types or pass --all")
        for key in keys:
            services.access_grant(consumer=consumer, type_key=key, rate_limit_per_minute=rate)
        self.stdout.write(f"exchange: {consumer} may send {len(keys)} message type(s)")

    def do_keys(self, **options: Any) -> None:
        for key in selectors.public_key_list():
            flag = "signs" if key.active else "verifies"
            self.stdout.write(f"{key.system.code}\t{key.key_id}\t{key.public_key}\t{flag}")

    def do_types(self, **options: Any) -> None:
        for doc in selectors.message_type_list():
            where = "in-process" if doc.in_process else "external"
            self.stdout.write(
                f"{doc.key}\t{doc.message_type.provider}\t{where}\t{doc.message_type.title}"
            )

    def do_call(
        self, *, sender: str, type_key: str, payload: str, timeout: float | None, **_: Any
    ) -> None:
        try:
            data = json.loads(payload)
        except ValueError as exc:
            raise CommandError(f"payload is not JSON: {exc}") from None
        result = services.exchange_call(
            sender=sender, type_key=type_key, payload=data, timeout=timeout
        )
        self.stdout.write(
            json.dumps(
                {
                    "message_id": result.message_id,
                    "status": result.status,
                    "response": result.response,
                    "error_code": result.error_code,
                    "error_message": result.error_message,
                },
                ensure_ascii=False,
                indent=2,
            )
        )

"""Exchange bus: messages per second through the bus against the same writes as raw SQL.

Two measurements, each on SQLite and on PostgreSQL, each beside a raw baseline in the
same run (rounds alternate bus/raw so noise hits both):

* **synchronous**: `exchange_call` end to end in one process (admission: type, sender
  and key, grant; schema validation of request and response; Ed25519 signing and
  verification; in-process handler; encrypted payloads; message row and its timeline)
  against the same rows written with plain SQL (an INSERT of the message and one of its
  two timeline entries, in one transaction);
* **asynchronous**: a queue of N messages (sent with `exchange_send`) delivered by two
  worker processes (`exchange_deliver_due` rounds: claim with SKIP LOCKED on PostgreSQL,
  a conditional UPDATE on SQLite, signature check, handler, signed answer, timeline)
  against two processes doing the same claims and updates in plain SQL.

The portal is not served over HTTP here: what is measured is the bus itself. Each
measurement runs in its own process (`python -m bench.suite_exchange <role>`) against a
freshly migrated database: a temporary SQLite file, and PostgreSQL when
`BENCH_POSTGRES_URL` (or `--database-url` with a postgres URL) names a database this
suite may empty (its exchange tables are truncated between rounds).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench.context import Context, SuiteError, run_role
from bench.machine import ROOT
from bench.report import Ratio, Row, SuiteReport
from bench.server import portal_environment
from bench.wrk import LoadResult

TITLE = "Exchange bus: synchronous and asynchronous messages per second against raw SQL"
TARGET = 0.30
ASYNC_MESSAGES = 2000
ASYNC_MESSAGES_QUICK = 300
TYPE_KEY = "bench.snils-verify/1"

# --- The parent: orchestration ---------------------------------------------------------------


def _environment(tmp: Path, database_url: str) -> dict[str, str]:
    return portal_environment(data_dir=tmp, database_url=database_url, log_level="INFO")


def _role(env: dict[str, str], log: Path, *args: str, timeout: float = 900) -> Any:
    return run_role("bench.suite_exchange", env, log, *args, timeout=timeout)


def _workers(env: dict[str, str], log: Path, kind: str, count: int) -> LoadResult:
    """Start two workers, let them go at once, wait for the queue to drain."""
    go = Path(env["USLUGI_DATA_DIR"]) / f"go-{uuid.uuid4().hex}"
    with log.open("ab") as err:
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "bench.suite_exchange", "worker", kind, str(go)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                stderr=err,
            )
            for _ in range(2)
        ]
        ready = Path(str(go) + ".ready")
        deadline = time.monotonic() + 120
        while len(list(ready.parent.glob(ready.name + "*"))) < 2:
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                for p in procs:
                    p.kill()
                raise SuiteError(f"exchange workers did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.05)
        go.touch()
        results = []
        for p in procs:
            stdout, _ = p.communicate(timeout=900)
            if p.returncode != 0:
                raise SuiteError(f"exchange worker failed:\n{log.read_text()[-3000:]}")
            results.append(json.loads(stdout.decode().strip().splitlines()[-1]))
    done = sum(r["delivered"] for r in results)
    if done != count:
        raise SuiteError(f"{kind} workers delivered {done} of {count} messages")
    seconds = max(r["end"] for r in results) - min(r["start"] for r in results)
    latencies = sorted(x for r in results for x in r["latencies_ms"])
    return _result(done, seconds, latencies)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    return values[min(len(values) - 1, int(q * len(values)))]


def _result(count: int, seconds: float, latencies_ms: list[float]) -> LoadResult:
    ordered = sorted(latencies_ms)
    return LoadResult(
        requests=count,
        duration_s=seconds,
        rps=count / seconds if seconds else 0.0,
        p50_ms=_pct(ordered, 0.50),
        p90_ms=_pct(ordered, 0.90),
        p99_ms=_pct(ordered, 0.99),
        bytes_read=0,
    )


def _from_json(data: dict[str, Any]) -> LoadResult:
    return _result(data["count"], data["seconds"], data["latencies_ms"])


def _databases(ctx: Context, tmp: Path) -> list[tuple[str, str]]:
    found = [("SQLite", f"sqlite:///{tmp / 'exchange-bench.sqlite3'}")]
    postgres = os.environ.get("BENCH_POSTGRES_URL", "")
    if not postgres and ctx.server.database_url.startswith("postgres"):
        postgres = ctx.server.database_url
    if postgres:
        found.append(("PostgreSQL", postgres))
    return found


def run(ctx: Context) -> SuiteReport:
    quick = ctx.load.duration_s <= 2
    seconds = ctx.load.duration_s
    rounds = ctx.load.rounds
    count = ASYNC_MESSAGES_QUICK if quick else ASYNC_MESSAGES
    tmp = Path(tempfile.mkdtemp(prefix="uslugi-exchange-bench-"))
    rows: list[Row] = []
    ratios: list[Ratio] = []
    notes: list[str] = []
    try:
        databases = _databases(ctx, tmp)
        if len(databases) == 1:
            notes.append(
                "**PostgreSQL was not measured**: set `BENCH_POSTGRES_URL` to a database "
                "this suite may empty (or pass a postgres `--database-url`)."
            )
        for label, url in databases:
            env = _environment(tmp, url)
            log = tmp / f"{label}.log"
            print(f"  {label}: migrate and set up", flush=True)
            _role(env, log, "setup")
            print(f"  {label}: synchronous, {rounds} rounds of {seconds} s each", flush=True)
            sync = _role(env, log, "sync", str(seconds), str(ctx.load.warmup_s), str(rounds))
            bus_sync = Row(
                f"{label}: sync call",
                "`exchange_call`, in-process provider, end to end",
                [_from_json(r) for r in sync["bus"]],
            )
            raw_sync = Row(
                f"{label}: sync raw SQL",
                "INSERT message + INSERT 2 timeline rows, one transaction",
                [_from_json(r) for r in sync["raw"]],
            )
            bus_async_runs: list[LoadResult] = []
            raw_async_runs: list[LoadResult] = []
            print(f"  {label}: asynchronous, {rounds} rounds of {count} messages", flush=True)
            for number in range(rounds):
                order = ("bus", "raw") if number % 2 == 0 else ("raw", "bus")
                for kind in order:
                    _role(env, log, "prepare", kind, str(count))
                    result = _workers(env, log, kind, count)
                    (bus_async_runs if kind == "bus" else raw_async_runs).append(result)
            bus_async = Row(
                f"{label}: async, 2 workers",
                f"{count} queued messages delivered by two `exchange_deliver_due` processes",
                bus_async_runs,
            )
            raw_async = Row(
                f"{label}: async raw SQL, 2 workers",
                "the same claims, UPDATEs and timeline INSERTs in plain SQL, in the same transactions",
                raw_async_runs,
            )
            rows += [bus_sync, raw_sync, bus_async, raw_async]
            if label == "SQLite":
                rows.append(
                    Row(
                        "Ed25519 sign + verify only",
                        "one signature made and one checked, no database: the floor of "
                        "an asynchronous delivery's own cost",
                        [_from_json(r) for r in sync["crypto"]],
                    )
                )
            ratios += [
                Ratio(bus_sync, raw_sync, target=TARGET, why="issue 4: the bus's synchronous cost"),
                Ratio(bus_async, raw_async, target=TARGET, why="issue 4: asynchronous delivery"),
            ]
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    notes += [
        "Figures are messages per second (the `requests/s` column); latency is per call "
        "(sync) or per message within a worker's batch (async); `response` does not apply.",
        "The bench message type has JSON Schemas like a registry's (patterns, formats) and "
        "a handler that answers at once, so the bus's own cost is what is measured. The "
        "consumer's grant has no rate limit (a limit adds one bounded COUNT query).",
        "Logs: structlog JSON at INFO to a file, as in production: one line per worker "
        "batch, one per message that did not get its answer (every message is in the "
        "message log in the database).",
        "Where the bus's time goes (profiled on this machine): per asynchronous message, "
        "Ed25519 verification of the request and signing of the answer (see the "
        "sign + verify row), then reading the claimed rows back (field converters, "
        "decrypting the payload), JSON Schema validation of the answer, the envelope "
        "digests and encrypting the answer; the SQL itself is the raw row's cost. Raw SQL "
        "on SQLite (an in-process database, WAL, batched commits) is a very low bar, "
        "PostgreSQL's round trips and commits a higher one, hence the different ratios.",
        "Both kinds of worker start the clock with the database connection open and the "
        "ORM loaded, as the raw worker's set-up leaves them; nothing of the bus's own "
        "(keys, systems, validators) is loaded ahead, so its first batch pays for that.",
    ]
    return SuiteReport(
        suite="exchange",
        title=TITLE,
        summary=(
            "How many request/response messages per second the exchange bus carries, and "
            "what share of the same writes issued as raw SQL that is. Target (issue 4): "
            f"the bus reaches at least {TARGET:.0%} of the raw baseline."
        ),
        setup=[
            f"**Rounds**: {rounds}; synchronous: {seconds} s per side per round after "
            f"{ctx.load.warmup_s} s of warm-up; asynchronous: {count} messages per side per round",
            "**Processes**: sync in one process; async with two worker processes started "
            "together on a prepared queue (timed from the first start to the last finish)",
        ],
        rows=rows,
        ratios=ratios,
        notes=notes,
    )


# --- The children: roles run in their own Django process ----------------------------------


def _django() -> None:
    import django

    django.setup()
    from uslugi.exchange.interfaces import (
        MessageType,
        get_message_type,
        register_handler,
        register_message_type,
    )

    if get_message_type(TYPE_KEY) is None:
        import datetime as dt

        register_message_type(
            MessageType(
                code="bench.snils-verify",
                version=1,
                provider="bench-pfr",
                title="Benchmark: SNILS check",
                request_schema={
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "type": "object",
                    "properties": {
                        "snils": {"type": "string", "pattern": "^[0-9]{11}$"},
                        "surname": {"type": "string", "minLength": 1, "maxLength": 100},
                        "first_name": {"type": "string", "minLength": 1, "maxLength": 100},
                        "birth_date": {"type": "string", "format": "date"},
                        "gender": {"enum": ["male", "female"]},
                    },
                    "required": ["snils", "surname", "first_name", "birth_date", "gender"],
                    "additionalProperties": False,
                },
                response_schema={
                    "type": "object",
                    "properties": {
                        "match": {"type": "boolean"},
                        "checked_at": {"type": "string"},
                    },
                    "required": ["match"],
                    "additionalProperties": False,
                },
                default_deadline=dt.timedelta(hours=1),
            )
        )
        register_handler(TYPE_KEY, lambda payload, context: {"match": True, "checked_at": "now"})


PAYLOAD = {
    "snils": "11223344595",
    "surname": "Иванова",
    "first_name": "Мария",
    "birth_date": "1990-04-12",
    "gender": "female",
}


def _clear() -> None:
    from django.db import connection

    from uslugi.exchange.models import ExchangeMessage, MessageEvent

    tables = [MessageEvent._meta.db_table, ExchangeMessage._meta.db_table]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("TRUNCATE " + ", ".join(tables))
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()


def role_setup() -> dict[str, Any]:
    from django.core.management import call_command

    _django()
    call_command("migrate", "--no-input", verbosity=0)
    from uslugi.exchange import services

    _clear()
    services.access_grant(consumer="bench-portal", type_key=TYPE_KEY)
    services.providers_ensure()
    return {"ok": True}


class Raw:
    """The bus's writes as plain SQL: same tables, same rows, none of the bus's work."""

    def __init__(self) -> None:
        from django.db import connection

        from uslugi.exchange.models import ExchangeMessage, ExchangeSystem, MessageEvent

        self.connection = connection
        self.ops = connection.ops
        self.sqlite = connection.vendor == "sqlite"
        self.message_table = ExchangeMessage._meta.db_table
        self.event_table = MessageEvent._meta.db_table
        self.columns = [f.column for f in ExchangeMessage._meta.concrete_fields]
        self.sender = ExchangeSystem.objects.get(code="bench-portal").pk
        self.recipient = ExchangeSystem.objects.get(code="bench-pfr").pk
        self.signature = "A" * 88
        self.payload = json.dumps(PAYLOAD, ensure_ascii=False)
        self.response = json.dumps({"match": True, "checked_at": "now"})

    def uuid(self, value: uuid.UUID) -> Any:
        return value.hex if self.sqlite else value

    def time(self, value: Any) -> Any:
        return self.ops.adapt_datetimefield_value(value)

    def message_row(self, *, status: str, now: Any, answered: bool) -> tuple[Any, list[Any]]:
        message_id = uuid.uuid4()
        values = {
            "id": self.uuid(message_id),
            "created_at": self.time(now),
            "updated_at": self.time(now),
            "correlation_id": self.uuid(message_id),
            "sender_id": self.uuid(self.sender),
            "recipient_id": self.uuid(self.recipient),
            "type_key": TYPE_KEY,
            "channel": "in_process",
            "synchronous": answered,
            "test": False,
            "deadline": self.time(now),
            "status": status,
            "attempts": 1 if answered else 0,
            "next_attempt_at": None if answered else self.time(now),
            "claimed_by": "",
            "claimed_at": self.time(now) if answered else None,
            "request_payload": self.payload,
            "response_payload": self.response if answered else None,
            "attachments": "[]",
            "signature": self.signature,
            "signature_key_id": "k" * 32,
            "answered_at": self.time(now) if answered else None,
            "response_signature": self.signature if answered else "",
            "response_key_id": "k" * 32 if answered else "",
            "error_code": "",
            "error_message": "",
            "error_details": None,
            "callback": "",
        }
        return values["id"], [values[c] for c in self.columns]

    def insert_message(self, cursor: Any, row: list[Any]) -> None:
        marks = ", ".join(["%s"] * len(self.columns))
        cursor.execute(
            f"INSERT INTO {self.message_table} ({', '.join(self.columns)}) VALUES ({marks})", row
        )

    def insert_events(self, cursor: Any, message_id: Any, now: Any, states: list[str]) -> None:
        self.insert_event_rows(cursor, [(message_id, now, state) for state in states])

    def insert_event_rows(self, cursor: Any, rows: list[tuple[Any, Any, str]]) -> None:
        marks = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
        params: list[Any] = []
        for message_id, now, state in rows:
            params += [message_id, self.time(now), state, 1, "raw"]
        cursor.execute(
            f"INSERT INTO {self.event_table} (message_id, at, state, attempt, detail) VALUES {marks}",
            params,
        )


def role_sync(seconds: float, warmup: float, rounds: int) -> dict[str, Any]:
    _django()
    from django.db import transaction

    from uslugi.core import clock
    from uslugi.exchange import services

    raw = Raw()

    def bus_once() -> None:
        result = services.exchange_call(sender="bench-portal", type_key=TYPE_KEY, payload=PAYLOAD)
        if not result.ok:
            raise RuntimeError(f"bench call failed: {result}")

    def raw_once() -> None:
        now = clock.now()
        message_id, row = raw.message_row(status="answered", now=now, answered=True)
        with transaction.atomic(), raw.connection.cursor() as cursor:
            raw.insert_message(cursor, row)
            raw.insert_events(cursor, message_id, now, ["sending", "answered"])

    def measure(once: Any, duration: float) -> dict[str, Any]:
        latencies: list[float] = []
        started = time.perf_counter()
        while (elapsed := time.perf_counter() - started) < duration:
            t0 = time.perf_counter()
            once()
            latencies.append((time.perf_counter() - t0) * 1000)
        return {"count": len(latencies), "seconds": elapsed, "latencies_ms": latencies}

    from uslugi.exchange import envelope

    private_b64, public_b64 = envelope.generate_keypair()
    private, public = envelope.load_private_key(private_b64), envelope.load_public_key(public_b64)
    data = json.dumps(PAYLOAD, ensure_ascii=False).encode() * 3  # about an envelope's size

    def crypto_once() -> None:
        # What every asynchronous message costs in signatures alone: the request is
        # verified, the answer is signed.
        envelope.verify(public, envelope.sign(private, "k", data), data)

    measure(bus_once, warmup)
    measure(raw_once, warmup)
    out: dict[str, list[Any]] = {"bus": [], "raw": [], "crypto": []}
    for number in range(rounds):
        order = ("bus", "raw") if number % 2 == 0 else ("raw", "bus")
        for kind in order:
            _clear()
            once = bus_once if kind == "bus" else raw_once
            result = measure(once, seconds)
            result["latencies_ms"] = _sample(result["latencies_ms"])
            out[kind].append(result)
        crypto = measure(crypto_once, min(seconds, 2))
        crypto["latencies_ms"] = _sample(crypto["latencies_ms"])
        out["crypto"].append(crypto)
    return out


def _sample(values: list[float], size: int = 2000) -> list[float]:
    """A sorted subsample: percentiles survive, the JSON stays small."""
    ordered = sorted(values)
    if len(ordered) <= size:
        return ordered
    step = len(ordered) / size
    return [ordered[int(i * step)] for i in range(size)]


def role_prepare(kind: str, count: int) -> dict[str, Any]:
    _django()
    from django.db import transaction

    from uslugi.core import clock
    from uslugi.exchange import services

    _clear()
    if kind == "bus":
        for _ in range(count):
            services.exchange_send(sender="bench-portal", type_key=TYPE_KEY, payload=PAYLOAD)
    else:
        raw = Raw()
        for _ in range(count):
            now = clock.now()
            message_id, row = raw.message_row(status="queued", now=now, answered=False)
            with transaction.atomic(), raw.connection.cursor() as cursor:
                raw.insert_message(cursor, row)
                raw.insert_events(cursor, message_id, now, ["queued"])
    return {"prepared": count}


def _raw_worker_round(raw: Raw, batch: int, latencies: list[float]) -> int:
    from django.db import transaction

    from uslugi.core import clock

    token = uuid.uuid4().hex
    now = clock.now()
    with transaction.atomic(), raw.connection.cursor() as cursor:
        lock = "" if raw.sqlite else " FOR UPDATE SKIP LOCKED"
        cursor.execute(
            f"UPDATE {raw.message_table} SET status = 'sending', claimed_by = %s, "
            "claimed_at = %s, attempts = attempts + 1, updated_at = %s "
            f"WHERE id IN (SELECT id FROM {raw.message_table} WHERE status = 'queued' "
            f"AND next_attempt_at <= %s ORDER BY next_attempt_at LIMIT %s{lock}) "
            "AND status = 'queued'",
            [token, raw.time(now), raw.time(now), raw.time(now), batch],
        )
    with raw.connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, request_payload FROM {raw.message_table} "
            "WHERE status = 'sending' AND claimed_by = %s",
            [token],
        )
        claimed = cursor.fetchall()
    # As the bus does: the outcomes of a batch in one transaction, one UPDATE per message
    # and one INSERT of all the timeline rows.
    t0 = time.perf_counter()
    now = clock.now()
    with transaction.atomic(), raw.connection.cursor() as cursor:
        for message_id, _payload in claimed:
            cursor.execute(
                f"UPDATE {raw.message_table} SET status = 'answered', response_payload = %s, "
                "answered_at = %s, response_signature = %s, response_key_id = %s, "
                "claimed_by = '', claimed_at = NULL, next_attempt_at = NULL, updated_at = %s, "
                "error_code = '', error_message = '', error_details = NULL "
                "WHERE id = %s AND status = 'sending' AND claimed_by = %s",
                [
                    raw.response,
                    raw.time(now),
                    raw.signature,
                    "k" * 32,
                    raw.time(now),
                    message_id,
                    token,
                ],
            )
        if claimed:
            raw.insert_event_rows(
                cursor, [(m, now, state) for m, _ in claimed for state in ("sending", "answered")]
            )
    if claimed:
        per = (time.perf_counter() - t0) * 1000 / len(claimed)
        latencies += [per] * len(claimed)
    return len(claimed)


def role_worker(kind: str, go: str) -> dict[str, Any]:
    _django()
    from uslugi.exchange import conf, services
    from uslugi.exchange.models import ExchangeMessage

    batch = int(conf.get("EXCHANGE_DELIVERY_BATCH"))
    raw = Raw() if kind == "raw" else None
    # Both sides start the clock with the database connection open and the ORM's query
    # machinery imported, as the raw side's set-up above leaves them (its first query
    # was timed on the bus side only, ~20 ms where bytecode is not cached). Nothing of
    # the bus's own (keys, systems, validators) is loaded ahead.
    ExchangeMessage.objects.exists()
    Path(f"{go}.ready.{os.getpid()}").touch()
    while not Path(go).exists():
        time.sleep(0.005)
    latencies: list[float] = []
    delivered = 0
    start = time.time()
    while True:
        if raw is not None:
            claimed = _raw_worker_round(raw, batch, latencies)
        else:
            t0 = time.perf_counter()
            claimed = services.exchange_deliver_due(limit=batch).claimed
            if claimed:
                per = (time.perf_counter() - t0) * 1000 / claimed
                latencies += [per] * claimed
        if not claimed:
            break
        delivered += claimed
    end = time.time()
    return {"delivered": delivered, "start": start, "end": end, "latencies_ms": _sample(latencies)}


def main(argv: list[str]) -> int:
    role, *args = argv
    if role == "setup":
        result = role_setup()
    elif role == "sync":
        result = role_sync(float(args[0]), float(args[1]), int(args[2]))
    elif role == "prepare":
        result = role_prepare(args[0], int(args[1]))
    elif role == "worker":
        result = role_worker(args[0], args[1])
    else:
        raise SystemExit(f"unknown role {role}")
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    import django  # noqa: F401 - fail early and clearly when Django is missing

    sys.exit(main(sys.argv[1:]))

"""The audit journal: recording, tamper detection, append-only guards, admin, command."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.test import Client, RequestFactory

from tests.core.conftest import Tamper
from uslugi.__main__ import main as uslugi_main
from uslugi.core import clock
from uslugi.core.audit import (
    GENESIS_HASH,
    REDACTED,
    Actor,
    AppendOnlyError,
    AuditChainHead,
    AuditEntry,
    append_only_trigger_installed,
    audit_record,
    audit_verify,
    entry_hash,
    install_append_only_trigger,
    is_secret_key,
    request_context,
    scrub_details,
)
from uslugi.core.audit.models import HASHED_FIELDS
from uslugi.core.constants import ActorType
from uslugi.identity.models import Account

pytestmark = pytest.mark.django_db


def record_many(count: int) -> list[AuditEntry]:
    return [
        audit_record(action="test.event", object_type="test.thing", object_id=str(i))
        for i in range(1, count + 1)
    ]


def head() -> AuditChainHead:
    return AuditChainHead.objects.get(pk=1)


# --- Recording ----------------------------------------------------------------------------


def test_entries_form_a_chain_that_verifies() -> None:
    entries = record_many(5)

    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(entries))
    assert (head().last_seq, head().last_hash) == (5, entries[-1].hash)
    report = audit_verify()
    assert report.ok
    assert (report.checked, report.last_seq, report.last_hash) == (5, 5, entries[-1].hash)


def test_an_empty_journal_verifies() -> None:
    report = audit_verify()
    assert report.ok
    assert (report.checked, report.last_seq) == (0, 0)


def test_verify_walks_in_batches_and_from_a_starting_point() -> None:
    record_many(7)

    assert audit_verify(batch_size=2).checked == 7
    seen: list[int] = []
    partial = audit_verify(from_seq=4, batch_size=3, progress=seen.append)
    assert partial.ok
    assert partial.checked == 4
    assert seen == [6, 7]


def test_an_entry_says_who_did_what_to_which_object_from_where(rf: RequestFactory) -> None:
    person = Account.objects.create_user("ivanov@example.com", "pw-Long-enough-1")
    request = rf.post("/x", HTTP_USER_AGENT="Browser/1.0", REMOTE_ADDR="2001:db8:0:0::1")
    request.request_id = "req-12345678"  # type: ignore[attr-defined]
    request.user = person

    with clock.frozen(dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)), request_context(request):
        entry = audit_record(action="identity.profile_changed", obj=person, details={"field": "x"})

    entry = AuditEntry.objects.get(seq=entry.seq)
    assert entry.created_at == dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    assert entry.actor_type == ActorType.PERSON
    assert entry.actor_id == str(person.pk)
    assert entry.actor_label == "iv***@example.com"
    assert (entry.object_type, entry.object_id) == ("identity.account", str(person.pk))
    assert (entry.request_id, entry.ip, entry.user_agent) == (
        "req-12345678",
        "2001:db8::1",
        "Browser/1.0",
    )
    assert entry.details == {"field": "x"}
    assert audit_verify().ok


def test_the_actor_is_staff_anonymous_or_system_as_the_case_may_be(rf: RequestFactory) -> None:
    officer = Account.objects.create_user("officer@example.com", "pw-Long-enough-1", is_staff=True)
    anonymous_request = rf.get("/")
    anonymous_request.user = AnonymousUser()

    assert audit_record(action="test.a", actor=officer).actor_type == ActorType.STAFF
    assert audit_record(action="test.b", request=anonymous_request).actor_type == "anonymous"
    assert audit_record(action="test.c", request=rf.get("/")).actor_type == "anonymous"
    system = audit_record(action="test.d")
    assert (system.actor_type, system.actor_label) == (ActorType.SYSTEM, "system")
    job = audit_record(action="test.e", actor=Actor.system("exchange.retry"))
    assert job.actor_label == "exchange.retry"


@pytest.mark.parametrize("action", ["login", "Auth.login", "auth.", "auth..x", "auth.log-in", ""])
def test_an_action_code_must_look_like_app_dot_event(action: str) -> None:
    with pytest.raises(ValueError, match=r"app\.event_name"):
        audit_record(action=action)


def test_odd_values_in_details_survive_the_database_and_still_verify() -> None:
    details: dict[Any, Any] = {
        "big_float": 1e300,
        "negative_zero": -0.0,
        "small": 1.5e-7,
        "third": 1 / 3,
        "huge_int": 2**70,
        "nan": float("nan"),
        "text": "Привет\x00мир \ud800",
        "when": dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
        "day": dt.date(2026, 1, 2),
        "amount": Decimal("10.50"),
        "id": uuid.UUID(int=7),
        "kind": ActorType.STAFF,
        "tags": {"b", "a"},
        "pair": (1, 2),
        "blob": b"\x00\x01",
        "nested": {"deeper": [{"x": None, "y": True}]},
        7: "int key",
    }
    audit_record(action="test.odd", details=details)

    stored = AuditEntry.objects.get().details
    assert stored["big_float"] == int(1e300)
    assert stored["negative_zero"] == 0
    assert stored["small"] == 1.5e-7
    assert stored["nan"] == "nan"
    assert stored["text"] == "Приветмир ?"
    assert stored["amount"] == "10.50"
    assert stored["kind"] == "staff"
    assert stored["tags"] == ["a", "b"]
    assert stored["blob"] == "[2 bytes]"
    assert stored["7"] == "int key"
    assert audit_verify().ok


def test_times_in_other_zones_hash_the_same_after_the_round_trip() -> None:
    moscow = dt.timezone(dt.timedelta(hours=3))
    with clock.frozen(dt.datetime(2026, 5, 1, 15, 0, 0, 123456, tzinfo=moscow)):
        audit_record(action="test.zone")
    assert audit_verify().ok


# --- Secrets --------------------------------------------------------------------------------


def test_secrets_and_personal_data_are_redacted_from_details() -> None:
    entry = audit_record(
        action="test.secrets",
        details={
            "password": "hunter2",
            "newPassword": "hunter3",
            "access_token": "abc",
            "client_secret": "s",
            "sms_code": "123456",
            "apiKey": "k",
            "snils": "112-233-445 95",
            "passport_number": "4508123456",
            "birth_date": "1990-01-01",
            "address": "Moscow",
            "session_id": "x",
            "status_code": 403,
            "reason": "bad password",
            "attempts": [{"otp": "111"}, {"step": "sms"}],
            "outer": {"inner_token": "t", "ok": 1},
        },
    )

    details = entry.details
    for key in (
        "password",
        "newPassword",
        "access_token",
        "client_secret",
        "sms_code",
        "apiKey",
        "snils",
        "passport_number",
        "birth_date",
        "address",
        "session_id",
    ):
        assert details[key] == REDACTED, key
    assert details["status_code"] == 403
    assert details["reason"] == "bad password"
    assert details["attempts"] == [{"otp": REDACTED}, {"step": "sms"}]
    assert details["outer"] == {"inner_token": REDACTED, "ok": 1}
    assert "hunter2" not in str(AuditEntry.objects.values_list("details", flat=True).get())


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("password_confirmation", True),
        ("confirmationCode", True),
        ("inn", True),
        ("idempotency_key", True),
        ("error_code", False),
        ("status_code", False),
        ("username", False),
        ("application_id", False),
        ("monkey", False),
        ("beginning", False),
    ],
)
def test_secret_keys_are_recognised_by_word(key: str, secret: bool) -> None:
    assert is_secret_key(key) is secret


def test_details_are_capped_in_size() -> None:
    capped = scrub_details({"text": "x" * 5000, "list": list(range(500))})
    assert len(capped["text"]) == 1000
    assert len(capped["list"]) == 101
    assert capped["list"][-1] == "[400 more]"

    huge = scrub_details({f"k{i}": "y" * 900 for i in range(20)})
    assert huge["_truncated"] is True
    assert huge["_size"] > 8192

    deep: dict[str, Any] = {}
    node = deep
    for _ in range(10):
        node["d"] = {}
        node = node["d"]
    assert "[too deep]" in str(scrub_details(deep))


# --- Tampering ------------------------------------------------------------------------------


def test_an_edited_entry_is_named(tamper: Tamper) -> None:
    record_many(5)
    tamper("UPDATE {entries} SET object_id = %s WHERE seq = %s", ["999", 3])

    report = audit_verify()

    assert not report.ok
    assert (report.broken_seq, report.problem) == (3, "hash_mismatch")
    assert report.checked == 2
    assert "entry 3" in report.message


def test_an_edited_entry_with_a_recomputed_hash_breaks_the_next_link(tamper: Tamper) -> None:
    record_many(5)
    values = AuditEntry.objects.filter(seq=3).values(*HASHED_FIELDS).get()
    values["object_id"] = "999"
    tamper(
        "UPDATE {entries} SET object_id = %s, hash = %s WHERE seq = %s",
        ["999", entry_hash(values), 3],
    )

    report = audit_verify()

    assert (report.broken_seq, report.problem) == (4, "prev_hash_mismatch")


def test_a_deleted_entry_is_named(tamper: Tamper) -> None:
    record_many(5)
    tamper("DELETE FROM {entries} WHERE seq = %s", [3])

    report = audit_verify()

    assert (report.broken_seq, report.problem) == (3, "missing")
    assert "entry 3 is missing" in report.message


def test_deleted_last_entries_are_noticed_through_the_head(tamper: Tamper) -> None:
    record_many(5)
    tamper("DELETE FROM {entries} WHERE seq >= %s", [4])

    report = audit_verify()

    assert (report.broken_seq, report.problem) == (4, "missing")
    assert "4 to 5" in report.message


def test_reordered_entries_are_named(tamper: Tamper) -> None:
    record_many(5)
    tamper("UPDATE {entries} SET seq = -1 WHERE seq = 3")
    tamper("UPDATE {entries} SET seq = 3 WHERE seq = 4")
    tamper("UPDATE {entries} SET seq = 4 WHERE seq = -1")

    report = audit_verify()

    assert report.broken_seq == 3
    assert report.problem in {"prev_hash_mismatch", "hash_mismatch"}


def test_an_entry_inserted_into_the_middle_is_noticed(tamper: Tamper) -> None:
    entries = record_many(4)
    for seq in (4, 3):  # make room at 3, highest first so the keys never collide
        tamper("UPDATE {entries} SET seq = %s WHERE seq = %s", [seq + 1, seq])
    forged = AuditEntry(
        seq=3,
        created_at=entries[2].created_at,
        actor_type=ActorType.SYSTEM,
        action="test.forged",
        prev_hash=entries[1].hash,
        details={},
    )
    forged.hash = forged.compute_hash()
    forged._chained = True  # type: ignore[attr-defined]
    forged.save()

    report = audit_verify()

    assert (report.broken_seq, report.problem) == (4, "prev_hash_mismatch")


def test_an_entry_appended_past_the_head_is_noticed() -> None:
    entries = record_many(3)
    forged = AuditEntry(
        seq=4,
        created_at=clock.now(),
        actor_type=ActorType.SYSTEM,
        action="test.forged",
        prev_hash=entries[-1].hash,
        details={},
    )
    forged.hash = forged.compute_hash()
    forged._chained = True  # type: ignore[attr-defined]
    forged.save()

    report = audit_verify()

    assert (report.broken_seq, report.problem) == (4, "beyond_head")


def test_a_missing_head_is_noticed(tamper: Tamper) -> None:
    record_many(2)
    tamper("DELETE FROM {head}")

    report = audit_verify()

    assert (report.broken_seq, report.problem) == (1, "head_missing")


def test_a_consistently_rewritten_chain_is_caught_by_an_anchor(tamper: Tamper) -> None:
    entries = record_many(4)
    anchor = {2: entries[1].hash}
    prev = entries[0].hash
    for seq in (2, 3, 4):  # rewrite 2 and recompute every hash after it, head included
        values = AuditEntry.objects.filter(seq=seq).values(*HASHED_FIELDS).get()
        values["object_id"] = "rewritten" if seq == 2 else values["object_id"]
        values["prev_hash"] = prev
        prev = entry_hash(values)
        tamper(
            "UPDATE {entries} SET object_id = %s, prev_hash = %s, hash = %s WHERE seq = %s",
            [values["object_id"], values["prev_hash"], prev, seq],
        )
    tamper("UPDATE {head} SET last_hash = %s", [prev])

    assert audit_verify().ok
    report = audit_verify(anchors=anchor)
    assert (report.broken_seq, report.problem) == (2, "anchor_mismatch")


# --- Append-only through the ORM --------------------------------------------------------------


def test_the_orm_refuses_to_change_or_remove_entries() -> None:
    entry = record_many(2)[0]
    entry.action = "test.changed"

    refusals: list[Callable[[], object]] = [
        entry.save,
        entry.delete,
        lambda: AuditEntry.objects.update(action="test.changed"),
        lambda: AuditEntry.objects.filter(seq=1).update(action="test.changed"),
        lambda: AuditEntry.objects.all().delete(),
        lambda: AuditEntry.objects.filter(seq=1).delete(),
        lambda: AuditEntry.objects.bulk_update([entry], ["action"]),
        lambda: AuditEntry.objects.bulk_create([AuditEntry(seq=9)]),
        lambda: AuditEntry.objects.update_or_create(seq=1),
        lambda: AuditEntry.objects.create(seq=9, action="test.unchained"),
        lambda: AuditChainHead.objects.update(last_seq=0),
        lambda: AuditChainHead.objects.all().delete(),
        lambda: head().delete(),
    ]
    for refuse in refusals:
        with pytest.raises(AppendOnlyError, match="append-only"):
            refuse()

    assert AuditEntry.objects.count() == 2
    assert audit_verify().ok


def test_a_rolled_back_transaction_leaves_no_entry() -> None:
    record_many(2)

    def fail_after_recording() -> None:
        with transaction.atomic():
            audit_record(action="test.doomed")
            raise RuntimeError

    with pytest.raises(RuntimeError):
        fail_after_recording()

    assert AuditEntry.objects.count() == 2
    assert head().last_seq == 2
    assert audit_record(action="test.after").seq == 3
    assert audit_verify().ok


def append_concurrently(prepare_thread: Callable[[], None]) -> list[BaseException]:
    """Several threads, each with its own database connection, append at once."""
    threads_count, per_thread = 6, 15
    errors: list[BaseException] = []
    start = threading.Barrier(threads_count)

    def append(worker: int) -> None:
        try:
            prepare_thread()
            start.wait()
            for i in range(per_thread):
                with transaction.atomic():
                    audit_record(action="test.concurrent", object_id=f"{worker}-{i}")
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def assert_one_valid_chain(total: int) -> None:
    seqs = list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, total + 1))
    report = audit_verify()
    assert report.ok, report.message
    assert report.checked == total


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_valid_chain_on_postgresql() -> None:
    assert append_concurrently(lambda: None) == []
    assert_one_valid_chain(90)


def test_concurrent_appends_keep_one_valid_chain_on_sqlite(
    tmp_path: Path, on_postgres: bool
) -> None:
    if on_postgres:
        pytest.skip("the PostgreSQL variant covers this")
    # The suite's in-memory SQLite (shared cache) fails a second writer at once instead
    # of queueing it, unlike the file database the portal runs on: use such a file, with
    # the project's connection options (WAL, IMMEDIATE transactions, busy timeout).
    wrapper_class = type(connections["default"])
    file_settings = {**connections["default"].settings_dict, "NAME": str(tmp_path / "j.db")}
    schema_connection = wrapper_class(file_settings)
    with schema_connection.schema_editor() as editor:
        editor.create_model(AuditChainHead)
        editor.create_model(AuditEntry)
    schema_connection.close()

    def use_file_database() -> None:  # connections are per thread: the test's stays put
        connections["default"] = wrapper_class(file_settings)

    assert append_concurrently(use_file_database) == []
    failures: list[BaseException] = []

    def check() -> None:
        try:
            use_file_database()
            assert_one_valid_chain(90)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            failures.append(exc)
        finally:
            connections.close_all()

    checker = threading.Thread(target=check)
    checker.start()
    checker.join()
    assert failures == []


# --- PostgreSQL guard -----------------------------------------------------------------------


@pytest.mark.postgres
def test_postgresql_refuses_raw_changes_to_entries() -> None:
    record_many(2)
    assert append_only_trigger_installed(connection)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)

    for sql in (
        f"UPDATE {table} SET action = 'test.changed' WHERE seq = 1",  # noqa: S608
        f"DELETE FROM {table} WHERE seq = 2",  # noqa: S608
    ):
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            connection.cursor().execute(sql)

    assert AuditEntry.objects.count() == 2
    assert audit_verify().ok


@pytest.mark.postgres
def test_postgresql_refuses_truncate_outside_the_test_suite() -> None:
    record_many(1)
    # The suite's guard lets the test runner TRUNCATE between tests; production's does not.
    install_append_only_trigger(connection, refuse_truncate=True)
    table = connection.ops.quote_name(AuditEntry._meta.db_table)

    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        connection.cursor().execute(f"TRUNCATE {table}")

    assert AuditEntry.objects.count() == 1


@pytest.mark.postgres
def test_postgresql_lets_the_head_only_move_forward() -> None:
    record_many(3)
    table = connection.ops.quote_name(AuditChainHead._meta.db_table)

    for sql in (
        f"UPDATE {table} SET last_seq = 1",  # noqa: S608
        f"DELETE FROM {table}",  # noqa: S608
    ):
        with pytest.raises(DatabaseError, match="only moves forward"), transaction.atomic():
            connection.cursor().execute(sql)

    assert head().last_seq == 3


def test_the_guard_is_a_no_op_on_other_databases(on_postgres: bool) -> None:
    if on_postgres:
        pytest.skip("PostgreSQL has the trigger")
    install_append_only_trigger(connection)
    assert append_only_trigger_installed(connection) is False


# --- Sign-in events and the request context -------------------------------------------------


def _through_middleware(view: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """A view wrapped in the middleware that gives audit entries their request context."""
    from django.contrib.sessions.middleware import SessionMiddleware

    from uslugi.core.audit import AuditContextMiddleware
    from uslugi.core.observability import RequestIdMiddleware

    return RequestIdMiddleware(AuditContextMiddleware(SessionMiddleware(view)))  # type: ignore[arg-type]


def test_signing_in_and_out_is_recorded_with_request_id_and_ip(rf: RequestFactory) -> None:
    from django.contrib.auth import login, logout
    from django.http import HttpResponse

    person = Account.objects.create_user(
        "admin2@example.com", "correct-horse-battery", is_staff=True
    )

    def sign_in_and_out(request: Any) -> HttpResponse:
        login(request, person, backend="django.contrib.auth.backends.ModelBackend")
        logout(request)
        return HttpResponse("ok")

    request = rf.post("/sign-in", HTTP_USER_AGENT="TestBrowser")
    request.user = AnonymousUser()
    response = _through_middleware(sign_in_and_out)(request)

    login_entry, logout_entry = AuditEntry.objects.order_by("seq")
    assert login_entry.action == "auth.login"
    assert (login_entry.actor_type, login_entry.actor_id) == (ActorType.STAFF, str(person.pk))
    assert (login_entry.object_type, login_entry.object_id) == ("identity.account", str(person.pk))
    assert login_entry.request_id == response["X-Request-ID"]
    assert (login_entry.ip, login_entry.user_agent) == ("127.0.0.1", "TestBrowser")
    assert logout_entry.action == "auth.logout"
    assert logout_entry.actor_id == str(person.pk)
    assert audit_verify().ok


def test_a_failed_sign_in_is_recorded_without_the_password(rf: RequestFactory) -> None:
    from django.contrib.auth import authenticate
    from django.http import HttpResponse

    Account.objects.create_user("victim@example.com", "correct-horse-battery")

    def failed_sign_in(request: Any) -> HttpResponse:
        assert authenticate(request, username="victim@example.com", password="guess-1234") is None
        return HttpResponse("no")

    request = rf.post("/sign-in")
    request.user = AnonymousUser()
    _through_middleware(failed_sign_in)(request)

    entry = AuditEntry.objects.get()
    assert entry.action == "auth.login_failed"
    assert entry.actor_type == ActorType.ANONYMOUS
    assert entry.details == {"username": "vi***@example.com"}
    assert "guess-1234" not in str(AuditEntry.objects.values().get())


# --- Admin ----------------------------------------------------------------------------------


def test_the_admin_lists_and_filters_the_journal(admin_client: Client) -> None:
    audit_record(action="test.listed", object_id="obj-42", details={"n": 1})

    changelist = "/admin/core/auditentry/"
    assert admin_client.get(changelist).status_code == 200
    for query in (
        "?action=test.listed",
        "?actor_type=system",
        "?object_type=",
        "?q=obj-42",
        "?created_at__year=2026",
    ):
        response = admin_client.get(changelist + query)
        assert response.status_code == 200, query
    assert b"obj-42" in admin_client.get(changelist + "?q=obj-42").content


def test_the_admin_shows_an_entry_read_only(admin_client: Client) -> None:
    entry = audit_record(action="test.shown", details={"reason": "check"})
    url = f"/admin/core/auditentry/{entry.seq}/change/"

    page = admin_client.get(url)

    assert page.status_code == 200
    assert b"test.shown" in page.content
    assert b'name="_save"' not in page.content
    assert admin_client.post(url, {"action": "test.changed"}).status_code == 403
    assert admin_client.get(f"/admin/core/auditentry/{entry.seq}/delete/").status_code == 403
    assert admin_client.post(f"/admin/core/auditentry/{entry.seq}/delete/").status_code == 403
    assert admin_client.get("/admin/core/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get(seq=entry.seq).action == "test.shown"


# --- The command ----------------------------------------------------------------------------


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def uslugi(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Any:
    """Run `uslugi ...` in this process, on the test's database; return its exit code."""
    # A command run from the command line closes every connection when it ends, which
    # would end the test's transaction too.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*argv: str) -> Run:
        try:
            uslugi_main(list(argv))
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def test_the_command_reports_an_intact_journal(uslugi: Any) -> None:
    entries = record_many(3)

    run = uslugi("audit", "verify")

    assert run.code == 0
    assert "intact: 3 entries checked" in run.out
    assert entries[-1].hash in run.out


def test_the_command_names_the_broken_entry_and_fails(tamper: Tamper, uslugi: Any) -> None:
    record_many(4)
    tamper("DELETE FROM {entries} WHERE seq = %s", [2])

    run = uslugi("audit", "verify", "--batch-size", "2")

    assert run.code == 1
    assert "broken at entry 2" in run.err
    assert "[missing]" in run.err


def test_the_command_checks_anchors(uslugi: Any) -> None:
    entries = record_many(3)

    assert uslugi("audit", "verify", "--anchor", f"2:{entries[1].hash}").code == 0
    forged = uslugi("audit", "verify", "--anchor", f"2:{'a' * 64}")
    assert forged.code == 1
    assert "anchor_mismatch" in forged.err
    assert uslugi("audit", "verify", "--anchor", "2:nothex").code == 2
    assert uslugi("audit", "verify", "--from-seq", "99").code == 2


def test_the_command_tails_the_journal(uslugi: Any) -> None:
    record_many(5)

    run = uslugi("audit", "tail", "-n", "2")

    lines = run.out.splitlines()
    assert len(lines) == 2
    assert lines[0].split()[0] == "4"
    assert lines[1].split()[0] == "5"
    assert "test.event" in lines[1]

"""Background tasks: database queue, transactional enqueue, the worker command."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django_tasks import task_backends
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.testapp.tasks import add

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def db_backend() -> Iterator[None]:
    """The production queue (django-tasks-db) instead of the tests' immediate backend."""
    with override_settings(TASKS=DB_TASKS):
        yield


def test_tests_run_tasks_immediately() -> None:
    result = add.enqueue(2, 3)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 5


@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_task(db_backend: None) -> None:
    assert type(task_backends["default"]).__name__ == "DatabaseBackend"
    result = add.enqueue(20, 22)
    assert DBTaskResult.objects.ready().count() == 1
    call_command("worker", "--batch", "--interval", "0")
    result.refresh()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value == 42


@pytest.mark.django_db(transaction=True)
def test_task_enqueued_in_a_rolled_back_transaction_never_runs(db_backend: None) -> None:
    class Boom(Exception):
        pass

    def enqueue_then_fail() -> None:
        with transaction.atomic():
            add.enqueue(1, 1)
            raise Boom

    with pytest.raises(Boom):
        enqueue_then_fail()
    assert DBTaskResult.objects.count() == 0

"""core.tasks: services enqueue a task by its registered name, on commit, eagerly in the test settings."""

import pytest
from celery import current_app
from celery.exceptions import NotRegistered

from core.tasks import enqueue, enqueue_on_commit, registered_task

RAN: list[tuple] = []


@current_app.task(name="tests.architecture.record")
def record(*args, **kwargs):
    RAN.append((args, kwargs))
    return len(RAN)


@pytest.fixture(autouse=True)
def fresh():
    RAN.clear()


def test_enqueue_runs_the_registered_task_eagerly():
    result = enqueue("tests.architecture.record", 1, two=2)
    assert RAN == [((1,), {"two": 2})]
    assert result.get() == 1


def test_enqueue_on_commit_waits_for_the_commit(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        enqueue_on_commit("tests.architecture.record", "x")
        assert RAN == []  # nothing before the transaction commits
    assert len(callbacks) == 1
    assert RAN == [(("x",), {})]


def test_the_apps_tasks_are_found_by_name():
    for name in ("upgrades.run_upgrade_operation", "bulk.process_upgrade_batch_chunk", "direct.execute_order"):
        assert registered_task(name).name == name


def test_an_unknown_name_is_an_error_not_a_lost_message():
    with pytest.raises(NotRegistered):
        registered_task("nope.no_such_task")

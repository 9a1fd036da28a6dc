"""Every log line carries ``correlation_id``: the request's ``MS-CorrelationId`` or one generated for it, also in
the lines of the Celery tasks the request enqueued (message header ``ms_correlation_id``)."""

import contextvars
import io
import json
import logging

import pytest
from celery import current_app
from pythonjsonlogger.json import JsonFormatter

from core.correlation import log_correlation_id, request_log_id
from core.tasks import registered_task
from ops.logs import CorrelationIdFilter
from ops.receivers import add_correlation_header, task_finished, task_started
from partnercenter.settings import logging_config
from tests.builders import sub_url

pytestmark = pytest.mark.django_db

E3 = {"targetOffer": {"id": "o365-e3"}, "upgradeType": "upgrade_with_license_transfer"}
TASK = "upgrades.run_upgrade_operation"


@pytest.fixture
def logs(caplog):
    """caplog's handler with the project's filter, as the handlers of ``LOGGING`` have it. The first lookup of a
    task imports the apps' task modules, and Celery's Django fixup then configures logging again (dropping
    caplog's handler): done here, before the test."""
    registered_task(TASK)
    caplog.set_level(logging.INFO, logger="ops")
    caplog.handler.addFilter(CorrelationIdFilter())
    return caplog


def lines(caplog, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger]


def test_the_upgrade_request_and_its_task_log_the_clients_correlation_id(
    api, upgradable, logs, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            sub_url(upgradable.subscription, "/upgrades"),
            E3,
            headers={"Prefer": "respond-async", "MS-CorrelationId": "trace-15"},
        )
    assert response.status_code == 202
    [access] = lines(logs, "ops.requests")
    task_lines = lines(logs, "ops.tasks")
    assert [r.getMessage().split(" in ")[0] for r in task_lines] == [f"task {TASK} started", f"task {TASK} SUCCESS"]
    assert {r.correlation_id for r in [access, *task_lines]} == {"trace-15"}


def test_without_a_header_the_generated_id_is_the_one_the_api_answers(api, upgradable, logs):
    response = api.post(sub_url(upgradable.subscription, "/upgrades"), E3)
    assert response.status_code == 200
    [access] = lines(logs, "ops.requests")
    generated = response["MS-CorrelationId"]
    assert len(generated) == 36 and access.correlation_id == generated


def test_page_requests_get_an_id_of_their_own(client, logs):
    client.get("/healthz")
    client.get("/healthz")
    first, second = lines(logs, "ops.requests")
    assert first.correlation_id != second.correlation_id and len(first.correlation_id) == 36


def test_a_worker_takes_the_id_from_the_message_headers_and_clears_it_after_the_task(logs):
    """The publish and the run as in two processes: the worker side runs in a fresh context."""
    headers: dict = {}
    token = request_log_id.set("req-4711")
    try:
        add_correlation_header(headers=headers)  # Celery's before_task_publish
    finally:
        request_log_id.reset(token)
    assert headers == {"ms_correlation_id": "req-4711"}

    task = current_app.tasks[TASK]
    seen = {}

    def worker():
        task.push_request(id="task-1", correlation_id="task-1", ms_correlation_id=headers["ms_correlation_id"])
        try:
            task_started(sender=task, task_id="task-1", task=task)
            seen["during"] = log_correlation_id()
            logging.getLogger("ops.tasks").info("working")
            task_finished(sender=task, task_id="task-1", task=task, state="SUCCESS")
            seen["after"] = log_correlation_id()
        finally:
            task.pop_request()

    contextvars.Context().run(worker)
    assert seen == {"during": "req-4711", "after": ""}
    assert {r.correlation_id for r in lines(logs, "ops.tasks")} == {"req-4711"}


def test_a_publish_outside_any_request_adds_no_header():
    headers: dict = {}
    contextvars.Context().run(add_correlation_header, headers=headers)
    assert headers == {}


def test_json_lines_carry_the_correlation_id():
    config = logging_config("json")
    assert config["handlers"]["console"]["formatter"] == "json"
    assert logging_config("text")["handlers"]["console"]["formatter"] == "text"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(config["formatters"]["json"]["format"]))
    handler.addFilter(CorrelationIdFilter())
    logger = logging.getLogger("tests.ops.json")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    token = request_log_id.set("json-1")
    try:
        logger.info("upgrade %s queued", "op-1")
    finally:
        request_log_id.reset(token)
        logger.removeHandler(handler)
    line = json.loads(stream.getvalue())
    assert {k: line[k] for k in ("levelname", "name", "message", "correlation_id")} == {
        "levelname": "INFO",
        "name": "tests.ops.json",
        "message": "upgrade op-1 queued",
        "correlation_id": "json-1",
    }


def test_django_request_error_lines_carry_the_requests_id(client, logs, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the memory broker has no worker: /readyz answers 503
    settings.READYZ_WORKER_TIMEOUT = 0.1
    response = client.get("/readyz", HTTP_MS_CORRELATIONID="probe-503")
    assert response.status_code == 503
    [error] = [r for r in logs.records if r.name == "django.request"]
    assert error.levelname == "ERROR" and error.correlation_id == "probe-503"

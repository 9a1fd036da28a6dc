"""The Prometheus metrics the portal's processes update (``prometheus_client``).

With ``PROMETHEUS_MULTIPROC_DIR`` set in the environment *before the process starts* (gunicorn and the Celery
workers of one machine sharing one empty directory), every process writes its samples there and ``/metrics``
adds them up (``prometheus_client.multiprocess``); without it each process counts for itself and ``/metrics``
shows the answering process only. Figures read from the database at scrape time live in ``ops.collectors``.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram, disable_created_metrics

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
OPERATION_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)
# No ``*_created`` series: they double the output and no dashboard reads them.
disable_created_metrics()

TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)

HTTP_REQUESTS = Counter(
    "portal_http_requests",
    "HTTP requests answered, by method, view (URL name, never the raw path) and status code.",
    ["method", "view", "status"],
)
HTTP_LATENCY = Histogram(
    "portal_http_request_duration_seconds",
    "Time to answer an HTTP request, by method and view.",
    ["method", "view"],
    buckets=LATENCY_BUCKETS,
)
OPERATIONS = Counter(
    "portal_operations",
    "Upgrades and new commerce transitions that ended (committed), by kind and outcome.",
    ["kind", "outcome"],
)
OPERATION_DURATION = Histogram(
    "portal_operation_duration_seconds",
    "Duration of the service call that ran an upgrade or a transition, by kind and outcome.",
    ["kind", "outcome"],
    buckets=OPERATION_BUCKETS,
)
LICENSES_MOVED = Counter("portal_licenses_moved", "Licenses moved by upgrades and transitions, by kind.", ["kind"])
TASKS = Counter("portal_celery_tasks", "Celery tasks that ran, by task name and final state.", ["task", "state"])
TASK_DURATION = Histogram(
    "portal_celery_task_duration_seconds", "Run time of Celery tasks, by task name.", ["task"], buckets=TASK_BUCKETS
)
TASK_FAILURES = Counter(
    "portal_celery_task_failures", "Celery tasks that raised, by task name and exception class.", ["task", "exception"]
)

LABELLED = (
    HTTP_REQUESTS,
    HTTP_LATENCY,
    OPERATIONS,
    OPERATION_DURATION,
    LICENSES_MOVED,
    TASKS,
    TASK_DURATION,
    TASK_FAILURES,
)

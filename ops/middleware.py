"""Count and time every HTTP request by its view (the resolver's view name, never the raw path: ids in paths
would make a series per object) and status, and write one access log line (logger ``ops.requests``)."""

from __future__ import annotations

import logging
import time

from core.correlation import new_request_log_id, request_log_id

from .metrics import HTTP_LATENCY, HTTP_REQUESTS

logger = logging.getLogger("ops.requests")
UNRESOLVED = "<unresolved>"


def view_label(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else UNRESOLVED


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        # the request's log id from the first middleware on (core's CorrelationIdMiddleware keeps the same one)
        token = request_log_id.set(new_request_log_id(request))
        try:
            response = self.get_response(request)
            elapsed = time.perf_counter() - started
            self.record(request, response, elapsed)
        finally:
            request_log_id.reset(token)
        return response

    @staticmethod
    def record(request, response, elapsed: float) -> None:
        view = view_label(request)
        HTTP_REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        HTTP_LATENCY.labels(request.method, view).observe(elapsed)
        logger.info(
            "%s %s %s %.1f ms",
            request.method,
            view,
            response.status_code,
            elapsed * 1000,
            extra={
                "method": request.method,
                "view": view,
                "status": response.status_code,
                "duration_ms": round(elapsed * 1000, 1),
            },
        )

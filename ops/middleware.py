"""Count and time every HTTP request by its view (the resolver's view name, never the raw path: ids in paths
would make a series per object) and status, and write one access log line (logger ``ops.requests``)."""

from __future__ import annotations

import logging
import time

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
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
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
                # this middleware is outside core's CorrelationIdMiddleware: the id it gave the request
                "correlation_id": getattr(request, "generated_correlation_id", ""),
            },
        )
        return response

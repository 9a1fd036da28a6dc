"""Request-scoped context for the lower layers (no project app is imported)."""

from __future__ import annotations

from .correlation import current_request


class CorrelationIdMiddleware:
    """Make the current request known to ``core.correlation.current_correlation_id`` (workflow history)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            current_request.reset(token)

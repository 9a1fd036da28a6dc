"""One place that turns the domain error hierarchy into a web page's answer (never under ``/v1/``: the API maps
errors to ServiceFault bodies in ``api.errors``).

A ``DomainError`` that a page view lets through becomes the page's 403/404/409/423 answer: ``Forbidden`` and
``NotFound`` go to Django's ``handler403`` / ``handler404`` (``portal.error_views``: the 403/404 templates with the
error's message), ``Conflict`` and ``Locked`` render ``409.html`` / ``423.html``. ``django.core.exceptions.
PermissionDenied`` and ``Http404`` already reach those handlers. A page that shows a refusal as a form message
(an ``InvalidInput`` on a form) catches it itself, as before; an uncaught 400-class error stays a server error
(a view that forgot to show it).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from .correlation import current_request, new_request_log_id, request_log_id
from .errors import DomainError

API_PREFIX = "/v1/"
PAGE_TEMPLATES = {409: "409.html", 423: "423.html"}


def domain_error_response(request, exc: DomainError):
    """The page answer for ``exc``; raises ``Http404`` / ``PermissionDenied`` for the project's handlers."""
    if exc.http_status == 404:
        raise Http404(exc.message) from exc
    if exc.http_status == 403:
        raise PermissionDenied(exc.message) from exc
    template = PAGE_TEMPLATES.get(exc.http_status)
    if template is None:
        return None
    return render(request, template, {"message": exc.message}, status=exc.http_status)


class DomainErrorMiddleware:
    """``process_exception`` for web pages (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith(API_PREFIX) or not isinstance(exception, DomainError):
            return None
        return domain_error_response(request, exception)


class CorrelationIdMiddleware:
    """Make the current request known to ``core.correlation.current_correlation_id`` (workflow history) and give
    its log lines a correlation id (``core.correlation.log_correlation_id``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = current_request.set(request)
        log_token = request_log_id.set(new_request_log_id(request))
        try:
            return self.get_response(request)
        finally:
            request_log_id.reset(log_token)
            current_request.reset(token)

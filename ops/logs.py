"""Log records carry ``correlation_id`` (``core.correlation.log_correlation_id``: the request's
``MS-CorrelationId`` or the id generated for it, or the id a Celery task received with its message).

``CorrelationIdFilter`` is attached to the handlers in ``LOGGING`` (``partnercenter.settings``), so every line
a handler writes has the field, whichever logger made it; the JSON formatter (python-json-logger) writes it as
a key, the text format in brackets.
"""

from __future__ import annotations

import logging

from core.correlation import log_correlation_id


class CorrelationIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "correlation_id", ""):
            # django.request writes its 4xx/5xx lines after the middleware ran, naming the request
            request = getattr(record, "request", None)
            record.correlation_id = log_correlation_id() or getattr(request, "generated_correlation_id", "") or "-"
        return True

"""The Collection envelope and paging: ``?size=`` (1..API_PAGE_SIZE_MAX, larger values are capped) and
``?offset=`` (0-based); ``links.next`` carries the uri of the following page while there is one.

A page costs two queries (count + rows) whatever the number of rows.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import InvalidInput

from .parsers import parse_ascii_int

DEFAULT_PAGE_SIZE = 100


def _int_param(request, name: str, default: int, minimum: int) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    value = parse_ascii_int(raw, max_digits=15)
    if value is None:
        raise InvalidInput(_("must be an integer (ASCII digits 0-9), got %(value)r.") % {"value": raw[:40]}, field=name)
    if value < minimum:
        raise InvalidInput(_("must be at least %(min)d.") % {"min": minimum}, field=name)
    return value


def page_params(request) -> tuple[int, int]:
    maximum = settings.API_PAGE_SIZE_MAX
    size = min(_int_param(request, "size", min(DEFAULT_PAGE_SIZE, maximum), 1), maximum)
    offset = _int_param(request, "offset", 0, 0)
    if offset > 10**12:
        raise InvalidInput(_("is too large."), field="offset")
    return size, offset


def collection_body(items: list, *, total: int | None = None, next_uri: str | None = None) -> dict:
    links = {"next": {"uri": next_uri, "method": "GET"}} if next_uri else {}
    return {
        "totalCount": len(items) if total is None else total,
        "items": items,
        "links": links,
        "attributes": {"objectType": "Collection"},
    }


def paginate(request, queryset) -> tuple[list, int, str | None]:
    """(rows of this page, total count, uri of the next page or None)."""
    size, offset = page_params(request)
    total = queryset.count()
    rows = list(queryset[offset : offset + size]) if offset < total else []
    next_uri = None
    if offset + len(rows) < total:
        params = request.query_params.copy()
        params["size"] = str(size)
        params["offset"] = str(offset + size)
        next_uri = f"{request.path}?{urlencode(sorted(params.lists()), doseq=True)}"
    return rows, total, next_uri

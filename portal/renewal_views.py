"""The renewals page and its CSV (thin adapters over ``commerce.renewal_selectors``, domain.md §8, §9).

Every partner user (and operator) reads it: renewals are what the whole partner follows, billing admins too.
Scheduling changes from here (a selection and a PATCH of ``scheduledNextTermInstructions``) is not built yet:
the row's subscription link leads to the subscription's page, where that action belongs.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _

from commerce.renewal_filtering import PAGE_SIZE, RenewalFilterForm
from commerce.renewal_selectors import (
    DEFAULT_WINDOW,
    EXPORT_COLUMNS,
    csv_lines,
    renewal_rows,
    renewals_for,
    utc_today,
)

from .access import partner_page
from .opportunity_views import csv_response


def _kept(request) -> dict[str, str]:
    return {k: v for k, v in request.GET.items() if k != "page" and v}


@partner_page
def renewals(request):
    """The renewing subscriptions of the chosen window (30 days by default), filtered, sorted, one page read."""
    form = RenewalFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, form, Paginator([], PAGE_SIZE), status=400)  # the form names the field
    today = utc_today()
    flt = form.to_filter()
    paginator = Paginator(renewals_for(actor=request.user, today=today, **flt.as_kwargs()), PAGE_SIZE)
    page = paginator.get_page(form.cleaned_data.get("page") or 1)
    return _page(request, form, paginator, page, renewal_rows(page.object_list, today=today))


def _page(request, form, paginator, page=None, rows=(), status: int = 200):
    page = page or paginator.get_page(1)
    kept = _kept(request)
    window = (form.cleaned_data.get("window") if form.is_valid() else None) or DEFAULT_WINDOW
    return render(
        request,
        "portal/renewals.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": paginator.num_pages > 1,
            "rows": rows,
            # the window is the page's question, not a filter: the empty state names it
            "filtered": bool(kept.keys() - {"sort", "window"}),
            "window": window,
            "empty_title": _("No new commerce term ends in the next %(days)d days") % {"days": window},
            "export_query": urlencode(kept),
        },
        status=status,
    )


@partner_page
def renewals_export(request):
    """``export.csv?<the page's filters>``: every row the filter matches (not only a page), streamed."""
    form = RenewalFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, form, Paginator([], PAGE_SIZE), status=400)
    today = utc_today()
    values = renewals_for(actor=request.user, today=today, **form.to_filter().as_kwargs())
    return csv_response(EXPORT_COLUMNS, csv_lines(values, today=today), "renewals.csv")

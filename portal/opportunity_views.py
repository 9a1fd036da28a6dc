"""The opportunities page, its whole-book summary (JSON, fetched after the page) and its CSV export (thin
adapters over ``opportunities.selectors``)."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from opportunities.filtering import PAGE_SIZE, OpportunityFilterForm
from opportunities.selectors import (
    EXPORT_COLUMNS,
    csv_lines,
    opportunities_for,
    opportunity_page,
    summarize,
    uplift_by,
)
from partners.roles import Capability, require

from .access import partner_page
from .batch_forms import BulkUpgradeForm
from .charts import Bar, Chart
from .templatetags.portal_tags import money


def _filtered(request):
    """(bound form, rows or None when the form is invalid)."""
    require(request.user, Capability.UPGRADE)
    form = OpportunityFilterForm(request.GET)
    if not form.is_valid():
        return form, None
    return form, opportunities_for(request.user, form.to_filter())


def _chart(key: str, title: str, groups, params: dict, param: str | None) -> Chart:
    bars = []
    for label, value, currency in groups:
        url = ""
        if param:
            url = reverse("portal:opportunities") + "?" + urlencode({**params, param: label, "status": "eligible"})
        bars.append(Bar(label=f"{label} ({currency})", value=value, display=money(value, currency), url=url))
    return Chart(key=key, title=title, value_label=_("Monthly uplift"), bars=tuple(bars))


def _kept(request) -> dict[str, str]:
    return {k: v for k, v in request.GET.items() if k != "page" and v}


@partner_page
def opportunities(request):
    """Every upgradable source with its best target; filters, sorting, pagination. Sorted by customer without a
    line filter, only the page's sources are evaluated; the charts and totals come from
    :func:`opportunities_summary`."""
    require(request.user, Capability.UPGRADE)
    form = OpportunityFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, form, Paginator([], PAGE_SIZE), status=400)  # the form names the field
    flt = form.to_filter()
    page_number = form.cleaned_data.get("page") or 1
    if flt.page_only:
        paginator, page, rows = opportunity_page(request.user, flt, page_number)
        return _page(request, form, paginator, page, rows)
    paginator = Paginator(opportunities_for(request.user, flt), PAGE_SIZE)
    page = paginator.get_page(page_number)
    return _page(request, form, paginator, page, list(page.object_list))


def _page(request, form, paginator, page=None, rows=(), status: int = 200, bulk_form=None, kept=None):
    page = page or paginator.get_page(1)
    kept = _kept(request) if kept is None else kept
    filter_query = urlencode({k: v for k, v in kept.items() if k != "page"})
    if bulk_form is None:
        bulk_form = BulkUpgradeForm(rows=rows, initial={"filter": filter_query})
    return render(
        request,
        "portal/opportunities.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": paginator.num_pages > 1,
            "rows": rows,
            "filtered": bool(kept.keys() - {"sort"}),
            "export_query": urlencode(kept),
            "summary_query": urlencode({k: v for k, v in kept.items() if k != "sort"}),
            "bulk_form": bulk_form,
        },
        status=status,
    )


def opportunities_page(request, form, rows, *, bulk_form, kept: dict[str, str], status: int):
    """The opportunities page (its first page of ``rows``) with a bound bulk-upgrade form: how the bulk
    selection answers a form error (400, the error beside its field)."""
    paginator = Paginator(rows, PAGE_SIZE)
    page = paginator.get_page(1)
    return _page(request, form, paginator, page, list(page.object_list), status, bulk_form=bulk_form, kept=kept)


@partner_page
def opportunities_summary(request):
    """``summary.json?<the page's filters>``: the whole book's figures (eligible count, totals, the two charts
    rendered as HTML, the home page's figure), from the cached full evaluation."""
    form, rows = _filtered(request)
    if rows is None:
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    kept = _kept(request)
    market_params = {k: v for k, v in kept.items() if k != "market"}
    charts = [
        _chart("uplift-by-target", _("Monthly uplift by target"), uplift_by(rows, "target"), {}, None),
        _chart("uplift-by-market", _("Monthly uplift by market"), uplift_by(rows, "market"), market_params, "market"),
    ]
    summary = summarize(rows)
    context = {
        "charts": charts,
        "eligible_count": summary.eligible_subscriptions,
        "totals": summary.totals,
        "book": summary,
    }
    return JsonResponse(
        {
            "eligible_subscriptions": summary.eligible_subscriptions,
            "monthly_uplift": str(summary.monthly_uplift),
            "yearly_uplift": str(summary.yearly_uplift),
            "currency": summary.currency,
            "totals": [{"currency": currency, "monthly_uplift": str(amount)} for currency, amount in summary.totals],
            "html": {
                "charts": render_to_string("portal/_opportunity_charts.html", context, request=request),
                "figures": render_to_string("portal/_opportunity_figures.html", context, request=request),
                "figure": render_to_string("portal/_opportunity_figure.html", context, request=request),
            },
        }
    )


class _Echo:
    def write(self, value):
        return value


def csv_response(header: Iterable[str], rows: Iterable[Iterable], filename: str) -> StreamingHttpResponse:
    """A CSV download streamed as it is read: ``header``, then ``rows`` (in chunks of 1,000 lines)."""
    writer = csv.writer(_Echo())

    def lines():
        yield writer.writerow(header)
        chunk = []
        for cells in rows:
            chunk.append(writer.writerow(cells))
            if len(chunk) == 1000:
                yield "".join(chunk)
                chunk = []
        yield "".join(chunk)

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@partner_page
def opportunities_export(request):
    """``export.csv?<the page's filters>``: one line per source × target, streamed."""
    form, rows = _filtered(request)
    if rows is None:
        return _page(request, form, Paginator([], PAGE_SIZE), status=400)  # the form says which field is wrong
    return csv_response(EXPORT_COLUMNS, csv_lines(rows), "opportunities.csv")

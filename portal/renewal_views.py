"""The renewals page and its CSV (thin adapters over ``commerce.renewal_selectors``, domain.md §8, §9).

Every partner user (and operator) reads it: renewals are what the whole partner follows, billing admins too.
"Schedule change for selected" (``renewals_schedule``, users who may upgrade and manage subscriptions) makes the
checked rows ONE batch of ``scheduledChange`` items (``bulk.services.scheduled_change_batch_create``) and opens
the batch's page; rows without auto-renew cannot be checked (the reason shows) and are refused if posted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import cast
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bulk.services import ScheduleChoice, scheduled_change_batch_create
from commerce.renewal_filtering import PAGE_SIZE, RenewalFilterForm
from commerce.renewal_selectors import (
    DEFAULT_WINDOW,
    EXPORT_COLUMNS,
    csv_lines,
    renewal_rows,
    renewals_for,
    schedule_targets,
    utc_today,
)
from core.errors import InvalidInput
from customers.selectors import acting_partner_id
from partners.roles import Capability, can

from .access import partner_page
from .batch_forms import ScheduleChangeForm
from .opportunity_views import csv_response


def _kept(request) -> dict[str, str]:
    return {k: v for k, v in request.GET.items() if k != "page" and v}


def _can_schedule(user) -> bool:
    """Scheduling goes through a batch of the partner (operators have none) and the subscriptions service."""
    return (
        acting_partner_id(user) is not None
        and can(user, Capability.UPGRADE)
        and can(user, Capability.MANAGE_SUBSCRIPTIONS)
    )


@partner_page
def renewals(request):
    """The renewing subscriptions of the chosen window (30 days by default), filtered, sorted, one page read."""
    return _renewals_page(request)


def _renewals_page(request, schedule_form: ScheduleChangeForm | None = None, status: int = 200):
    form = RenewalFilterForm(request.GET)
    if not form.is_valid():
        return _page(request, form, Paginator([], PAGE_SIZE), status=400)  # the form names the field
    today = utc_today()
    flt = form.to_filter()
    paginator = Paginator(renewals_for(actor=request.user, today=today, **flt.as_kwargs()), PAGE_SIZE)
    page = paginator.get_page(form.cleaned_data.get("page") or 1)
    rows = renewal_rows(cast(Iterable[dict], page.object_list), today=today)  # renewals_for yields values rows
    if schedule_form is None and rows and _can_schedule(request.user):
        schedule_form = ScheduleChangeForm(targets=schedule_targets())
    return _page(request, form, paginator, page, rows, status=status, schedule_form=schedule_form)


@partner_page
@require_POST
def renewals_schedule(request):
    """POST of "Schedule change for selected" (the page's filter in the query string, kept on a refusal):
    one batch of scheduled changes, then the batch's page; a refusal shows the page again (400) naming it."""
    if not _can_schedule(request.user):
        raise PermissionDenied(_("Scheduling changes needs a partner user who may upgrade and manage subscriptions."))
    form = ScheduleChangeForm(request.POST, targets=schedule_targets())
    if form.is_valid():
        data = form.cleaned_data
        choice = ScheduleChoice(
            catalog_item_id=data.get("target") or None,
            term_duration=data.get("term_duration") or None,
            billing_cycle=data.get("billing_cycle") or None,
            quantity=data.get("quantity"),
        )
        try:
            batch = scheduled_change_batch_create(
                actor=request.user, subscription_ids=[uuid.UUID(v) for v in data["subscription"]], choice=choice
            )
        except InvalidInput as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("portal:batch_detail", batch_id=batch.pk)
    return _renewals_page(request, schedule_form=form, status=400)


def _page(request, form, paginator, page=None, rows=(), status: int = 200, schedule_form=None):
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
            "schedule_form": schedule_form,
            "selected": set(schedule_form["subscription"].value() or []) if schedule_form is not None else set(),
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

"""The bulk-upgrade pages (domain.md §9): a selection of opportunities or a CSV upload becomes a DRY RUN batch,
whose page (the review) shows who will succeed and who will fail and why, then is submitted as a real batch;
the partner's batches; a batch's page with its live progress (htmx polling of ``batch_progress``), per-item
results with every reason, cancel, retry of the failed items and the results CSV.

Thin adapters: the rules are ``bulk.services`` / ``bulk.retry_services`` (every write), the reads
``bulk.selectors`` (scoped: another partner's batch answers 404 on every path), the CSV rules ``bulk.upload``.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bulk.models import BatchStatus, ItemKind, UpgradeBatchItem
from bulk.result_export import RESULT_COLUMNS, batch_result_rows, item_reasons
from bulk.retry_services import upgrade_batch_retry_failed, upgrade_batch_submit
from bulk.selectors import (
    kinds_of_annotated,
    progress_of_annotated,
    upgrade_batch_for,
    upgrade_batch_items,
    upgrade_batch_list_for,
    upgrade_batch_with_progress,
)
from bulk.services import BatchItemSpec, upgrade_batch_cancel, upgrade_batch_create
from bulk.upload import EXTRA_COLUMNS, HEADER, batch_items_from_csv
from core.errors import Conflict, InvalidInput
from customers.selectors import acting_partner_id
from opportunities.filtering import OpportunityFilterForm
from opportunities.selectors import opportunities_for
from partners.roles import Capability, require

from .access import partner_page
from .batch_forms import BatchListFilterForm, BatchUploadForm, BulkUpgradeForm, SubmitForm
from .opportunity_views import csv_response, opportunities_page

LIST_PAGE_SIZE = 25
ITEMS_PAGE_SIZE = 50
POLL_SECONDS = 1


def _require_batch_creator(user) -> None:
    """Batches belong to a partner: an operator (no partner) cannot create one."""
    require(user, Capability.UPGRADE)
    if acting_partner_id(user) is None:
        raise PermissionDenied(_("A batch belongs to a partner: operators cannot create one."))


@dataclass(frozen=True)
class ItemRow:
    """One item of the batch page with its reasons (``(code, description)`` pairs)."""

    item: UpgradeBatchItem
    reasons: list[tuple[str, str]]

    @property
    def change(self) -> str:
        """What the item does, in words: its target offer for an upgrade; "Transition to …" or "Scheduled change
        to …" (catalog item, offer, term, cycle, seats as given) for new commerce items."""
        item, request = self.item, self.item.request or {}
        if item.kind == ItemKind.TRANSITION:
            return _("Transition to %(item)s (%(offer)s)") % {
                "item": request.get("toCatalogItemId") or "",
                "offer": item.target_offer_id or _("unknown offer"),
            }
        if item.kind == ItemKind.SCHEDULED_CHANGE:
            product = (request.get("scheduledNextTermInstructions") or {}).get("product") or {}
            return _("Scheduled change to %(offer)s, %(term)s, %(cycle)s") % {
                "offer": item.target_offer_id or _("unknown offer"),
                "term": product.get("termDuration", ""),
                "cycle": product.get("billingCycle", ""),
            }
        return item.target_offer_id


def _progress_figures(progress: dict[str, int]) -> dict[str, int]:
    total = progress["total"]
    done = total - progress["pending"] - progress["running"]
    return {"done": done, "percent": (100 * done // total) if total else 100}


# -- a selection of opportunities → a dry run ---------------------------------------------------------------


@partner_page
@require_POST
def batch_selection(request):
    """POST from the opportunities page: the filter (``filter``, a query string) is evaluated again here; the
    checked rows or every matching row, with the chosen target (default: each row's best), become a dry run."""
    _require_batch_creator(request.user)
    query = QueryDict(request.POST.get("filter", "")[:2000])
    kept = {k: v for k, v in query.items() if k != "page" and v}
    filter_form = OpportunityFilterForm(query)
    if not filter_form.is_valid():
        form = BulkUpgradeForm(request.POST)
        form.is_valid()
        form.add_error(None, _("The filter of the selection is not valid: apply the filters again."))
        return opportunities_page(request, filter_form, [], bulk_form=form, kept=kept, status=400)
    rows = opportunities_for(request.user, filter_form.to_filter())
    form = BulkUpgradeForm(request.POST, rows=rows)
    if form.is_valid():
        data = form.cleaned_data
        specs, left_out = [], 0
        for row in data["rows"]:
            target = data.get("target") or (row.best.offer_id if row.best is not None else "")
            if not target:
                left_out += 1
                continue
            specs.append(
                BatchItemSpec(
                    customer_tenant_id=row.customer_tenant_id,
                    subscription_id=row.subscription_id,
                    target_offer_id=target,
                    quantity=data.get("quantity"),
                    upgrade_type=data.get("upgrade_type") or None,
                )
            )
        if not specs:
            form.add_error("subscription", _("None of the selected rows has an upgrade path."))
        else:
            try:
                batch = upgrade_batch_create(actor=request.user, items=specs, dry_run=True)
            except InvalidInput as exc:
                form.add_error(None, exc.message)
            else:
                if left_out:
                    messages.warning(
                        request,
                        _("%(count)d selected rows have no upgrade path and were left out.") % {"count": left_out},
                    )
                return redirect("portal:batch_detail", batch_id=batch.pk)
    return opportunities_page(request, filter_form, rows, bulk_form=form, kept=kept, status=400)


# -- a CSV upload → a dry run ---------------------------------------------------------------------------------


@partner_page
def batch_upload(request):
    _require_batch_creator(request.user)
    errors = []
    if request.method == "POST":
        form = BatchUploadForm(request.POST, request.FILES)
        if form.is_valid():
            specs, errors = batch_items_from_csv(request.user, form.cleaned_data["file"].read())
            if not errors:
                batch = upgrade_batch_create(actor=request.user, items=specs, dry_run=True)
                return redirect("portal:batch_detail", batch_id=batch.pk)
        status = 400
    else:
        form, status = BatchUploadForm(), 200
    return render(
        request,
        "portal/batches/upload.html",
        {"form": form, "errors": errors, "header": ",".join(HEADER), "extra": ",".join(EXTRA_COLUMNS)},
        status=status,
    )


# -- the partner's batches ----------------------------------------------------------------------------------------


@partner_page
def batch_list(request):
    require(request.user, Capability.UPGRADE)
    form = BatchListFilterForm(request.GET)
    if not form.is_valid():
        paginator = Paginator([], LIST_PAGE_SIZE)
        return render(
            request,
            "portal/batches/list.html",
            {"form": form, "page_obj": paginator.get_page(1), "paginator": paginator, "batches": []},
            status=400,
        )
    batches = upgrade_batch_list_for(request.user).select_related("created_by_user")
    status = form.cleaned_data.get("status")
    if status:
        batches = batches.filter(status=status)
    paginator = Paginator(batches, LIST_PAGE_SIZE)
    page = paginator.get_page(form.cleaned_data.get("page") or 1)
    rows = list(page.object_list)
    for batch in rows:
        batch.progress = progress_of_annotated(batch)
        batch.figures = _progress_figures(batch.progress)
        kinds = kinds_of_annotated(batch)
        batch.kind_label = ItemKind(kinds[0]).label if len(kinds) == 1 else _("Mixed") if kinds else ""
    return render(
        request,
        "portal/batches/list.html",
        {
            "form": form,
            "page_obj": page,
            "paginator": paginator,
            "is_paginated": paginator.num_pages > 1,
            "batches": rows,
            "filtered": bool(status),
            "page_query": f"status={status}&" if status else "",
        },
    )


# -- one batch ----------------------------------------------------------------------------------------------------


def _batch_context(request, batch_id) -> dict:
    require(request.user, Capability.UPGRADE)
    batch = upgrade_batch_with_progress(request.user, batch_id=batch_id)
    paginator = Paginator(upgrade_batch_items(batch), ITEMS_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page") or 1)
    items = [ItemRow(item=item, reasons=item_reasons(item.result)) for item in page.object_list]
    progress = batch.progress
    return {
        "batch": batch,
        "progress": progress,
        "figures": _progress_figures(progress),
        "items": items,
        "page_obj": page,
        "paginator": paginator,
        "is_paginated": paginator.num_pages > 1,
        "page_query": "",
        "poll_seconds": POLL_SECONDS,
        "query": request.GET.urlencode(),
        "can_cancel": batch.is_open,
        "can_retry": not batch.is_open and progress["failed"] > 0,
        "can_submit": batch.dry_run and not batch.is_open and progress["succeeded"] > 0,
    }


@partner_page
def batch_detail(request, batch_id):
    """A batch's page (for a dry run: the review, with "Submit as batch" once it has finished)."""
    return render(request, "portal/batches/detail.html", _batch_context(request, batch_id))


@partner_page
def batch_progress(request, batch_id):
    """The live part of the batch page (htmx polls it; the fragment of a final batch stops the polling)."""
    return render(request, "portal/batches/_live.html", _batch_context(request, batch_id))


def _batch_of(request, batch_id):
    require(request.user, Capability.UPGRADE)
    return upgrade_batch_for(request.user, batch_id=batch_id)


@partner_page
@require_POST
def batch_cancel(request, batch_id):
    batch = _batch_of(request, batch_id)
    try:
        batch = upgrade_batch_cancel(actor=request.user, batch=batch)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The batch was cancelled: items not started will not run."))
    return redirect("portal:batch_detail", batch_id=batch.pk)


@partner_page
@require_POST
def batch_retry(request, batch_id):
    """A new batch of the failed items (the failed batch stays as it is)."""
    batch = _batch_of(request, batch_id)
    try:
        new = upgrade_batch_retry_failed(actor=request.user, batch=batch)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("portal:batch_detail", batch_id=batch.pk)
    messages.success(request, _("A new batch retries the %(count)d failed items.") % {"count": new.total_items})
    return redirect("portal:batch_detail", batch_id=new.pk)


@partner_page
@require_POST
def batch_submit(request, batch_id):
    """A finished dry run → the real batch of its eligible items (``items=all``: every item)."""
    batch = _batch_of(request, batch_id)
    form = SubmitForm(request.POST)
    only_eligible = not form.is_valid() or form.cleaned_data.get("items") != "all"
    try:
        new = upgrade_batch_submit(actor=request.user, batch=batch, only_eligible=only_eligible)
    except Conflict as exc:
        messages.error(request, exc.message)
        return redirect("portal:batch_detail", batch_id=batch.pk)
    if new.status == BatchStatus.QUEUED:
        messages.success(request, _("The batch of %(count)d upgrades was submitted.") % {"count": new.total_items})
    return redirect("portal:batch_detail", batch_id=new.pk)


@partner_page
def batch_results_csv(request, batch_id):
    batch = _batch_of(request, batch_id)
    return csv_response(RESULT_COLUMNS, batch_result_rows(batch), f"batch-{batch.pk}-results.csv")

"""The forms of the bulk-upgrade pages: the selection on the opportunities page, the CSV upload, the batch list's
status filter."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from bulk.models import BatchStatus
from bulk.services import MAX_BATCH_ITEMS
from upgrades.api.serializers import MAX_QUANTITY

UPGRADE_TYPE_CHOICES = [
    ("", _("Default for each subscription")),
    ("upgrade_only", _("Upgrade only")),
    ("upgrade_with_license_transfer", _("Upgrade with license transfer")),
]
SUBMIT_CHOICES = [("eligible", _("The eligible items")), ("all", _("Every item"))]


class BulkUpgradeForm(forms.Form):
    """The rows come from the filter the page shows (``filter``, re-evaluated on the server): the checked ones
    (``subscription``), or every row the filter matches (``all_matching``)."""

    subscription = forms.MultipleChoiceField(label=_("Selected rows"), required=False)
    all_matching = forms.BooleanField(label=_("Every row the filter matches"), required=False)
    filter = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
    target = forms.ChoiceField(label=_("Upgrade to"), required=False)
    upgrade_type = forms.ChoiceField(label=_("Upgrade type"), required=False, choices=UPGRADE_TYPE_CHOICES)
    quantity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=1,
        max_value=MAX_QUANTITY,
        help_text=_("Optional: the seats of every target subscription (empty: each keeps its seats)."),
    )

    def __init__(self, *args, rows=(), **kwargs):
        kwargs.setdefault("auto_id", "bulk_%s")  # the filter form of the same page has a "target" too
        super().__init__(*args, **kwargs)
        self.rows = {str(row.subscription_id): row for row in rows}
        self.fields["subscription"].choices = [(key, key) for key in self.rows]
        targets: dict[str, str] = {}
        for row in rows:
            for line in row.lines:
                if line.offer_id:
                    targets.setdefault(line.offer_id, line.offer_name)
        self.fields["target"].choices = [("", _("Each row's best target"))] + sorted(
            targets.items(), key=lambda item: (str(item[1]).casefold(), item[0])
        )

    def clean_subscription(self):
        values = self.cleaned_data.get("subscription") or []
        for value in values:
            uuid.UUID(value)  # the choices are the rows' ids: always a GUID here
        return values

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("all_matching"):
            selected = list(self.rows.values())
            if len(selected) > MAX_BATCH_ITEMS:
                self.add_error(
                    "all_matching",
                    _("The filter matches %(count)d rows; a batch holds at most %(max)d: narrow the filter.")
                    % {"count": len(selected), "max": MAX_BATCH_ITEMS},
                )
                return data
        else:
            selected = [self.rows[key] for key in data.get("subscription") or []]
        if not selected:
            self.add_error("subscription", _("Select at least one row, or every row the filter matches."))
        data["rows"] = selected
        return data


class BatchUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, header customerId,subscriptionId,targetOfferId,quantity,upgradeType (the last two may be empty), "
            "optionally followed by the new commerce columns described above."
        ),
    )


class BatchListFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=10**6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("All"))] + list(BatchStatus.choices)


class SubmitForm(forms.Form):
    items = forms.ChoiceField(choices=SUBMIT_CHOICES, required=False)


class GuidListField(forms.MultipleChoiceField):
    """Posted subscription ids (the rows of a page): any GUID is a valid value here; whether it is one of the
    actor's is the service's question."""

    def valid_value(self, value):
        try:
            uuid.UUID(str(value))
        except ValueError:
            return False
        return True


KEEP = [("", _("Keep the current one"))]


class ScheduleChangeForm(forms.Form):
    """The renewals page's "Schedule change for selected": the checked rows (``subscription``) and what they
    get at renewal; an empty choice keeps each subscription's own value."""

    subscription = GuidListField(label=_("Selected rows"))
    target = forms.ChoiceField(label=_("Product at renewal"), required=False)
    term_duration = forms.ChoiceField(
        label=_("Term"),
        required=False,
        choices=KEEP + [("P1M", _("1 month")), ("P1Y", _("1 year")), ("P3Y", _("3 years"))],
    )
    billing_cycle = forms.ChoiceField(
        label=_("Billing cycle"),
        required=False,
        choices=KEEP + [("monthly", _("Monthly")), ("annual", _("Annual")), ("triennial", _("Triennial"))],
    )
    quantity = forms.IntegerField(
        label=_("Seats"),
        required=False,
        min_value=1,
        max_value=MAX_QUANTITY,
        help_text=_("Empty: each subscription keeps its seats."),
    )

    def __init__(self, *args, targets=(), **kwargs):
        kwargs.setdefault("auto_id", "schedule_%s")  # the filter form of the same page has fields too
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = KEEP + list(targets)
        self.fields["subscription"].error_messages["required"] = _("Select at least one row.")

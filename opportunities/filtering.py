"""The opportunities filter: the page's GET form, also the CSV's and ``/v1/opportunities`` query parameters."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from catalog.models import MARKETS, Offer, UpgradePath
from customers.models import Segment
from upgrades.eligibility.types import UpgradeErrorCode

from .selectors import PAGE_SIZE, OpportunityFilter

__all__ = ["PAGE_SIZE", "OpportunityFilterForm"]

SORT_CHOICES = [("customer", _("Customer name")), ("uplift", _("Highest uplift")), ("seats", _("Most seats"))]
STATUS_CHOICES = [("", _("Eligible or blocked")), ("eligible", _("Eligible")), ("blocked", _("Blocked"))]


class OpportunityFilterForm(forms.Form):
    """Every field optional; a value outside its choices is a form error naming the field (never a 500)."""

    search = forms.CharField(label=_("Search"), required=False, max_length=100, strip=True)
    market = forms.ChoiceField(label=_("Market"), required=False)
    source = forms.ChoiceField(label=_("Source offer"), required=False)
    target = forms.ChoiceField(label=_("Target offer"), required=False)
    segment = forms.ChoiceField(label=_("Segment"), required=False)
    country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=2,
        validators=[RegexValidator(r"^[A-Za-z]{2}$", _("Enter a two-letter ISO country code, e.g. US."))],
    )
    status = forms.ChoiceField(label=_("Status"), required=False, choices=STATUS_CHOICES)
    reason = forms.ChoiceField(label=_("Blocked by"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=10**6)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = [("", _("All"))]
        paths = list(UpgradePath.objects.values_list("source_id", "target_id"))
        sources, targets = {s for s, _t in paths}, {t for _s, t in paths}
        offers = list(Offer.objects.filter(pk__in=sources | targets).order_by("name").values_list("pk", "name"))
        self.fields["market"].choices = everything + list(MARKETS)
        self.fields["source"].choices = everything + [(pk, name) for pk, name in offers if pk in sources]
        self.fields["target"].choices = everything + [(pk, name) for pk, name in offers if pk in targets]
        self.fields["segment"].choices = everything + list(Segment.choices)
        self.fields["reason"].choices = everything + [(code.error_name, code.error_name) for code in UpgradeErrorCode]

    def clean_country(self) -> str:
        return (self.cleaned_data.get("country") or "").upper()

    def to_filter(self, default_sort: str = "customer") -> OpportunityFilter:
        """The validated filter (call after ``is_valid()``); the page's default sort is by customer."""
        data = self.cleaned_data
        return OpportunityFilter(
            market=data.get("market") or "",
            source=data.get("source") or "",
            target=data.get("target") or "",
            segment=data.get("segment") or "",
            country=data.get("country") or "",
            status=data.get("status") or "",
            reason=data.get("reason") or "",
            search=data.get("search") or "",
            sort=data.get("sort") or default_sort,
        )

"""The renewals filter: the page's GET form, also the CSV's query parameters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .renewal_selectors import DEFAULT_WINDOW, PAGE_SIZE, WINDOWS, RenewalFilter

__all__ = ["PAGE_SIZE", "RenewalFilterForm"]

WINDOW_LABELS = {30: _("Next 30 days"), 60: _("Next 60 days"), 90: _("Next 90 days")}
WINDOW_CHOICES = [(str(days), WINDOW_LABELS[days]) for days in WINDOWS]
AUTO_RENEW_CHOICES = [("", _("On or off")), ("on", _("On: renews")), ("off", _("Off: expires"))]
SCHEDULED_CHOICES = [("", _("With or without")), ("with", _("With scheduled changes")), ("without", _("None"))]
SORT_CHOICES = [("renewal", _("Renewal date, soonest first")), ("-renewal", _("Renewal date, latest first"))]


class RenewalFilterForm(forms.Form):
    """Every field optional (the window defaults to 30 days); a value outside its choices is a form error
    naming the field (never a 500)."""

    window = forms.TypedChoiceField(label=_("Term ends in"), required=False, choices=WINDOW_CHOICES, coerce=int)
    search = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=100,
        strip=True,
        widget=forms.TextInput(
            attrs={"placeholder": _("Company name or domain"), "type": "search", "autocomplete": "off"}
        ),
    )
    auto_renew = forms.ChoiceField(label=_("Auto-renew"), required=False, choices=AUTO_RENEW_CHOICES)
    scheduled = forms.ChoiceField(label=_("Scheduled changes"), required=False, choices=SCHEDULED_CHOICES)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)
    page = forms.IntegerField(label=_("Page"), required=False, min_value=1, max_value=10**6)

    def to_filter(self) -> RenewalFilter:
        """The validated filter (call after ``is_valid()``)."""
        data = self.cleaned_data
        return RenewalFilter(
            within_days=data.get("window") or DEFAULT_WINDOW,
            search=data.get("search") or "",
            auto_renew={"on": True, "off": False}.get(data.get("auto_renew") or ""),
            scheduled={"with": True, "without": False}.get(data.get("scheduled") or ""),
            sort=data.get("sort") or "renewal",
        )

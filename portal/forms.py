from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import BillingCycle


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.TextInput(
            attrs={"placeholder": _("Company name or domain"), "type": "search", "autocomplete": "off"}
        ),
    )

    def search_term(self) -> str:
        """The cleaned search text, or "" when the form is empty or invalid (the errors are shown)."""
        return self.cleaned_data.get("q", "") if self.is_valid() else ""


class UpgradeFilterForm(forms.Form):
    """The upgrades list's filters: ``status`` (an operation status, or ``open``: every not-final one), the
    target offer (one of ``target_choices``) and a search on customer name or domain and offer names."""

    OPEN = "open"

    status = forms.ChoiceField(label=_("Status"), required=False)
    target = forms.ChoiceField(label=_("Target offer"), required=False)
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        strip=True,
        widget=forms.TextInput(
            attrs={"placeholder": _("Customer, domain or offer"), "type": "search", "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, status_choices=(), target_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [("", _("Any status")), (self.OPEN, _("Open (not finished)")), *status_choices]
        self.fields["target"].choices = [("", _("Any target")), *target_choices]

    def filters(self) -> dict[str, str]:
        """The valid filters (``status``, ``target``, ``search``), all "" when the form is empty or invalid."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"status": data.get("status", ""), "target": data.get("target", ""), "search": data.get("q", "")}


class UpgradeTargetForm(forms.Form):
    """Step 1: the target offer, one of the ELIGIBLE options (``choices`` given by the view)."""

    target = forms.ChoiceField(
        label=_("Target offer"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the offer to upgrade to."),
            "invalid_choice": _("“%(value)s” is not an offer this subscription can be upgraded to."),
        },
    )

    def __init__(self, *args, eligible_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(offer_id, offer_id) for offer_id in eligible_ids]


class UpgradeDetailsForm(forms.Form):
    """Step 2 (and the review's hidden fields): seats and billing cycle for the chosen target.

    Only the shape is checked here; the upgrade rules (never fewer seats than today, the target's limits,
    eligibility on that cycle) are the service's: the view asks ``upgrades.preview.upgrade_preview`` and
    puts its errors next to the field they name (:meth:`add_service_error`).
    """

    SERVICE_FIELDS = {"quantity": "quantity", "billingCycle": "billing_cycle"}

    target = forms.CharField(widget=forms.HiddenInput, max_length=64)
    quantity = forms.IntegerField(
        label=_("Seats"), min_value=0, max_value=10_000_000, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    billing_cycle = forms.ChoiceField(label=_("Billing cycle"), widget=forms.RadioSelect)

    def __init__(self, *args, billing_cycles=(), source_quantity=None, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(BillingCycle.choices)
        self.fields["billing_cycle"].choices = [(cycle, labels[cycle]) for cycle in billing_cycles]
        if source_quantity is not None:
            self.fields["quantity"].help_text = _("At least %(seats)d: no seats are removed as part of an upgrade.") % {
                "seats": source_quantity
            }

    def add_service_error(self, error) -> None:
        """Attach a service error (``InvalidInput``/``Forbidden``) to the field it names, else to the form."""
        self.add_error(
            self.SERVICE_FIELDS.get(getattr(error, "field", None) or ""), getattr(error, "message", str(error))
        )


class UpgradeSubmitForm(UpgradeDetailsForm):
    """The review page's POST: the same fields, hidden, plus a token that makes a double submit harmless."""

    submission = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget = forms.HiddenInput()
        self.fields["billing_cycle"].widget = forms.HiddenInput()


class SubscriptionSeatsForm(forms.Form):
    """A subscription's seats (the quantity rules are the subscription service's: its errors land here too)."""

    quantity = forms.IntegerField(
        label=_("Seats"),
        min_value=0,
        error_messages={"required": _("Enter the number of seats."), "invalid": _("Enter a whole number of seats.")},
        help_text=_("Not below the licenses assigned, within the offer's limits."),
    )

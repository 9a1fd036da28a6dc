"""The new commerce wizard's forms (domain.md §8): shapes only.

The rules (which targets, merge targets, terms and users are allowed, the seats) are the commerce and
subscriptions services'; the views give the choices the eligibility answers and put every service error next to
the field it names (:meth:`ServiceErrorsMixin.add_service_error`).
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import TERM_CYCLES, CommerceBillingCycle, TermDuration

IMMEDIATE = "immediate"
SCHEDULED = "scheduled"
NEW = "new"  # "into": a new subscription of the target


class ServiceErrorsMixin:
    """Attach a service error (``InvalidInput``) to the form field named by its API field."""

    SERVICE_FIELDS: dict[str, str] = {}

    def add_service_error(self, error) -> None:
        name = getattr(error, "field", None) or ""
        field = self.SERVICE_FIELDS.get(name)
        if field is None:  # a sub-field: scheduledNextTermInstructions.product.termDuration
            field = next((f for key, f in self.SERVICE_FIELDS.items() if name.endswith("." + key)), None)
        message = getattr(error, "message", str(error))
        self.add_error(field if field in self.fields else None, message)  # type: ignore[attr-defined]


class TransitionTargetForm(forms.Form):
    """Step 1: when (now or at renewal) and the target catalog item, one of the ELIGIBLE ones."""

    when = forms.ChoiceField(
        label=_("When"),
        choices=[(IMMEDIATE, _("Now (mid-term transition)")), (SCHEDULED, _("At renewal (scheduled change)"))],
        widget=forms.RadioSelect,
    )
    target = forms.ChoiceField(
        label=_("Target"),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose the offer to move to."),
            "invalid_choice": _("“%(value)s” is not an offer this subscription can move to now."),
        },
    )

    def __init__(self, *args, eligible_items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = [(item, item) for item in eligible_items]


def cycle_choices(cycles=None):
    labels = dict(CommerceBillingCycle.choices)
    return [(c, labels[c]) for c in (cycles or CommerceBillingCycle.values)]


def term_choices(terms=None):
    labels = dict(TermDuration.choices)
    return [(t, labels[t]) for t in (terms or TermDuration.values)]


class ImmediateDetailsForm(ServiceErrorsMixin, forms.Form):
    """Step 2 of a transition now: seats, new or existing target, type, term and cycle, the users who move."""

    SERVICE_FIELDS = {
        "quantity": "quantity",
        "toSubscriptionId": "into",
        "transitionType": "transition_type",
        "termDuration": "term_duration",
        "billingCycle": "billing_cycle",
        "userIds": "users",
        "toCatalogItemId": "target",
    }

    when = forms.CharField(widget=forms.HiddenInput, initial=IMMEDIATE)
    target = forms.CharField(widget=forms.HiddenInput, max_length=64)
    quantity = forms.IntegerField(
        label=_("Seats to move"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    into = forms.ChoiceField(label=_("Into"), widget=forms.RadioSelect)
    transition_type = forms.ChoiceField(label=_("Transition type"), widget=forms.RadioSelect)
    term_duration = forms.ChoiceField(label=_("Term (new subscription)"), required=False)
    billing_cycle = forms.ChoiceField(label=_("Billing cycle (new subscription)"), required=False)
    users = forms.MultipleChoiceField(
        label=_("Users whose licenses move"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, source_quantity=1, merge_ids=(), types=(), terms=(), users=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"].widget.attrs["max"] = source_quantity  # the limit itself is the service's
        self.fields["quantity"].help_text = _("1 to %(seats)d; fewer than all: the source keeps the rest.") % {
            "seats": source_quantity
        }
        self.fields["into"].choices = [(NEW, _("A new subscription")), *[(str(i), str(i)) for i in merge_ids]]
        labels = {
            "transition_only": _("Transition only"),
            "transition_with_license_transfer": _("With license transfer"),
        }
        self.fields["transition_type"].choices = [(t, labels[t]) for t in types]
        self.fields["term_duration"].choices = [("", _("The source's term")), *term_choices(terms)]
        cycles = sorted({c for t in terms for c in TERM_CYCLES.get(t, ())}, key=CommerceBillingCycle.values.index)
        self.fields["billing_cycle"].choices = [("", _("The source's cycle")), *cycle_choices(cycles)]
        self.fields["users"].choices = [(str(u.object_id), u.user_principal_name) for u in users]

    def service_arguments(self) -> dict:
        """The ``commerce.services.subscription_transition`` arguments of the cleaned data."""
        data = self.cleaned_data
        merge = data["into"] if data["into"] != NEW else None
        users = list(data.get("users") or []) or None
        return {
            "to_catalog_item_id": data["target"],
            "to_subscription_id": merge,
            "quantity": data["quantity"],
            "term_duration": (data.get("term_duration") or None) if merge is None else None,
            "billing_cycle": (data.get("billing_cycle") or None) if merge is None else None,
            "transition_type": data["transition_type"],
            "user_ids": users if data["transition_type"] == "transition_with_license_transfer" else None,
        }


class ScheduledDetailsForm(ServiceErrorsMixin, forms.Form):
    """Step 2 of a change at renewal: target, term, billing cycle, seats, an optional custom term end."""

    SERVICE_FIELDS = {
        "product": "target",
        "termDuration": "term_duration",
        "billingCycle": "billing_cycle",
        "quantity": "quantity",
        "customTermEndDate": "custom_term_end_date",
        "scheduledNextTermInstructions": "target",
        "autoRenewEnabled": "target",
    }

    when = forms.CharField(widget=forms.HiddenInput, initial=SCHEDULED)
    target = forms.CharField(widget=forms.HiddenInput, max_length=64)
    term_duration = forms.ChoiceField(label=_("Term"))
    billing_cycle = forms.ChoiceField(label=_("Billing cycle"))
    quantity = forms.IntegerField(
        label=_("Seats at renewal"), min_value=1, widget=forms.NumberInput(attrs={"inputmode": "numeric"})
    )
    custom_term_end_date = forms.DateField(
        label=_("Custom term end date"),
        required=False,
        help_text=_("Optional: end the next term on this day (aligned with another subscription)."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args, terms=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["term_duration"].choices = term_choices(terms)
        cycles = sorted({c for t in terms for c in TERM_CYCLES.get(t, ())}, key=CommerceBillingCycle.values.index)
        self.fields["billing_cycle"].choices = cycle_choices(cycles)

    def instructions(self) -> dict:
        """Partner Center's ``scheduledNextTermInstructions`` of the cleaned data."""
        data = self.cleaned_data
        product_id, sku_id, availability_id = (data["target"].split(":") + ["", "", ""])[:3]
        end = data.get("custom_term_end_date")
        return {
            "product": {
                "productId": product_id,
                "skuId": sku_id,
                "availabilityId": availability_id,
                "termDuration": data["term_duration"],
                "billingCycle": data["billing_cycle"],
            },
            "quantity": data["quantity"],
            "customTermEndDate": end.isoformat() if end else None,
        }


class SubmitMixin(forms.Form):
    """The review's POST: the step 2 fields hidden, a token that makes a double submit harmless, and the
    confirmation that the source's scheduled changes are deleted (required by the view when there are some)."""

    submission = forms.UUIDField(widget=forms.HiddenInput)
    confirm_deletion = forms.BooleanField(
        label=_("I understand that the subscription's scheduled changes at renewal are deleted."), required=False
    )

    def hide(self) -> None:
        for name, field in self.fields.items():
            if name != "confirm_deletion":
                field.widget = (
                    forms.MultipleHiddenInput() if isinstance(field, forms.MultipleChoiceField) else forms.HiddenInput()
                )


class ImmediateSubmitForm(SubmitMixin, ImmediateDetailsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hide()


class ScheduledSubmitForm(SubmitMixin, ScheduledDetailsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.hide()

"""Forms of the admin center: they only shape input; the rules are in ``direct.cart`` and ``direct.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from catalog.models import BillingCycle
from subscriptions.models import PaymentMethod


class CartForm(forms.Form):
    quantity = forms.IntegerField(label=_("Licenses"), min_value=1)
    billing_cycle = forms.ChoiceField(label=_("Payment frequency"), choices=BillingCycle.choices)


class CheckoutForm(CartForm):
    payment_method = forms.ChoiceField(label=_("Billed to"), choices=PaymentMethod.choices[1:])
    confirm_forfeit = forms.BooleanField(
        label=_("I understand that the remaining prepaid value shown above is forfeited."), required=False
    )

    def __init__(self, *args, payment_methods=(), **kwargs):
        super().__init__(*args, **kwargs)
        if payment_methods:
            self.fields["payment_method"].choices = [c for c in PaymentMethod.choices if c[0] in payment_methods]


class PurchaseForm(forms.Form):
    offer_id = forms.ChoiceField(label=_("Product"))
    quantity = forms.IntegerField(label=_("Licenses"), min_value=1)
    billing_cycle = forms.ChoiceField(label=_("Payment frequency"), choices=BillingCycle.choices)
    payment_method = forms.ChoiceField(label=_("Billed to"), choices=PaymentMethod.choices[1:])

    def __init__(self, *args, offers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer_id"].choices = [(o.id, o.name) for o in offers]


class LicenseMoveForm(forms.Form):
    source_id = forms.ChoiceField(label=_("Move users from"))
    target_id = forms.ChoiceField(label=_("To"))
    all_users = forms.BooleanField(label=_("Move every user"), required=False)
    user_ids = forms.MultipleChoiceField(label=_("Users"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, subscriptions=(), users=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(s.pk), f"{s.offer.name} ({s.quantity})") for s in subscriptions]
        self.fields["source_id"].choices = choices
        self.fields["target_id"].choices = choices
        self.fields["user_ids"].choices = [(str(u.object_id), u.user_principal_name) for u in users]

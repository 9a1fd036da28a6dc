"""The "Replace Office 365 E4" form: the replacement offer among the options and the seats (not below the E4's).

The choices and the minimum come from ``direct.partner_e4.e4_replacement_options``; the service checks them
again when the replacement is submitted.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class E4ReplacementForm(forms.Form):
    target = forms.ChoiceField(label=_("Replacement offer"), widget=forms.RadioSelect)
    quantity = forms.IntegerField(label=_("Licenses"), max_value=2_147_483_647)

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.options = options
        self.fields["target"].choices = [(t.offer.pk, t.offer.name) for t in options.targets]
        self.fields["target"].error_messages["required"] = _("Choose the offer that replaces the E4.")
        self.fields["quantity"].initial = options.minimum_quantity
        self.fields["quantity"].help_text = _("At least %(minimum)s, the E4's licenses.") % {
            "minimum": options.minimum_quantity
        }
        self.fields["quantity"].widget.attrs["min"] = options.minimum_quantity

    def clean_quantity(self):
        quantity = self.cleaned_data["quantity"]
        if quantity < self.options.minimum_quantity:
            raise forms.ValidationError(
                _("Licenses can't be fewer than the E4's %(minimum)s.") % {"minimum": self.options.minimum_quantity}
            )
        return quantity

from django import forms
from django.utils.translation import gettext_lazy as _

from .rules import EVENT_TYPES


class RegistrationForm(forms.Form):
    url = forms.CharField(
        label=_("Webhook URL"), max_length=500, help_text=_("The https URL that receives the events.")
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(t.name, f"{t.label} ({t.name})") for t in EVENT_TYPES],
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

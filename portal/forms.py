from django import forms
from django.utils.translation import gettext_lazy as _


class CustomerSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"), required=False, max_length=200, strip=True,
        widget=forms.TextInput(attrs={"placeholder": _("Company name or domain"), "type": "search",
                                      "autocomplete": "off"}),
    )

    def search_term(self) -> str:
        """The cleaned search text, or "" when the form is empty or invalid (the errors are shown)."""
        return self.cleaned_data.get("q", "") if self.is_valid() else ""

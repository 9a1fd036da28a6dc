"""Forms for the GDAP pages. They only shape input: every rule is checked by ``delegation.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.selectors import customers_visible_to
from partners.models import SecurityGroup

from .models import UnifiedRole
from .services import DISPLAY_NAME_MAX

AUTO_EXTEND_FORM_CHOICES = [("PT0S", _("No automatic extension")), ("P180D", _("Extend by 180 days (P180D)"))]


class RelationshipRequestForm(forms.Form):
    customer: forms.ModelChoiceField = forms.ModelChoiceField(
        queryset=None, label=_("Customer"), to_field_name="tenant_id"
    )
    display_name = forms.CharField(
        label=_("Display name"),
        max_length=DISPLAY_NAME_MAX,
        help_text=_("Unique among your partner's relationships, up to 50 characters."),
    )
    unified_roles = forms.MultipleChoiceField(
        label=_("Microsoft Entra roles"), choices=UnifiedRole.choices, widget=forms.CheckboxSelectMultiple
    )
    duration_days = forms.IntegerField(
        label=_("Duration (days)"),
        min_value=1,
        max_value=730,
        initial=730,
        help_text=_("From 1 day to 2 years (730 days)."),
    )
    auto_extend_duration = forms.ChoiceField(
        label=_("Automatic extension"), choices=AUTO_EXTEND_FORM_CHOICES, initial="PT0S"
    )

    def __init__(self, *args, actor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = customers_visible_to(actor).order_by("company_name")


class AccessAssignmentForm(forms.Form):
    group: forms.ModelChoiceField = forms.ModelChoiceField(queryset=None, label=_("Security group"))
    unified_roles = forms.MultipleChoiceField(
        label=_("Roles (a subset of the relationship's roles)"), choices=(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, relationship, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = SecurityGroup.objects.filter(partner_id=relationship.partner_id)
        self.fields["unified_roles"].choices = [(role, _(role)) for role in relationship.unified_roles]

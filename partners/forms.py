"""Partner user management forms (shape only; rules in ``partners.user_services``)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PartnerRole, SecurityGroup


class _RolesAndGroups(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=PartnerRole.choices, widget=forms.CheckboxSelectMultiple
    )
    groups = forms.ModelMultipleChoiceField(
        label=_("Security groups"),
        queryset=SecurityGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, partner_id, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = SecurityGroup.objects.filter(partner_id=partner_id).order_by("name")


class PartnerUserInviteForm(_RolesAndGroups):
    username = forms.CharField(label=_("User name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)

    field_order = ["username", "email", "first_name", "last_name", "roles", "groups"]


class PartnerUserRolesForm(_RolesAndGroups):
    pass


class ApprovalThresholdForm(forms.Form):
    """The partner's four-eyes thresholds; an empty field means no limit on that measure."""

    items = forms.IntegerField(
        label=_("Items per job"), min_value=0, required=False, help_text=_("A batch of more items waits.")
    )
    seats = forms.IntegerField(
        label=_("Seats per job"), min_value=0, required=False, help_text=_("A job moving more seats waits.")
    )
    monthly_value = forms.DecimalField(
        label=_("Monthly value per job"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("A job adding more monthly value (target price × seats) waits."),
    )

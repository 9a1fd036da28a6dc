"""Customers (tenants), their partner relationships, admins and users (domain.md §2)."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase


class Segment(models.TextChoices):
    COMMERCIAL = "commercial", _("Commercial")
    EDUCATION = "education", _("Education")
    GOVERNMENT = "government", _("Government")
    NONPROFIT = "nonprofit", _("Nonprofit")


INDIA = "IN"


class Customer(models.Model):
    tenant_id = models.UUIDField(_("tenant id"), unique=True)
    domain = models.CharField(_("default domain"), max_length=253, unique=True)
    company_name = models.CharField(_("company name"), max_length=200, db_index=True)
    country = models.CharField(_("country"), max_length=2, help_text=_("ISO 3166-1 alpha-2, e.g. US, SE, TW, IN"))
    segment = models.CharField(_("segment"), max_length=16, choices=Segment.choices, default=Segment.COMMERCIAL)
    service_health_incident = models.BooleanField(
        _("service health incident"), default=False, help_text=_("True while a service incident blocks upgrades.")
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["company_name"]
        # The customer list's order (portal.selectors.customer_rows_for): a page is an index range.
        indexes = [models.Index(fields=["company_name", "id"], name="customer_name_id")]
        constraints = [
            models.CheckConstraint(condition=models.Q(country__regex=r"^[A-Z]{2}$"), name="customer_country_iso2"),
        ]
        # Object permissions (django-guardian, direct FK tables below), written by ``delegation.grants``:
        # ``view_customer`` from a reseller/advisor relationship; the two below from delegated admin (DAP/GDAP).
        permissions = [
            ("manage_customer", _("Act in the customer tenant through delegated admin")),
            ("transfer_licenses", _("Move the customer's licenses (a license-writing delegated role)")),
        ]

    def __str__(self):
        return self.company_name

    @property
    def market(self) -> str:
        """The catalog market: India customers buy the India variants."""
        return INDIA if self.country == INDIA else "global"


class RelationshipToPartner(models.TextChoices):
    NONE = "none", _("None")
    RESELLER = "reseller", _("Reseller")
    ADVISOR = "advisor", _("Advisor")


class ResellerRelationship(models.Model):
    """Partner ↔ customer. A customer may have relationships with several partners."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="customer_relationships")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="partner_relationships")
    relationship = models.CharField(
        _("relationship to partner"),
        max_length=16,
        choices=RelationshipToPartner.choices,
        default=RelationshipToPartner.RESELLER,
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "customer"], name="unique_relationship_per_partner_customer")
        ]

    def __str__(self):
        return f"{self.partner} → {self.customer} ({self.relationship})"


class CustomerAdminRoleName(models.TextChoices):
    GLOBAL_ADMINISTRATOR = "global_administrator", _("Global administrator")
    BILLING_ADMINISTRATOR = "billing_administrator", _("Billing administrator")
    USER_ADMINISTRATOR = "user_administrator", _("User administrator")
    LICENSE_ADMINISTRATOR = "license_administrator", _("License administrator")


class CustomerAdminRole(models.Model):
    """A customer tenant admin role held by a portal user (the direct-purchase admin center)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="customer_admin_roles")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="admin_roles")
    role = models.CharField(_("role"), max_length=32, choices=CustomerAdminRoleName.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "customer", "role"], name="unique_customer_admin_role")]

    def __str__(self):
        return f"{self.user} · {self.customer} · {self.role}"


class TenantUser(models.Model):
    """An employee of the customer (an Entra ID user)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="users")
    object_id = models.UUIDField(_("object id"), unique=True, default=uuid.uuid4)
    user_principal_name = models.CharField(_("user principal name"), max_length=320, unique=True)
    display_name = models.CharField(_("display name"), max_length=200, blank=True)
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        ordering = ["user_principal_name"]

    def __str__(self):
        return self.user_principal_name


class CustomerUserObjectPermission(UserObjectPermissionBase):
    """guardian's direct foreign-key table for per-user grants on a customer (customer tenant admins)."""

    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="user_object_permissions")

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("customer user permission")
        verbose_name_plural = _("customer user permissions")


class CustomerGroupObjectPermission(GroupObjectPermissionBase):
    """guardian's direct foreign-key table for per-group grants on a customer (partner groups)."""

    content_object = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="group_object_permissions")

    class Meta(GroupObjectPermissionBase.Meta):
        verbose_name = _("customer group permission")
        verbose_name_plural = _("customer group permissions")

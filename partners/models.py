"""CSP partner organisations, their roles and security groups (domain.md §2)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Partner(models.Model):
    """A CSP partner organisation. ``code`` is the id used in the import file (e.g. ``contoso-csp``)."""

    code = models.SlugField(_("partner id"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    mpn_id = models.CharField(_("MPN ID"), max_length=20, blank=True)
    tenant_id = models.UUIDField(_("tenant id"), unique=True, null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Four-eyes approval (domain.md §9): a bulk job or an upgrade ABOVE any set threshold waits for a second
    # user's approval; none set: no approval. Read through ``partners.approval``; changed by its service.
    approval_items = models.PositiveIntegerField(
        _("approval above items"), null=True, blank=True, help_text=_("A batch of more items waits for approval.")
    )
    approval_seats = models.PositiveIntegerField(
        _("approval above seats"), null=True, blank=True, help_text=_("More seats in one job wait for approval.")
    )
    approval_monthly_value = models.DecimalField(
        _("approval above monthly value"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("A job adding more monthly value (target price × seats) waits for approval."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class ApprovalFields(models.Model):
    """Four-eyes approval (domain.md §9) of a job (``bulk.UpgradeBatch``, ``upgrades.UpgradeOperation``): what it
    measured and which of its partner's thresholds it exceeded (empty: it needed no approval), and who decided,
    when, and why not. Set by ``upgrades.approval_services`` / ``bulk.approval_services``."""

    approval_required = models.JSONField(
        _("approval required"), default=list, blank=True, help_text=_("The exceeded measures (items, seats, ...).")
    )
    approval_size = models.JSONField(
        _("size"), default=dict, blank=True, help_text=_("Items, seats and monthly value, as measured for approval.")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved or rejected by"),
    )
    decided_at = models.DateTimeField(_("approved or rejected"), null=True, blank=True)
    rejection_reason = models.TextField(_("rejection reason"), blank=True)

    class Meta:
        abstract = True


class PartnerRole(models.TextChoices):
    GLOBAL_ADMIN = "global_admin", _("Global admin")
    USER_MANAGEMENT_ADMIN = "user_management_admin", _("User management admin")
    ADMIN_AGENT = "admin_agent", _("Admin agent")
    SALES_AGENT = "sales_agent", _("Sales agent")
    HELPDESK_AGENT = "helpdesk_agent", _("Helpdesk agent")
    BILLING_ADMIN = "billing_admin", _("Billing admin")


class PartnerRoleAssignment(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="partner_roles")
    role = models.CharField(_("role"), max_length=32, choices=PartnerRole.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="unique_partner_role_per_user")]
        ordering = ["user_id", "role"]

    def __str__(self):
        return f"{self.user} · {self.get_role_display()}"


class SecurityGroup(models.Model):
    """A partner security group (DAP: *Admin Agents*, *Helpdesk Agents*; GDAP: any group)."""

    ADMIN_AGENTS = "Admin Agents"
    HELPDESK_AGENTS = "Helpdesk Agents"

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="security_groups")
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="security_groups")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "name"], name="unique_group_name_per_partner")]
        ordering = ["partner_id", "name"]

    def __str__(self):
        return f"{self.partner.code}/{self.name}"

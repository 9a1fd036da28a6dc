"""Delegated admin relationships: DAP (legacy) and GDAP (Graph ``delegatedAdminRelationship``), domain.md §3."""

import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DapGrant(models.Model):
    """Legacy DAP: one flag per partner × customer. The customer can switch it off and keep the reseller link."""

    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="dap_grants")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="dap_grants")
    enabled = models.BooleanField(_("enabled"), default=True)
    changed = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["partner", "customer"], name="unique_dap_per_partner_customer")]

    def __str__(self):
        return f"DAP {self.partner} → {self.customer} ({'on' if self.enabled else 'off'})"


class GdapStatus(models.TextChoices):
    CREATED = "created", _("Created")
    APPROVAL_PENDING = "approvalPending", _("Approval pending")
    ACTIVE = "active", _("Active")
    EXPIRING = "expiring", _("Expiring")
    EXPIRED = "expired", _("Expired")
    TERMINATION_REQUESTED = "terminationRequested", _("Termination requested")
    TERMINATING = "terminating", _("Terminating")
    TERMINATED = "terminated", _("Terminated")


class UnifiedRole(models.TextChoices):
    DIRECTORY_READERS = "Directory Readers", _("Directory Readers")
    DIRECTORY_WRITERS = "Directory Writers", _("Directory Writers")
    GLOBAL_READER = "Global Reader", _("Global Reader")
    LICENSE_ADMINISTRATOR = "License Administrator", _("License Administrator")
    USER_ADMINISTRATOR = "User Administrator", _("User Administrator")
    HELPDESK_ADMINISTRATOR = "Helpdesk Administrator", _("Helpdesk Administrator")
    GLOBAL_ADMINISTRATOR = "Global Administrator", _("Global Administrator")


# Roles that allow moving licenses (domain.md §3).
LICENSE_WRITE_ROLES = frozenset(
    {
        UnifiedRole.DIRECTORY_WRITERS,
        UnifiedRole.LICENSE_ADMINISTRATOR,
        UnifiedRole.USER_ADMINISTRATOR,
        UnifiedRole.GLOBAL_ADMINISTRATOR,
    }
)

# Roles that allow creating, changing and deleting the customer's users (Partner Center "users and licenses").
USER_WRITE_ROLES = frozenset({UnifiedRole.USER_ADMINISTRATOR, UnifiedRole.GLOBAL_ADMINISTRATOR})

# The statuses in which a GDAP relationship grants access (until its ``end_date_time``).
ACTIVE_GDAP_STATUSES = ("active", "expiring")


def active_gdap_q(at, prefix: str = "") -> models.Q:
    """THE definition of an access-granting GDAP relationship (domain.md §3): ``active``/``expiring`` and not past
    ``endDateTime``. ``prefix`` reaches it through a relation, e.g. ``"relationship__"``. Used by the delegated
    access selector and by the guardian grants, so the two can never disagree."""
    return models.Q(**{f"{prefix}status__in": ACTIVE_GDAP_STATUSES}) & (
        models.Q(**{f"{prefix}end_date_time__isnull": True}) | models.Q(**{f"{prefix}end_date_time__gt": at})
    )


# DAP (legacy): while it is on, these partner security groups hold these Entra roles in the customer's tenant.
DAP_GROUP_ROLES: dict[str, frozenset[str]] = {
    "Admin Agents": frozenset({"Global Administrator"}),
    "Helpdesk Agents": frozenset({"Helpdesk Administrator"}),
}

DEFAULT_DURATION = timedelta(days=730)
MAX_DURATION = timedelta(days=730)
AUTO_EXTEND = timedelta(days=180)
REQUEST_LAPSE = timedelta(days=90)


class GdapRelationship(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="gdap_relationships")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="gdap_relationships")
    display_name = models.CharField(_("display name"), max_length=50)
    status = models.CharField(_("status"), max_length=24, choices=GdapStatus.choices, default=GdapStatus.CREATED)
    unified_roles = models.JSONField(_("roles"), default=list, help_text=_("Entra role names"))
    duration = models.DurationField(_("duration"), default=DEFAULT_DURATION)
    auto_extend_duration = models.DurationField(_("auto-extend duration"), default=timedelta(0))
    created_date_time = models.DateTimeField(default=timezone.now)
    activated_date_time = models.DateTimeField(null=True, blank=True)
    end_date_time = models.DateTimeField(null=True, blank=True)
    last_modified_date_time = models.DateTimeField(auto_now=True)
    notices_sent = models.JSONField(default=list, blank=True, help_text=_("Expiry notices already sent (days before)."))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["partner", "display_name"], name="unique_gdap_name_per_partner"),
            models.CheckConstraint(
                condition=models.Q(duration__gte=timedelta(days=1), duration__lte=MAX_DURATION),
                name="gdap_duration_range",
            ),
        ]
        indexes = [models.Index(fields=["status", "end_date_time"])]
        ordering = ["-created_date_time"]

    def __str__(self):
        return f"{self.display_name} ({self.status})"

    def is_active_at(self, when) -> bool:
        return self.status in (GdapStatus.ACTIVE, GdapStatus.EXPIRING) and (
            self.end_date_time is None or self.end_date_time > when
        )


class AccessAssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    DELETING = "deleting", _("Deleting")
    DELETED = "deleted", _("Deleted")
    ERROR = "error", _("Error")


class GdapAccessAssignment(models.Model):
    """Relationship × partner security group × a subset of the relationship's roles."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    relationship = models.ForeignKey(GdapRelationship, on_delete=models.CASCADE, related_name="access_assignments")
    group = models.ForeignKey("partners.SecurityGroup", on_delete=models.CASCADE, related_name="access_assignments")
    unified_roles = models.JSONField(_("roles"), default=list)
    status = models.CharField(
        _("status"), max_length=16, choices=AccessAssignmentStatus.choices, default=AccessAssignmentStatus.PENDING
    )
    created_date_time = models.DateTimeField(default=timezone.now)
    last_modified_date_time = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["relationship", "group"], name="unique_assignment_per_group")]

    def __str__(self):
        return f"{self.relationship} · {self.group} ({self.status})"

"""Delegated admin relationships: DAP (legacy) and GDAP (Graph ``delegatedAdminRelationship``), domain.md §3."""

import uuid
from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.workflow import Workflow, history


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

# DAP (legacy): while it is on, these partner security groups hold these Entra roles in the customer's tenant.
DAP_GROUP_ROLES: dict[str, frozenset[str]] = {
    "Admin Agents": frozenset({"Global Administrator"}),
    "Helpdesk Agents": frozenset({"Helpdesk Administrator"}),
}

DEFAULT_DURATION = timedelta(days=730)
MAX_DURATION = timedelta(days=730)
AUTO_EXTEND = timedelta(days=180)
REQUEST_LAPSE = timedelta(days=90)

_G = GdapStatus
# The GDAP relationship status pipeline (domain.md §3), on the workflow kernel:
#     created → approvalPending → active ⇄ expiring → expired
#                               ↘ expired (the request lapsed after 90 days)
#                               ↘ terminated (the customer declined)
#     active | expiring → terminationRequested → terminating → terminated
# ``active → active`` / ``expiring → active`` is an auto-extension. ``expired`` and ``terminated`` are final.
GDAP_WORKFLOW = Workflow(
    name="gdap_relationship",
    model="delegation.GdapRelationship",
    verbose_name="GDAP relationship",
    labels=GdapStatus.choices,
    transitions={
        _G.CREATED: frozenset({_G.APPROVAL_PENDING, _G.EXPIRED, _G.TERMINATED}),
        _G.APPROVAL_PENDING: frozenset({_G.ACTIVE, _G.EXPIRED, _G.TERMINATED}),
        _G.ACTIVE: frozenset({_G.ACTIVE, _G.EXPIRING, _G.EXPIRED, _G.TERMINATION_REQUESTED}),
        _G.EXPIRING: frozenset({_G.ACTIVE, _G.EXPIRED, _G.TERMINATION_REQUESTED}),
        _G.TERMINATION_REQUESTED: frozenset({_G.TERMINATING}),
        _G.TERMINATING: frozenset({_G.TERMINATED}),
        _G.EXPIRED: frozenset(),
        _G.TERMINATED: frozenset(),
    },
    initial=frozenset({_G.CREATED}),
    # live: grants access (until ``end_date_time``); open: a request waiting for the customer (it lapses).
    live=frozenset({_G.ACTIVE, _G.EXPIRING}),
    open=frozenset({_G.CREATED, _G.APPROVAL_PENDING}),
)
# The statuses in which a GDAP relationship grants access (until its ``end_date_time``).
ACTIVE_GDAP_STATUSES = tuple(sorted(GDAP_WORKFLOW.live))


def active_gdap_q(at, prefix: str = "") -> models.Q:
    """THE definition of an access-granting GDAP relationship (domain.md §3): live (``active``/``expiring``) and
    not past ``endDateTime``. ``prefix`` reaches it through a relation, e.g. ``"relationship__"``. Used by
    ``GdapRelationship.objects.live()``, the delegated access selector and the guardian grants."""
    return GDAP_WORKFLOW.q(GDAP_WORKFLOW.live, prefix) & (
        models.Q(**{f"{prefix}end_date_time__isnull": True}) | models.Q(**{f"{prefix}end_date_time__gt": at})
    )


class GdapRelationshipQuerySet(models.QuerySet):
    def live(self, at=None):
        """Relationships that grant access at ``at`` (default now)."""
        return self.filter(active_gdap_q(at or timezone.now()))

    def live_status(self):
        """Relationships in a live status (``active``/``expiring``), whatever their end date."""
        return self.filter(GDAP_WORKFLOW.q(GDAP_WORKFLOW.live))

    def requests_open(self):
        return self.filter(GDAP_WORKFLOW.q(GDAP_WORKFLOW.open))

    def terminations_pending(self):
        """Terminations requested and not finished yet (the sweep finishes them)."""
        return self.filter(status__in=(GdapStatus.TERMINATION_REQUESTED, GdapStatus.TERMINATING))

    def lapsed(self, now):
        """Requests not approved within ``REQUEST_LAPSE`` (90 days) of their creation."""
        return self.requests_open().filter(created_date_time__lte=now - REQUEST_LAPSE)


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

    objects = GdapRelationshipQuerySet.as_manager()

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

    @property
    def is_live(self) -> bool:
        """In a live status (``active``/``expiring``); ``is_active_at`` also checks the end date."""
        return GDAP_WORKFLOW.is_live(self.status)

    @property
    def history(self):
        """The status history (kernel rows), oldest first."""
        return history(self)

    @property
    def is_request_open(self) -> bool:
        return GDAP_WORKFLOW.is_open(self.status)

    def is_active_at(self, when) -> bool:
        return self.is_live and (self.end_date_time is None or self.end_date_time > when)

    def request_lapsed(self, now) -> bool:
        """A request not approved within ``REQUEST_LAPSE`` (90 days): it can only expire."""
        return self.is_request_open and self.created_date_time + REQUEST_LAPSE <= now


class AccessAssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACTIVE = "active", _("Active")
    DELETING = "deleting", _("Deleting")
    DELETED = "deleted", _("Deleted")
    ERROR = "error", _("Error")


_A = AccessAssignmentStatus
# Access assignments: created active (an assignment on a live relationship), removed → deleted; a deleted row is
# reused when the same group is assigned again (deleted → active). pending/deleting/error are Graph's
# asynchronous states (imported rows).
ASSIGNMENT_WORKFLOW = Workflow(
    name="gdap_access_assignment",
    model="delegation.GdapAccessAssignment",
    verbose_name="GDAP access assignment",
    labels=AccessAssignmentStatus.choices,
    transitions={
        _A.PENDING: frozenset({_A.ACTIVE, _A.ERROR, _A.DELETED}),
        _A.ACTIVE: frozenset({_A.DELETING, _A.DELETED}),
        _A.DELETING: frozenset({_A.DELETED, _A.ERROR}),
        _A.ERROR: frozenset({_A.ACTIVE, _A.DELETED}),
        _A.DELETED: frozenset({_A.ACTIVE}),
    },
    initial=frozenset({_A.PENDING, _A.ACTIVE}),
    live=frozenset({_A.ACTIVE}),
    open=frozenset({_A.PENDING, _A.ACTIVE, _A.DELETING, _A.ERROR}),
)


class AccessAssignmentQuerySet(models.QuerySet):
    def live(self):
        return self.filter(ASSIGNMENT_WORKFLOW.q(ASSIGNMENT_WORKFLOW.live))

    def not_deleted(self):
        return self.exclude(status=AccessAssignmentStatus.DELETED)


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

    objects = AccessAssignmentQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["relationship", "group"], name="unique_assignment_per_group")]

    def __str__(self):
        return f"{self.relationship} · {self.group} ({self.status})"

    @property
    def is_live(self) -> bool:
        return ASSIGNMENT_WORKFLOW.is_live(self.status)

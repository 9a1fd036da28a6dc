"""Signals partners sends so that apps above it (delegation) can follow its changes without partners importing them.

- ``partner_user_changed(user=...)``: a partner user service changed a user's partner, roles, security groups or
  active flag (``delegation`` mirrors the user's auth groups for the guardian grants).
- ``security_group_in_use(group=...)``: asked before a security group is deleted; each receiver answers how many
  live things of its app still use the group (``delegation``: GDAP access assignments not deleted).
"""

from django.dispatch import Signal

partner_user_changed = Signal()
security_group_in_use = Signal()


def security_group_uses(group) -> int:
    """How many live things of the apps above still use ``group`` (the sum of the receivers' answers)."""
    return sum(int(count or 0) for _receiver, count in security_group_in_use.send(sender=type(group), group=group))

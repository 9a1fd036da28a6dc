"""Facts about an actor (a signed-in user or an API application) that every app may ask, duck-typed.

``core`` imports no project app, so this reads only attributes: ``is_authenticated``, ``is_application``,
``partner`` and ``partner_id``.
"""

from __future__ import annotations


def acting_partner_id(actor) -> int | None:
    """The partner an actor works for (user or application), or None."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    if getattr(actor, "is_application", False):
        return actor.partner.pk
    return getattr(actor, "partner_id", None)

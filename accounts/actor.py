"""The typed actor: who acts, built once per request (pages, admin, API) and rebuilt from ids in tasks.

An :class:`Actor` wraps the *principal* (a ``User`` or an ``ApplicationPrincipal``, or an anonymous user) and
answers the access questions in one place: its :attr:`kind`, :meth:`can` a capability (the role predicates of
``partners.roles``), its :attr:`partner`, its :meth:`customers` (through the scoping registry). It keeps the
attributes services read from an actor (``partner_id``, ``role_codes``, ``is_superuser``, ``is_application``,
``is_authenticated``, ``is_active``, ``is_staff``, ``pk``, ``username``, ``email``, ``application_id``), so it can
be passed wherever an actor is expected; where a service stores the actor in a foreign key it is given
:attr:`principal` (the model instance) as before.

- pages and admin: ``ActorMiddleware`` sets ``request.actor`` (after authentication; lazy: no query until asked);
- API: ``api.views.base.PartnerCenterAPIView`` sets ``request.actor`` / ``self.actor`` from the token's principal;
- tasks: :meth:`Actor.from_ids` rebuilds it from the ids stored on the row (``user_id``, or ``partner_id`` and
  ``application_id`` for an app-only token), :meth:`Actor.ids` gives them.
"""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from core.scoping import is_operator, set_actor_factory, visible_to
from partners.roles import Capability, admin_partner_id, can, is_global_admin, require

from .principals import ApplicationPrincipal


class ActorKind(StrEnum):
    ANONYMOUS = "anonymous"
    OPERATOR = "operator"
    PARTNER_USER = "partner_user"
    APPLICATION = "application"
    CUSTOMER_ADMIN = "customer_admin"


class Actor:
    """Who acts. Build with :meth:`of` (a principal), :meth:`for_request` or :meth:`from_ids`."""

    def __init__(self, principal: Any = None, *, request=None):
        self._principal = principal if principal is not None else AnonymousUser()
        self._request = request

    @property
    def principal(self) -> Any:
        """The ``User``, ``ApplicationPrincipal`` or anonymous user acting (for a request: its current user)."""
        if self._request is not None:
            return getattr(self._request, "user", None) or AnonymousUser()
        return self._principal

    # -- construction ------------------------------------------------------------------------------------
    @classmethod
    def of(cls, principal: Any) -> Actor:
        """``principal`` as an actor (an actor stays itself)."""
        return principal if isinstance(principal, Actor) else cls(principal)

    @classmethod
    def for_request(cls, request) -> Actor:
        """The request's actor: ``request.actor`` when set, else built from ``request.user`` and kept there."""
        actor = getattr(request, "actor", None)
        if not isinstance(actor, Actor):
            actor = cls(request=request)
            request.actor = actor
        return actor

    @classmethod
    def from_ids(
        cls,
        *,
        user_id: int | None = None,
        partner_id: int | None = None,
        application_id: uuid.UUID | str | None = None,
        token_id: int | None = None,
    ) -> Actor:
        """Rebuild an actor in a task: the user ``user_id`` (their roles as they are now), or the application
        ``application_id`` of the partner ``partner_id``; neither: the anonymous actor (reads nothing)."""
        if user_id is not None:
            from .models import User

            return cls(User.objects.select_related("partner").filter(pk=user_id).first())
        if application_id and partner_id is not None:
            partner = apps.get_model("partners", "Partner").objects.filter(pk=partner_id).first()
            return cls.for_row(partner=partner, application_id=application_id, token_id=token_id)
        return cls(None)

    @classmethod
    def for_row(cls, *, user=None, partner=None, application_id=None, token_id: int | None = None) -> Actor:
        """The actor stored on a row (a batch's or an operation's creator) from its already loaded objects (no
        query): the ``user``, else the application ``application_id`` of ``partner``, else nobody."""
        if user is not None:
            return cls(user)
        if application_id and partner is not None:
            return cls(
                ApplicationPrincipal(partner=partner, application_id=uuid.UUID(str(application_id)), token_id=token_id)
            )
        return cls(None)

    def ids(self) -> dict[str, Any]:
        """What :meth:`from_ids` needs (JSON-safe, for a task's arguments)."""
        if self.is_application:
            return {
                "partner_id": self.partner_id,
                "application_id": str(self.principal.application_id),
                "token_id": self.principal.token_id,
            }
        return {"user_id": self.pk} if self.pk is not None else {}

    # -- who ---------------------------------------------------------------------------------------------
    @property
    def kind(self) -> ActorKind:
        if not self.is_authenticated:
            return ActorKind.ANONYMOUS
        if self.is_application:
            return ActorKind.APPLICATION
        if is_operator(self.principal):
            return ActorKind.OPERATOR
        if self.partner_id:
            return ActorKind.PARTNER_USER
        return ActorKind.CUSTOMER_ADMIN

    @property
    def user(self):
        """The ``User`` acting, or None (an application, nobody)."""
        return self.principal if self.is_authenticated and not self.is_application else None

    @property
    def is_operator(self) -> bool:
        return self.kind is ActorKind.OPERATOR

    @property
    def is_global_admin(self) -> bool:
        return is_global_admin(self.principal)

    @property
    def admin_partner_id(self) -> int | None:
        """The partner a non-operator administers in the Django admin (``partners.roles.admin_partner_id``)."""
        return admin_partner_id(self.principal)

    # -- what it may do and see ----------------------------------------------------------------------------
    def can(self, capability: Capability) -> bool:
        return can(self.principal, capability)

    def require(self, capability: Capability) -> None:
        """Raise ``PermissionDenied`` (403) unless the actor may ``capability``."""
        require(self.principal, capability)

    def visible(self, model_or_queryset, **kwargs) -> QuerySet:
        """``core.scoping.visible_to`` for this actor."""
        return visible_to(model_or_queryset, self, **kwargs)

    def customers(self) -> QuerySet:
        """The customers the actor may read (the registry's ``customers.Customer`` scope)."""
        return visible_to(apps.get_model("customers", "Customer"), self)

    # -- the attributes services read from an actor ------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return bool(getattr(self.principal, "is_authenticated", False))

    @property
    def is_active(self) -> bool:
        return bool(getattr(self.principal, "is_active", False))

    @property
    def is_application(self) -> bool:
        return bool(getattr(self.principal, "is_application", False))

    @property
    def is_superuser(self) -> bool:
        return bool(getattr(self.principal, "is_superuser", False))

    @property
    def is_staff(self) -> bool:
        return bool(getattr(self.principal, "is_staff", False))

    @property
    def partner(self):
        return getattr(self.principal, "partner", None) if self.is_authenticated else None

    @property
    def partner_id(self) -> int | None:
        return getattr(self.principal, "partner_id", None) if self.is_authenticated else None

    @property
    def role_codes(self) -> frozenset[str]:
        return getattr(self.principal, "role_codes", frozenset()) if self.is_authenticated else frozenset()

    @property
    def pk(self):
        return getattr(self.principal, "pk", None)

    @property
    def id(self):
        return self.pk

    @property
    def username(self) -> str:
        return getattr(self.principal, "username", "") or ""

    @property
    def email(self) -> str:
        return getattr(self.principal, "email", "") or ""

    @property
    def application_id(self):
        return getattr(self.principal, "application_id", None)

    def has_perm(self, perm: str, obj=None) -> bool:
        return bool(self.principal.has_perm(perm, obj)) if self.is_authenticated else False

    def __eq__(self, other) -> bool:
        other_principal = other.principal if isinstance(other, Actor) else other
        return self.principal == other_principal

    def __hash__(self) -> int:
        return hash(self.principal)

    def __repr__(self) -> str:
        return f"<Actor {self.kind.value} {self.username or '-'}>"


class ActorMiddleware:
    """Sets ``request.actor`` once per request (pages and admin), after ``AuthenticationMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = Actor(request=request)  # reads ``request.user`` (lazy) only when asked
        return self.get_response(request)


def actor_factory_install() -> None:
    """Let ``core.scoping.actor_of(request)`` build this module's actor (``AccountsConfig.ready``)."""
    set_actor_factory(Actor.for_request)

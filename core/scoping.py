"""The scoping registry: which rows of a model an actor may read. Every read of customer data starts here.

Each app registers, for each model that holds customer or partner data, one function ``fn(actor) -> QuerySet``
(in its selectors module, imported from its ``AppConfig.ready``); ``core`` imports no project app, so it only
holds the callables. :func:`visible_to` is the one way in, and it holds the ONE operator bypass: a platform
operator (an active superuser that is not an application token) sees every row (or the model's registered
``operator`` view when "every row" would be wrong, e.g. partner users only); nobody who is not signed in sees
anything. A registered function therefore never tests ``is_superuser`` itself.

An actor is anything with the actor attributes (``accounts.actor.Actor``, a ``User``, an
``ApplicationPrincipal``): ``is_authenticated``, ``is_active``, ``is_superuser``, ``is_application``,
``partner_id``, ``pk``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .errors import NotFound

ScopeFn = Callable[[Any], QuerySet]


VIEW = "view"  # the default purpose: rows the actor may read


@dataclass(frozen=True)
class Scope:
    model: type[Model]
    fn: ScopeFn
    operator: ScopeFn | None = None
    purpose: str = VIEW


REGISTRY: dict[tuple[type[Model], str], Scope] = {}


class NotRegistered(LookupError):
    """A model read through the registry that no app registered: a programming error, never a 404."""


def register(model: type[Model], fn: ScopeFn, *, operator: ScopeFn | None = None, purpose: str = VIEW) -> ScopeFn:
    """Register ``fn(actor) -> QuerySet`` as ``model``'s scope for ``purpose`` (``"view"``: what the actor may
    read; another name for a narrower scope such as ``"manage"``); ``operator(actor)`` replaces "every row" for
    operators when given. Registering a model twice with another function is refused (one scope per purpose)."""
    current = REGISTRY.get((model, purpose))
    if current is not None and (current.fn is not fn or current.operator is not operator):
        raise ValueError(f"{model._meta.label} already has a {purpose!r} scope ({current.fn.__qualname__}).")
    REGISTRY[(model, purpose)] = Scope(model=model, fn=fn, operator=operator, purpose=purpose)
    return fn


def unregister(model: type[Model], *, purpose: str = VIEW) -> None:
    """Remove a scope (tests registering a throw-away scope only)."""
    REGISTRY.pop((model, purpose), None)


def is_registered(model: type[Model], *, purpose: str = VIEW) -> bool:
    return (model, purpose) in REGISTRY


def registered_models() -> set[type[Model]]:
    return {model for model, _purpose in REGISTRY}


def is_signed_in(actor) -> bool:
    return (
        actor is not None
        and bool(getattr(actor, "is_authenticated", False))
        and bool(getattr(actor, "is_active", False))
    )


def is_operator(actor) -> bool:
    """A platform operator: an active superuser acting as a user (an application token never is one)."""
    return (
        is_signed_in(actor)
        and bool(getattr(actor, "is_superuser", False))
        and not getattr(actor, "is_application", False)
    )


def principal_of(actor) -> Any:
    """The model instance behind an actor (``accounts.actor.Actor.principal``), for a foreign key; anything else
    (a ``User``, an ``ApplicationPrincipal``, None) is returned as it is."""
    return getattr(actor, "principal", actor)


def scope_of(model: type[Model], purpose: str = VIEW) -> Scope:
    scope = REGISTRY.get((model, purpose))
    if scope is None:
        raise NotRegistered(f"{model._meta.label} has no registered {purpose!r} scope (core.scoping.register).")
    return scope


def visible_to(model_or_queryset: type[Model] | QuerySet, actor, *, purpose: str = VIEW) -> QuerySet:
    """The rows the actor may read (or use for ``purpose``): of a model, or of a queryset narrowed to them
    (filters, ``select_related`` and ordering of the given queryset are kept)."""
    given = isinstance(model_or_queryset, QuerySet)
    if isinstance(model_or_queryset, QuerySet):
        queryset: QuerySet = model_or_queryset
        model: type[Model] = queryset.model
    else:
        model = model_or_queryset
        queryset = model._default_manager.all()
    scope = scope_of(model, purpose)
    if not is_signed_in(actor):
        return queryset.none()
    if is_operator(actor):
        if scope.operator is None:
            return queryset
        rows = scope.operator(actor)
    else:
        rows = scope.fn(actor)
    if rows.model is not model:
        raise TypeError(f"The scope of {model._meta.label} returned {rows.model._meta.label} rows.")
    # A model: the scope's own queryset. A queryset: narrowed by one ``pk__in`` subquery (its filters, joins,
    # annotations and ordering stay as they are; still one query).
    return queryset.filter(pk__in=rows.values("pk")) if given else rows


def get_visible(model_or_queryset: type[Model] | QuerySet, actor, *, purpose: str = VIEW, **lookup) -> Model:
    """One row inside the actor's scope; :class:`core.errors.NotFound` (404) otherwise, whether the row does not
    exist or belongs to somebody else (the answer never tells which)."""
    queryset = visible_to(model_or_queryset, actor, purpose=purpose)
    obj = queryset.filter(**lookup).first() if lookup else None
    if obj is None:
        raise NotFound(_("%(name)s was not found.") % {"name": capfirst(queryset.model._meta.verbose_name)})
    return obj


# -- the request's actor -------------------------------------------------------------------------------------
ActorFactory = Callable[[Any], Any]
_actor_factory: list[ActorFactory] = []


def set_actor_factory(factory: ActorFactory) -> None:
    """``accounts`` registers how a request's actor is built (``factory(request)``, at ``ready``)."""
    _actor_factory[:] = [factory]


def actor_of(request) -> Any:
    """The request's actor: ``request.actor`` (set by ``accounts.actor.ActorMiddleware`` or the API's base view),
    else built by the registered factory (kept on the request), else ``request.user``."""
    actor = getattr(request, "actor", None)
    if actor is not None:
        return actor
    if _actor_factory:
        return _actor_factory[0](request)
    return getattr(request, "user", None)

"""The base of every /v1/ view: conventions enforced once, so a new endpoint cannot forget them
(``tests/api/test_base_view_everywhere.py`` fails the suite on a /v1/ URL whose view does not extend it).

- ``self.actor`` (and ``request.actor``): the typed ``accounts.actor.Actor`` of the token's principal, built once
  after authentication; ``request.user`` stays the principal (services take it as ``actor=``).
- ``capabilities`` maps each handler (``get``, ``post``, ...) to the role-matrix capability it needs; a view
  that defines a handler without one fails at import time (``__init_subclass__``).
- ``customer_id`` / ``subscription_id`` in the URL are resolved through the scoping selectors before the
  handler runs (``self.customer``, ``self.subscription``): another partner's object answers 404.
- ``MS-CorrelationId`` is echoed (or generated) on every response; ``self.correlation_id`` goes to services.
- ``MS-RequestId`` / ``Idempotency-Key`` on POST/PATCH replays the first response (``api.idempotency``).
- Errors become ServiceFault bodies in ``api.errors.service_fault_handler``.
- ``OPTIONS`` (authenticated) answers DRF's metadata: it needs no capability and touches no object.
- Bodies are parsed by ``api.parsers.SafeJSONParser`` (depth-limited JSON).
"""

from __future__ import annotations

import uuid

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.actor import Actor
from core.correlation import CORRELATION_HEADER, MAX_CORRELATION_ID_LENGTH, correlation_id_for
from core.errors import InvalidInput
from core.scoping import visible_to
from partners.roles import Capability

from ..idempotency import IDEMPOTENT_METHODS, Replay, idempotency_begin, idempotency_finish, request_id_of
from ..parsers import SafeJSONParser


def parse_guid(value: str, *, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise InvalidInput(_("%(value)r is not a valid GUID.") % {"value": str(value)[:80]}, field=field) from None


def reason_of(data) -> str:
    """A request body's ``reason`` (a rejection's; the service requires it and names the field when it is
    missing): "" unless the body is an object whose ``reason`` is a string."""
    value = data.get("reason") if isinstance(data, dict) else None
    return value if isinstance(value, str) else ""


# The framework sits below the apps it serves: it names their models by label (resolved at run time, like a
# string foreign key) and reads them through the scoping registry.
CSP_CHANNEL = "csp"


class PartnerCenterAPIView(APIView):
    capabilities: dict[str, Capability] = {}
    public = False  # only the unknown-URL fallback
    http_method_names = ["get", "post", "patch", "put", "delete", "head", "options"]
    parser_classes = [SafeJSONParser]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.public:
            return
        for method in cls.http_method_names:
            if method not in ("head", "options") and hasattr(cls, method) and method not in cls.capabilities:
                raise ImproperlyConfigured(f"{cls.__name__}.{method} has no entry in `capabilities`.")

    # -- request pipeline ------------------------------------------------------------------------------
    def initial(self, request, *args, **kwargs):
        self.correlation_id = correlation_id_for(request)
        self._idempotency = None
        self.request_id = ""
        super().initial(request, *args, **kwargs)  # authentication, permissions, throttling
        self.actor = Actor(request.user)
        request._request.actor = self.actor  # the same actor for everything below the view (DRF proxies it)
        raw = request.headers.get(CORRELATION_HEADER, "").strip()
        if raw and raw != self.correlation_id:
            raise InvalidInput(
                _("must be printable and at most %(n)d characters.") % {"n": MAX_CORRELATION_ID_LENGTH},
                field=CORRELATION_HEADER,
            )
        if self.public:
            return
        method = "get" if request.method.lower() == "head" else request.method.lower()
        if method == "options" or not hasattr(self, method):
            return  # OPTIONS: metadata only; an unknown method: dispatch answers 405
        self.actor.require(self.capabilities[method])
        self.resolve_scope()
        if request.method in IDEMPOTENT_METHODS:
            self.request_id = request_id_of(request)
            if self.request_id:
                self._idempotency = idempotency_begin(
                    actor=request.user, key=self.request_id, method=request.method, path=request.path, data=request.data
                )

    def resolve_scope(self) -> None:
        """Resolve URL ids through the scoping selectors: ``self.customer`` and ``self.subscription``."""
        self.customer = self.subscription = None
        if "customer_id" in self.kwargs:
            tenant_id = parse_guid(self.kwargs["customer_id"], field="customerTenantId")
            customers = visible_to(apps.get_model("customers", "Customer"), self.actor)
            self.customer = customers.filter(tenant_id=tenant_id).first()
            if self.customer is None:
                raise exceptions.NotFound(_("Customer %(id)s was not found.") % {"id": tenant_id})
        if "subscription_id" in self.kwargs:
            subscription_id = parse_guid(self.kwargs["subscription_id"], field="subscriptionId")
            self.subscription = self.scoped_subscriptions().filter(pk=subscription_id).first()
            if self.subscription is None:
                raise exceptions.NotFound(_("Subscription %(id)s was not found.") % {"id": subscription_id})

    def scoped_subscriptions(self):
        """The customer's CSP subscriptions in the caller's scope: Partner Center's API never lists a direct or
        volume-licensing subscription, not even to an operator."""
        return (
            visible_to(apps.get_model("subscriptions", "Subscription"), self.actor)
            .filter(customer=self.customer, channel=CSP_CHANNEL)
            .select_related("offer", "partner", "customer")
        )

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return Response(exc.body, status=exc.status_code, headers={"MS-Idempotent-Replay": "true"})
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response[CORRELATION_HEADER] = correlation_id_for(request)
        record = getattr(self, "_idempotency", None)
        if record is not None:
            self._idempotency = None
            idempotency_finish(record=record, status_code=response.status_code, body=response.data)
        return response


class NotFoundView(PartnerCenterAPIView):
    """Every unknown URL under /v1/: a JSON 404 ServiceFault (whatever the method, with or without a token)."""

    public = True
    authentication_classes: list = []
    permission_classes: list = []
    schema = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise exceptions.NotFound(_("No /v1/ resource at %(path)s.") % {"path": request.path[:200]})

    def get(self, request, *args, **kwargs):  # pragma: no cover - initial() always raises
        raise exceptions.NotFound()

    post = patch = put = delete = get

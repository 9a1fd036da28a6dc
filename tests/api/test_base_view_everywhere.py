"""Every /v1/ URL is served by a view built on ``api.views.base.PartnerCenterAPIView`` (its capability check,
scoping, correlation id and idempotency), the way the permission matrix fails on a URL without a rule."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, get_resolver, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.response import Response
from rest_framework.views import APIView

from api.views.base import PartnerCenterAPIView
from direct.api.views import MeAPIView, MeCustomersView
from partners.roles import Capability

API_PREFIX = "v1"  # "v1/..." and the catch-all "^v1(/.*)?$"

# The OpenAPI document and its two viewers: public documentation of the API, no customer data, no capability.
DOCUMENTATION_VIEWS = (SpectacularAPIView, SpectacularSwaggerView, SpectacularRedocView)


def view_class(callback):
    """The class behind an ``as_view()`` callback (DRF sets ``cls``, Django ``view_class``), else the function."""
    return getattr(callback, "cls", None) or getattr(callback, "view_class", None) or callback


def walk(patterns, prefix: str = ""):
    """``(route, callback)`` of every URL pattern below ``patterns``."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def views_not_on_the_base(patterns) -> list[str]:
    """The /v1/ routes whose view does not extend the base view (documentation views excepted)."""
    wrong = []
    for route, callback in walk(patterns):
        if not route.lstrip("^").startswith(API_PREFIX):
            continue
        cls = view_class(callback)
        if isinstance(cls, type) and issubclass(cls, DOCUMENTATION_VIEWS):
            continue
        if not (isinstance(cls, type) and issubclass(cls, PartnerCenterAPIView)):
            wrong.append(f"{route} -> {getattr(cls, '__qualname__', cls)}")
    return wrong


def api_routes(patterns) -> list[str]:
    return [route for route, _callback in walk(patterns) if route.lstrip("^").startswith(API_PREFIX)]


def test_every_v1_view_extends_the_base_view():
    patterns = get_resolver().url_patterns
    routes = api_routes(patterns)
    assert len(routes) > 25 and any("me/" in route for route in routes)  # the walk reaches the included URLconfs
    assert views_not_on_the_base(patterns) == []


def test_v1_me_runs_on_the_base_view_with_its_capability():
    assert issubclass(MeAPIView, PartnerCenterAPIView)
    assert MeCustomersView.capabilities["get"] is Capability.ADMIN_CENTER


class PlainView(APIView):
    def get(self, request):
        return Response({})


def plain_function_view(request):
    return Response({})


def test_a_v1_view_not_built_on_the_base_fails_the_check():
    planted = [
        path("v1/", [[path("plain", PlainView.as_view()), path("function", plain_function_view)], None, None]),
        path("v1/customers", get_resolver().resolve("/v1/customers").func),
        path("elsewhere", PlainView.as_view()),  # not under /v1/: not the API's business
    ]
    assert views_not_on_the_base(planted) == [
        "v1/plain -> PlainView",
        "v1/function -> plain_function_view",
    ]

"""Included by ``partnercenter/api_urls.py`` under /v1/ (Partner Center's paths, no trailing slash)."""

from django.urls import path

from . import transition_views, views

SUBSCRIPTION = "customers/<str:customer_id>/subscriptions/<str:subscription_id>"

urlpatterns = [
    path(
        f"{SUBSCRIPTION}/transitionEligibilities",
        views.TransitionEligibilityView.as_view(),
        name="subscription-transition-eligibilities",
    ),
    path(
        f"{SUBSCRIPTION}/transitions",
        transition_views.TransitionView.as_view(),
        name="subscription-transitions",
    ),
]

"""/v1/ paths of the partner's E4 replacement (included from partnercenter/api_urls.py)."""

from django.urls import path

from .e4_views import E4ReplacementView

SUBSCRIPTION = "customers/<str:customer_id>/subscriptions/<str:subscription_id>"
urlpatterns = [
    path(f"{SUBSCRIPTION}/e4Replacement", E4ReplacementView.as_view(), name="subscription-e4-replacement"),
]

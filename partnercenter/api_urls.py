"""/v1/: Partner Center's paths (no trailing slash, as the generated SDK clients send them).

Assembled here, at the top of the project, from each app's ``api`` package: the ``api`` app is the framework
(base view, parsers, pagination, errors, idempotency, authentication) and knows no endpoint above it.
"""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from api.views.audit import AuditRecordListView
from catalog.api.views import OfferDetailView, OfferListView
from customers.api.views import CustomerUserListView
from delegation.api.customers import CustomerDetailView, CustomerListView
from opportunities.api.views import OpportunityListView
from subscriptions.api.views import SubscriptionDetailView, SubscriptionListView, UserLicenseListView
from upgrades.api.views import (
    UpgradeOperationApproveView,
    UpgradeOperationRejectView,
    UpgradeOperationView,
    UpgradeView,
)

app_name = "api"

CUSTOMER = "customers/<str:customer_id>"
SUBSCRIPTION = f"{CUSTOMER}/subscriptions/<str:subscription_id>"

READ_ONLY = ["get", "head"]  # the docs views render a page for OPTIONS too, without a template: 405 instead

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(http_method_names=READ_ONLY), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema", http_method_names=READ_ONLY), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema", http_method_names=READ_ONLY), name="redoc"),
    path("customers", CustomerListView.as_view(), name="customer-list"),
    path(CUSTOMER, CustomerDetailView.as_view(), name="customer-detail"),
    path(f"{CUSTOMER}/subscriptions", SubscriptionListView.as_view(), name="subscription-list"),
    path(SUBSCRIPTION, SubscriptionDetailView.as_view(), name="subscription-detail"),
    path(f"{SUBSCRIPTION}/upgrades", UpgradeView.as_view(), name="subscription-upgrades"),
    path(
        f"{SUBSCRIPTION}/upgrades/<str:operation_id>",
        UpgradeOperationView.as_view(),
        name="subscription-upgrade-operation",
    ),
    path(
        f"{SUBSCRIPTION}/upgrades/<str:operation_id>/approve",
        UpgradeOperationApproveView.as_view(),
        name="subscription-upgrade-operation-approve",
    ),
    path(
        f"{SUBSCRIPTION}/upgrades/<str:operation_id>/reject",
        UpgradeOperationRejectView.as_view(),
        name="subscription-upgrade-operation-reject",
    ),
    path(f"{CUSTOMER}/users", CustomerUserListView.as_view(), name="customer-user-list"),
    path(f"{CUSTOMER}/users/<str:user_id>/licenses", UserLicenseListView.as_view(), name="customer-user-licenses"),
    path("offers", OfferListView.as_view(), name="offer-list"),
    path("opportunities", OpportunityListView.as_view(), name="opportunity-list"),
    path("offers/<str:offer_id>", OfferDetailView.as_view(), name="offer-detail"),
    path("auditrecords", AuditRecordListView.as_view(), name="auditrecord-list"),
    path("", include("delegation.api.urls")),  # delegatedAdminRelationships (issue 4)
    path("me/", include("direct.api.urls")),  # customer admins: the direct flow (issue 5)
    path("", include("bulk.api.urls")),  # upgradeBatches, upgradeEligibility (bulk extensions)
    path("", include("commerce.api.urls")),  # new commerce: transitionEligibilities (§8)
    path("", include("direct.api.e4_urls")),  # the partner's CSP E4 replacement (issue 14)
    path("", include("webhooks.api.urls")),  # webhooks (issue 15)
]

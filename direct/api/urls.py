"""/v1/me/ (included from partnercenter/api_urls.py), Partner Center style: no trailing slash."""

from django.urls import path

from . import seat_views, views

C = "customers/<str:tenant_id>"
S = C + "/subscriptions/<str:subscription_id>"
urlpatterns = [
    path("customers", views.MeCustomersView.as_view(), name="me-customers"),
    path(f"{C}/subscriptions", views.MeSubscriptionsView.as_view(), name="me-subscriptions"),
    path(f"{S}/upgradeOptions", views.MeUpgradeOptionsView.as_view(), name="me-upgrade-options"),
    path(f"{S}/cart", views.MeCartView.as_view(), name="me-cart"),
    path(f"{S}/orders", views.MeUpgradeOrderView.as_view(), name="me-upgrade-order"),
    path(f"{C}/orders", views.MePurchaseView.as_view(), name="me-purchase"),
    path(f"{C}/orders/<str:order_id>", views.MeOrderView.as_view(), name="me-order"),
    path(f"{S}/seatChanges", seat_views.MeSeatChangeView.as_view(), name="me-seat-changes"),
    path(f"{S}/payments", seat_views.MePaymentView.as_view(), name="me-payments"),
    path(f"{S}/cancel", seat_views.MeCancellationView.as_view(), name="me-cancel"),
    path(f"{C}/orders/<str:order_id>/invoice", seat_views.MeOrderInvoiceView.as_view(), name="me-order-invoice"),
    path(f"{C}/licenseMoves", views.MeLicenseMoveView.as_view(), name="me-license-moves"),
]

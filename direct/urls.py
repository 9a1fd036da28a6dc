from django.urls import path

from . import seat_views, views

app_name = "direct"
T = "<uuid:tenant_id>/"
S = T + "subscriptions/<uuid:subscription_id>/"
urlpatterns = [
    path("", views.tenant_list, name="home"),
    path(T, views.products, name="products"),
    path(T + "buy/", views.purchase, name="purchase"),
    path(T + "licenses/move/", views.licenses_move, name="licenses_move"),
    path(T + "orders/", views.orders, name="orders"),
    path(T + "orders/<uuid:order_id>/", views.order_status, name="order"),
    path(S, views.subscription_detail, name="subscription"),
    path(S + "upgrade/", views.upgrade_tab, name="upgrade"),
    path(S + "upgrade/<slug:target_offer_id>/", views.upgrade_cart, name="cart"),
    path(S + "upgrade/<slug:target_offer_id>/checkout/", views.upgrade_checkout, name="checkout"),
    path(S + "cancel/", seat_views.subscription_cancel, name="cancel"),
    path(S + "licenses/", seat_views.seats_change, name="seats"),
    path(S + "pay/", seat_views.balance_pay, name="pay"),
    path(T + "orders/<uuid:order_id>/invoice/", seat_views.order_invoice, name="invoice"),
]

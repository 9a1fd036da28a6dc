"""The customer's own pages, mounted at /admin-center/relationships/ (namespace ``delegation_customer``)."""

from django.urls import path

from . import views

app_name = "delegation_customer"
urlpatterns = [
    path("", views.customer_relationship_list, name="list"),
    path("<uuid:relationship_id>/", views.customer_relationship_detail, name="detail"),
    path("dap/<int:grant_id>/off/", views.customer_dap_off, name="dap_off"),
]

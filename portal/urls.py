from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/<uuid:tenant_id>/", views.CustomerDetailView.as_view(), name="customer_detail"),
]

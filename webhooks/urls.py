"""The partner's webhook settings, mounted at /partner/settings/webhooks/ (namespace ``webhooks``)."""

from django.urls import path

from . import views

app_name = "webhooks"
urlpatterns = [
    path("", views.webhook_settings, name="settings"),
    path("test/", views.webhook_test, name="test"),
    path("secret/", views.webhook_rotate, name="rotate"),
    path("delete/", views.webhook_delete, name="delete"),
    path("deliveries/<uuid:delivery_id>/resend/", views.webhook_resend, name="resend"),
]

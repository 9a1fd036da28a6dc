"""Included by ``partnercenter/api_urls.py`` under /v1/ (Partner Center's /webhooks/v1/registration paths)."""

from django.urls import path

from . import views

REGISTRATION = "webhooks/registration"

urlpatterns = [
    path(REGISTRATION, views.RegistrationView.as_view(), name="webhook-registration"),
    path(f"{REGISTRATION}/events", views.EventListView.as_view(), name="webhook-events"),
    path(f"{REGISTRATION}/secret", views.SecretView.as_view(), name="webhook-secret"),
    path(f"{REGISTRATION}/validationEvents", views.ValidationEventListView.as_view(), name="webhook-validation-events"),
    path(
        f"{REGISTRATION}/validationEvents/<str:batch_id>",
        views.ValidationEventDetailView.as_view(),
        name="webhook-validation-event",
    ),
    path(f"{REGISTRATION}/deliveries", views.DeliveryListView.as_view(), name="webhook-deliveries"),
    path(
        f"{REGISTRATION}/deliveries/<str:delivery_id>/redeliver",
        views.RedeliverView.as_view(),
        name="webhook-delivery-redeliver",
    ),
]

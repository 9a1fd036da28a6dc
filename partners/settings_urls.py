"""The partner's settings, mounted at /partner/settings/ (namespace ``partner_settings``)."""

from django.urls import path

from . import settings_views

app_name = "partner_settings"
urlpatterns = [
    path("approval/", settings_views.approval_settings, name="approval"),
]

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from accounts import language_views, mfa_views
from api.views.base import NotFoundView

api_not_found = NotFoundView.as_view()

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/setup/", mfa_views.mfa_setup, name="mfa_setup"),
    path("accounts/mfa/verify/", mfa_views.mfa_verify, name="mfa_verify"),
    path("i18n/setlang/", language_views.set_language, name="set_language"),
    path("v1/", include("partnercenter.api_urls")),
    re_path(r"^v1(/.*)?$", api_not_found),  # any other /v1/ URL: a JSON 404 ServiceFault
    path("admin-center/", include("direct.urls")),
    path("delegation/", include("delegation.urls")),
    path("admin-center/relationships/", include("delegation.customer_urls")),
    path("partner/users/", include("partners.urls")),
    path("partner/settings/webhooks/", include("webhooks.urls")),  # webhooks (issue 15)
    path("partner/settings/", include("partners.settings_urls")),
    path("notifications/", include("notifications.urls")),
    path("", include("portal.urls")),
    # Operations (issue 15): /healthz, /readyz, /metrics
    path("", include("ops.urls")),
]

# The portal's error pages (JSON ServiceFaults under /v1/): portal.error_views.
handler403 = "portal.error_views.permission_denied"
handler404 = "portal.error_views.page_not_found"
handler500 = "portal.error_views.server_error"

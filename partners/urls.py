"""Partner user management, mounted at /partner/users/ (namespace ``partners``)."""

from django.urls import path

from . import views

app_name = "partners"
urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("invite/", views.user_invite, name="user_invite"),
    path("<int:user_id>/", views.user_detail, name="user_detail"),
    path("<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("<int:user_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
    path("set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
]

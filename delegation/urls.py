"""Partner pages, mounted at /delegation/ (namespace ``delegation``)."""

from django.urls import path

from . import views

app_name = "delegation"
urlpatterns = [
    path("", views.relationship_list, name="list"),
    path("new/", views.relationship_create, name="create"),
    path("<uuid:relationship_id>/", views.relationship_detail, name="detail"),
    path("<uuid:relationship_id>/terminate/", views.relationship_terminate, name="terminate"),
    path("<uuid:relationship_id>/assignments/", views.assignment_create, name="assignment_create"),
    path(
        "<uuid:relationship_id>/assignments/<uuid:assignment_id>/delete/",
        views.assignment_delete,
        name="assignment_delete",
    ),
]

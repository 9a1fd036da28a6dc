"""Included by ``partnercenter/api_urls.py`` under /v1/ (Graph paths, no trailing slash, like Partner Center's)."""

from django.urls import path

from . import views

RELATIONSHIP = "delegatedAdminRelationships/<str:relationship_id>"

urlpatterns = [
    path("delegatedAdminRelationships", views.RelationshipListView.as_view(), name="delegatedadminrelationship-list"),
    path(RELATIONSHIP, views.RelationshipDetailView.as_view(), name="delegatedadminrelationship-detail"),
    path(
        f"{RELATIONSHIP}/requests", views.RelationshipRequestView.as_view(), name="delegatedadminrelationship-requests"
    ),
    path(f"{RELATIONSHIP}/accessAssignments", views.AccessAssignmentListView.as_view(), name="accessassignment-list"),
    path(
        f"{RELATIONSHIP}/accessAssignments/<str:assignment_id>",
        views.AccessAssignmentDetailView.as_view(),
        name="accessassignment-detail",
    ),
]

"""Included by ``partnercenter/api_urls.py`` under /v1/ (no trailing slash, like Partner Center's paths)."""

from django.urls import path

from . import views

BATCH = "upgradeBatches/<str:batch_id>"

urlpatterns = [
    path("upgradeBatches", views.UpgradeBatchListView.as_view(), name="upgradebatch-list"),
    path(BATCH, views.UpgradeBatchDetailView.as_view(), name="upgradebatch-detail"),
    path(f"{BATCH}/items", views.UpgradeBatchItemListView.as_view(), name="upgradebatch-items"),
    path(f"{BATCH}/cancel", views.UpgradeBatchCancelView.as_view(), name="upgradebatch-cancel"),
    path(f"{BATCH}/approve", views.UpgradeBatchApproveView.as_view(), name="upgradebatch-approve"),
    path(f"{BATCH}/reject", views.UpgradeBatchRejectView.as_view(), name="upgradebatch-reject"),
    path("upgradeEligibility", views.UpgradeEligibilityView.as_view(), name="upgrade-eligibility"),
]

from django.urls import path

from . import (
    approval_views,
    batch_views,
    e4_replacement_views,
    opportunity_views,
    renewal_views,
    subscription_views,
    transition_views,
    upgrade_views,
    views,
)

app_name = "portal"
wizard = "customers/<uuid:tenant_id>/subscriptions/<uuid:subscription_id>/upgrade/"
e4_flow = "customers/<uuid:tenant_id>/subscriptions/<uuid:subscription_id>/e4-replacement/"
nce_wizard = wizard + "nce/"  # new commerce: a transition now or a change at renewal (domain.md §8)
urlpatterns = [
    path("", views.home, name="home"),
    path("customers/", views.CustomerListView.as_view(), name="customer_list"),
    path("customers/<uuid:tenant_id>/", views.CustomerDetailView.as_view(), name="customer_detail"),
    path(
        "customers/<uuid:tenant_id>/subscriptions/<uuid:subscription_id>/",
        subscription_views.subscription_detail,
        name="subscription_detail",
    ),
    path(wizard, upgrade_views.upgrade_targets, name="upgrade_targets"),
    path(wizard + "details/", upgrade_views.upgrade_details, name="upgrade_details"),
    path(wizard + "review/", upgrade_views.upgrade_review, name="upgrade_review"),
    path(e4_flow, e4_replacement_views.e4_replacement, name="e4_replacement"),
    path(e4_flow + "review/", e4_replacement_views.e4_replacement_review, name="e4_replacement_review"),
    path(e4_flow + "done/", e4_replacement_views.e4_replacement_result, name="e4_replacement_result"),
    path(nce_wizard, transition_views.transition_targets, name="transition_targets"),
    path(nce_wizard + "details/", transition_views.transition_details, name="transition_details"),
    path(nce_wizard + "review/", transition_views.transition_review, name="transition_review"),
    path(nce_wizard + "scheduled/", transition_views.transition_scheduled, name="transition_scheduled"),
    path("transitions/<uuid:transition_id>/", transition_views.transition_result, name="transition_result"),
    path("upgrades/", upgrade_views.UpgradeListView.as_view(), name="upgrade_list"),
    path("opportunities/", opportunity_views.opportunities, name="opportunities"),
    path("opportunities/export.csv", opportunity_views.opportunities_export, name="opportunities_export"),
    path("opportunities/summary.json", opportunity_views.opportunities_summary, name="opportunities_summary"),
    path("renewals/", renewal_views.renewals, name="renewals"),
    path("renewals/export.csv", renewal_views.renewals_export, name="renewals_export"),
    path("renewals/schedule/", renewal_views.renewals_schedule, name="renewals_schedule"),
    path("batches/", batch_views.batch_list, name="batch_list"),
    path("batches/selection/", batch_views.batch_selection, name="batch_selection"),
    path("batches/upload/", batch_views.batch_upload, name="batch_upload"),
    path("batches/<uuid:batch_id>/", batch_views.batch_detail, name="batch_detail"),
    path("batches/<uuid:batch_id>/progress/", batch_views.batch_progress, name="batch_progress"),
    path("batches/<uuid:batch_id>/cancel/", batch_views.batch_cancel, name="batch_cancel"),
    path("batches/<uuid:batch_id>/retry/", batch_views.batch_retry, name="batch_retry"),
    path("batches/<uuid:batch_id>/submit/", batch_views.batch_submit, name="batch_submit"),
    path("batches/<uuid:batch_id>/results.csv", batch_views.batch_results_csv, name="batch_results_csv"),
    path("upgrades/<uuid:operation_id>/", upgrade_views.upgrade_result, name="upgrade_result"),
    # four-eyes approval (domain.md §9)
    path("approvals/", approval_views.approvals, name="approvals"),
    path("batches/<uuid:batch_id>/approve/", approval_views.batch_approve, name="batch_approve"),
    path("batches/<uuid:batch_id>/reject/", approval_views.batch_reject, name="batch_reject"),
    path("upgrades/<uuid:operation_id>/approve/", approval_views.upgrade_approve, name="upgrade_approve"),
    path("upgrades/<uuid:operation_id>/reject/", approval_views.upgrade_reject, name="upgrade_reject"),
]

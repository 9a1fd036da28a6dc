"""A direct order with a credit check leaves history rows matching its moves (order, credit check, operation)."""

from django.urls import reverse

from core.models import WorkflowTransition
from core.workflow import history
from tests import factories
from tests.builders import assign

from .test_credit_check import place_invoice_order


def rows(obj, field="status"):
    return list(history(obj, field).values_list("from_status", "to_status", "actor_username"))


def test_approved_order_history(admin, customer, e4, client, django_capture_on_commit_callbacks):
    assign(e4, 2)
    order = place_invoice_order(admin, customer, e4)
    operator = factories.UserFactory(username="operator", is_staff=True, is_superuser=True)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("admin:direct_directorder_changelist"),
            {"action": "approve_credit_check", "_selected_action": [order.pk]},
        )
    order.refresh_from_db()
    assert order.status == "completed"
    assert rows(order) == [
        ("", "awaiting_credit_check", admin.username),
        ("awaiting_credit_check", "queued", "operator"),
        ("queued", "completed", admin.username),
    ]
    assert rows(order, "credit_check") == [("", "pending", admin.username), ("pending", "approved", "operator")]
    assert [r[:2] for r in rows(order.operation)] == [
        ("", "pending"),
        ("pending", "awaiting_credit_check"),
        ("awaiting_credit_check", "in_progress"),
        ("in_progress", "succeeded"),
    ]
    page = client.get(reverse("admin:direct_directorder_change", args=[order.pk]))
    assert page.status_code == 200 and b"Approved by an operator." in page.content


def test_declined_at_the_deadline_history(admin, customer, e4):
    from datetime import timedelta

    from direct import services

    order = place_invoice_order(admin, customer, e4)
    services.credit_check_deadlines_process(now=order.credit_check_deadline + timedelta(minutes=1))
    order.refresh_from_db()
    assert order.status == "declined"
    assert rows(order)[-1] == ("awaiting_credit_check", "declined", "")
    assert rows(order, "credit_check")[-1] == ("pending", "declined", "")
    assert rows(order.operation)[-1][:2] == ("awaiting_credit_check", "declined")
    assert WorkflowTransition.objects.filter(object_id=str(order.pk), workflow="direct_order").count() == 2

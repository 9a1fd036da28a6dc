"""The scoping registry (``core.scoping``): one scope per model, one operator bypass, and the guardrails that fail
the suite when a model holding customer data is not registered or is read outside the registry."""

from __future__ import annotations

import ast
import uuid
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser

from accounts.principals import ApplicationPrincipal
from audit.models import AuditRecord
from catalog.models import Offer
from core import scoping
from core.errors import NotFound
from customers.models import Customer
from notifications.models import Notification
from subscriptions.models import Subscription
from tests import factories

ROOT = Path(__file__).resolve().parents[2]


def customer_of(partner, **kwargs):
    customer = factories.CustomerFactory(**kwargs)
    factories.RelationshipFactory(partner=partner, customer=customer)
    return customer


@pytest.fixture
def world(db, partner, other_partner, sales_agent):
    mine = customer_of(partner, company_name="Fabrikam")
    theirs = customer_of(other_partner, company_name="Northwind")
    return {
        "mine": mine,
        "theirs": theirs,
        "unrelated": factories.CustomerFactory(company_name="Adatum"),
        "operator": factories.UserFactory(username="op", is_superuser=True, is_staff=True),
        "agent": sales_agent,
    }


# -- visible_to / get_visible ---------------------------------------------------------------------------------
def test_a_partner_user_sees_only_their_partners_customers(world):
    assert list(scoping.visible_to(Customer, world["agent"])) == [world["mine"]]


def test_the_operator_bypass_sees_every_row(world):
    expected = {world["mine"].pk, world["theirs"].pk, world["unrelated"].pk}
    assert set(scoping.visible_to(Customer, world["operator"]).values_list("pk", flat=True)) == expected


def test_an_application_sees_its_partners_customers_and_is_never_an_operator(world, partner):
    app = ApplicationPrincipal(partner=partner, application_id=uuid.uuid4())
    assert list(scoping.visible_to(Customer, app)) == [world["mine"]]
    assert scoping.is_operator(app) is False


def test_nobody_signed_out_or_inactive_sees_anything(world):
    assert not scoping.visible_to(Customer, AnonymousUser()).exists()
    assert not scoping.visible_to(Customer, None).exists()
    world["operator"].is_active = False
    assert not scoping.visible_to(Customer, world["operator"]).exists()
    assert scoping.is_operator(world["operator"]) is False


def test_a_queryset_is_narrowed_and_keeps_its_own_filters(world, partner):
    mine_too = customer_of(partner, company_name="Contoso Pharma")
    queryset = Customer.objects.filter(company_name__startswith="Contoso").order_by("company_name")
    assert list(scoping.visible_to(queryset, world["agent"])) == [mine_too]
    assert list(scoping.visible_to(Customer.objects.filter(pk=world["theirs"].pk), world["agent"])) == []


def test_get_visible_answers_not_found_for_another_partners_row_and_for_no_row(world):
    assert scoping.get_visible(Customer, world["agent"], tenant_id=world["mine"].tenant_id) == world["mine"]
    for tenant_id in (world["theirs"].tenant_id, uuid.uuid4()):
        with pytest.raises(NotFound) as caught:
            scoping.get_visible(Customer, world["agent"], tenant_id=tenant_id)
        assert caught.value.http_status == 404 and caught.value.message == "Customer was not found."


def test_a_purpose_scope_gets_the_same_operator_bypass(world):
    assert scoping.visible_to(Customer, world["operator"], purpose="manage_customer").count() == 3
    # the partner's users group holds view_customer only: no delegated admin, nothing to manage
    assert not scoping.visible_to(Customer, world["agent"], purpose="manage_customer").exists()


def test_an_operator_view_replaces_every_row_where_that_would_be_wrong(world, partner):
    own = Notification.objects.create(user=world["operator"], message="mine")
    Notification.objects.create(partner=partner, message="the partner's")
    assert list(scoping.visible_to(Notification, world["operator"])) == [own]
    assert scoping.visible_to(Notification, world["agent"]).count() == 1


def test_an_unregistered_model_is_a_programming_error_not_an_empty_answer(world):
    with pytest.raises(scoping.NotRegistered):
        scoping.visible_to(Offer, world["agent"])


def test_one_scope_per_model_and_purpose():
    scope = scoping.scope_of(Customer)
    scoping.register(Customer, scope.fn)  # the same function again: allowed (idempotent ready())
    with pytest.raises(ValueError, match="already has a 'view' scope"):
        scoping.register(Customer, lambda actor: Customer.objects.none())
    assert scoping.scope_of(Customer).fn is scope.fn


def test_a_scope_that_returns_another_models_rows_is_refused(world):
    scoping.register(Offer, lambda actor: Customer.objects.all(), purpose="test-wrong-model")
    try:
        with pytest.raises(TypeError, match="returned customers.Customer rows"):
            scoping.visible_to(Offer, world["agent"], purpose="test-wrong-model")
    finally:
        scoping.unregister(Offer, purpose="test-wrong-model")


def test_subscriptions_and_audit_records_read_through_the_registry(world, partner, other_partner):
    sold = factories.SubscriptionFactory(customer=world["mine"], partner=partner)
    factories.SubscriptionFactory(customer=world["theirs"], partner=other_partner)
    assert list(scoping.visible_to(Subscription, world["agent"])) == [sold]
    AuditRecord.objects.create(partner=other_partner, operation_type="x", resource_type="y")
    own = AuditRecord.objects.create(partner=partner, operation_type="x", resource_type="y")
    assert list(scoping.visible_to(AuditRecord, world["agent"])) == [own]
    assert scoping.visible_to(AuditRecord, world["operator"]).count() == 2


# -- guardrail 1: every model that holds customer or partner data has a scope -----------------------------------
CUSTOMER_DATA_TARGETS = {"customers.Customer", "partners.Partner"}

# Models with a customer or partner foreign key that are NOT read through the registry, and why.
NOT_SCOPED = {
    # guardian's permission rows ARE the scoping mechanism (customers.selectors reads them to build the scopes)
    "customers.CustomerUserObjectPermission",
    "customers.CustomerGroupObjectPermission",
}


def models_holding_customer_data():
    """Customer and Partner themselves, and every model with a foreign key (or one-to-one) to one of them."""
    found = set()
    for model in apps.get_models():
        label = model._meta.label
        if label in CUSTOMER_DATA_TARGETS:
            found.add(model)
            continue
        for field in model._meta.get_fields():
            related = getattr(field, "related_model", None)
            if (
                field.concrete
                and (field.many_to_one or field.one_to_one)
                and related is not None
                and related._meta.label in CUSTOMER_DATA_TARGETS
            ):
                found.add(model)
    return found


def unscoped(models, *, allowed=frozenset(NOT_SCOPED)):
    return sorted(m._meta.label for m in models if not scoping.is_registered(m) and m._meta.label not in allowed)


def test_every_model_holding_customer_data_is_registered():
    models = models_holding_customer_data()
    assert {"subscriptions.Subscription", "delegation.GdapRelationship", "audit.AuditRecord"} <= {
        m._meta.label for m in models
    }
    assert unscoped(models) == [], "register a scope (core.scoping.register) in the app's selectors"


def test_the_registration_check_fails_on_a_model_without_a_scope():
    scope = scoping.scope_of(Subscription)
    scoping.unregister(Subscription)
    try:
        assert unscoped(models_holding_customer_data()) == ["subscriptions.Subscription"]
    finally:
        scoping.register(Subscription, scope.fn, operator=scope.operator)


# -- guardrail 2: adapters never read a registered model's manager directly ------------------------------------
ADAPTER_FILES = ("views.py", "upgrade_views.py", "mfa_views.py", "error_views.py", "admin.py", "tasks.py", "forms.py")
SKIPPED_TOP = {"tests", "bench", "scripts", "static", "templates", ".venv"}

# "path: Model" reads of a registered model's manager in an adapter, each inside a scope reached another way.
ALLOWED_DIRECT_READS = {
    # the user form's group choices: limited to the partner of the user being edited, whose row the admin's own
    # scoped queryset already resolved (an operator edits any partner's user)
    "accounts/admin.py: SecurityGroup",
    # re-reads the user the admin's scoped get_object just returned (for the audit record after a save)
    "accounts/admin.py: User",
    # operator CLI commands (no actor: run by whoever runs manage.py)
    "accounts/management/commands/createapitoken.py: Partner",
    "accounts/management/commands/createapitoken.py: User",
    "portal/management/commands/seed_demo.py: User",
    # a group of the partner of a relationship that self.relationship() resolved through the registry
    "delegation/api/views.py: SecurityGroup",
    # form choices: the groups of the partner of an already scoped relationship / of the acting partner
    "delegation/forms.py: SecurityGroup",
    "partners/forms.py: SecurityGroup",
}


def is_adapter(relative: Path) -> bool:
    parts = relative.parts
    if relative.name == "selectors.py":  # <app>/api/selectors.py is the API's selector layer, not an adapter
        return False
    return (
        relative.name in ADAPTER_FILES or "api" in parts[1:-1] or "views" in parts[1:-1] or "management" in parts[1:-1]
    )


def direct_reads(source: str, model_names: set[str]) -> list[tuple[int, str]]:
    """``(line, Model)`` of every ``Model.objects`` / ``Model._default_manager`` in ``source`` where ``Model`` is a
    registered model (``Model.objects.none()``, which reads nothing, is fine)."""
    tree = ast.parse(source)
    empty = {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "none"
    }
    return [
        (node.lineno, node.value.id)
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in ("objects", "_default_manager")
        and isinstance(node.value, ast.Name)
        and node.value.id in model_names
        and id(node) not in empty
    ]


def registered_names() -> set[str]:
    return {model.__name__ for model in scoping.registered_models()}


def adapter_violations() -> list[str]:
    names = registered_names()
    found = []
    for path in sorted(ROOT.glob("*/**/*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in SKIPPED_TOP or "migrations" in relative.parts or not is_adapter(relative):
            continue
        for line, model in direct_reads(path.read_text(), names):
            if f"{relative.as_posix()}: {model}" not in ALLOWED_DIRECT_READS:
                found.append(f"{relative.as_posix()}:{line}: {model}")
    return found


def test_no_adapter_reads_a_registered_model_outside_the_registry():
    assert adapter_violations() == [], "read through core.scoping.visible_to / the app's *_visible_to selectors"


def test_the_scan_fails_on_a_planted_violation():
    planted = (
        "from customers.models import Customer\n"
        "def customer_list(request):\n"
        "    nothing = Customer.objects.none()\n"
        "    return Customer.objects.filter(company_name__startswith=request.GET['q'])\n"
        "def offers(request):\n"
        "    return Offer.objects.all()  # the catalog is not customer data\n"
    )
    assert direct_reads(planted, registered_names()) == [(4, "Customer")]
    assert direct_reads("x = Subscription._default_manager.get(pk=1)\n", registered_names()) == [(1, "Subscription")]


def test_the_allow_list_names_only_reads_that_exist():
    """A stale entry would let a new read slip in under an old excuse."""
    names = registered_names()
    present = set()
    for entry in ALLOWED_DIRECT_READS:
        path, model = entry.split(": ")
        if any(found == model for _line, found in direct_reads((ROOT / path).read_text(), names)):
            present.add(entry)
    assert present == ALLOWED_DIRECT_READS

"""factory_boy factories shared by every test module."""

import uuid
from datetime import date, timedelta

import factory
from django.utils import timezone

from accounts.models import User
from customers.models import Customer, CustomerAdminRole, ResellerRelationship, TenantUser
from delegation.models import DapGrant, GdapAccessAssignment, GdapRelationship, GdapStatus
from partners.models import Partner, PartnerRoleAssignment, SecurityGroup
from subscriptions.models import Channel, LicenseAssignment, Subscription


class PartnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partner
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"partner-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").title())
    mpn_id = factory.Sequence(lambda n: str(1000000 + n))
    tenant_id = factory.LazyFunction(uuid.uuid4)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        for role in extracted or []:
            PartnerRoleAssignment.objects.create(user=self, role=role)
        if create:
            self.save()


class PartnerUserFactory(UserFactory):
    partner = factory.SubFactory(PartnerFactory)

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        # A plain ``roles = [...]`` default would replace the post-generation hook (no roles saved, and
        # ``roles=`` passed to the model): keep the hook and default to sales_agent.
        UserFactory.roles.function(self, create, ["sales_agent"] if extracted is None else extracted, **kwargs)


class SecurityGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SecurityGroup
        django_get_or_create = ("partner", "name")

    partner = factory.SubFactory(PartnerFactory)
    name = factory.Sequence(lambda n: f"Group {n}")


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    tenant_id = factory.LazyFunction(uuid.uuid4)
    company_name = factory.Sequence(lambda n: f"Customer {n:04d}")
    domain = factory.Sequence(lambda n: f"customer{n:04d}.onmicrosoft.com")
    country = "US"
    segment = "commercial"


class RelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ResellerRelationship

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    relationship = "reseller"


class DapGrantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DapGrant

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    enabled = True


class GdapRelationshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GdapRelationship

    partner = factory.SubFactory(PartnerFactory)
    customer = factory.SubFactory(CustomerFactory)
    display_name = factory.Sequence(lambda n: f"GDAP {n}")
    status = GdapStatus.ACTIVE
    unified_roles = ["Directory Readers", "Directory Writers", "License Administrator"]
    activated_date_time = factory.LazyFunction(lambda: timezone.now() - timedelta(days=10))
    end_date_time = factory.LazyAttribute(
        lambda o: o.activated_date_time + o.duration if o.activated_date_time else None
    )
    duration = timedelta(days=730)


class AccessAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GdapAccessAssignment

    relationship = factory.SubFactory(GdapRelationshipFactory)
    group = factory.SubFactory(SecurityGroupFactory, partner=factory.SelfAttribute("..relationship.partner"))
    unified_roles = ["Directory Writers"]
    status = "active"


class CustomerAdminRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CustomerAdminRole

    user = factory.SubFactory(UserFactory)
    customer = factory.SubFactory(CustomerFactory)
    role = "global_administrator"


class TenantUserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TenantUser

    customer = factory.SubFactory(CustomerFactory)
    object_id = factory.LazyFunction(uuid.uuid4)
    user_principal_name = factory.Sequence(lambda n: f"user{n}@tenant.onmicrosoft.com")
    display_name = factory.Sequence(lambda n: f"User {n}")


class SubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subscription

    customer = factory.SubFactory(CustomerFactory)
    offer_id = "m365-business-basic"
    quantity = 10
    status = "active"
    provisioning_state = "provisioned"
    channel = Channel.CSP
    partner = factory.SubFactory(PartnerFactory)
    channel_partner_name = factory.LazyAttribute(lambda o: o.partner.code if o.partner else "")
    billing_cycle = "monthly"
    term_start_date = factory.LazyFunction(lambda: date.today().replace(day=1))
    commitment_end_date = factory.LazyAttribute(lambda o: o.term_start_date + timedelta(days=364))


class LicenseAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LicenseAssignment

    subscription = factory.SubFactory(SubscriptionFactory)
    user = factory.SubFactory(TenantUserFactory, customer=factory.SelfAttribute("..subscription.customer"))

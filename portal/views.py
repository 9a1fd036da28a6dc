"""The partner web portal: home, the customer list and a customer's page (thin views over selectors).

The upgrade wizard, result and list pages are in ``portal.upgrade_views``."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from customers.models import Customer
from customers.selectors import acting_partner_id, customer_for
from subscriptions.selectors import subscription_list_for_customer
from upgrades.preview import upgrade_states_for

from .access import PartnerPageMixin
from .forms import CustomerSearchForm
from .navigation import start_page_for
from .selectors import customer_delegation_for, customer_page_rows, customer_rows_for, partner_relationship_for


@login_required
def home(request):
    """Sign-in lands here: each user goes to their own start page (``portal.navigation.start_page_for``);
    a user without any role is told to ask for one."""
    start = start_page_for(request.user)
    if start is not None:
        return redirect(start.url)
    return render(request, "portal/home.html")


class CustomerListView(PartnerPageMixin, ListView):
    template_name = "portal/customer_list.html"
    context_object_name = "customers"
    paginate_by = 50

    def get_queryset(self):
        self.form = CustomerSearchForm(self.request.GET or None)
        return customer_rows_for(self.request.user, search=self.form.search_term() if self.form.is_bound else "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["customers"] = customer_page_rows(self.request.user, context["page_obj"].object_list)
        context["form"] = self.form
        context["search"] = self.form.search_term() if self.form.is_bound else ""
        context["is_partner_user"] = acting_partner_id(self.request.user) is not None
        return context


class CustomerDetailView(PartnerPageMixin, DetailView):
    template_name = "portal/customer_detail.html"
    context_object_name = "customer"

    def get_object(self, queryset=None):
        try:
            return customer_for(self.request.user, tenant_id=self.kwargs["tenant_id"])
        except Customer.DoesNotExist:
            raise Http404(_("No customer with this tenant id is visible to you.")) from None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, customer = self.request.user, self.object
        subscriptions = list(subscription_list_for_customer(user, customer))
        # Upgrade icons: the states of every row in a fixed number of queries (none per row).
        states = upgrade_states_for(actor=user, subscriptions=subscriptions)
        for subscription in subscriptions:
            subscription.upgrade_state = states.get(subscription.pk)
        context.update(
            subscriptions=subscriptions,
            relationship=partner_relationship_for(user, customer),
            delegation=customer_delegation_for(user, customer),
            is_partner_user=acting_partner_id(user) is not None,
        )
        return context

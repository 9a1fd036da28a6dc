"""The partner web portal: home, the customer list and a customer's page (thin views over selectors).

The upgrade wizard, result and list pages are in ``portal.upgrade_views``."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from customers.models import Customer
from customers.selectors import acting_partner_id, customer_for
from partners.roles import Capability, can
from subscriptions.models import SubscriptionStatus
from subscriptions.selectors import subscription_list_for_customer
from upgrades.models import OperationStatus
from upgrades.preview import upgrade_states_for

from .access import PartnerPageMixin
from .charts import Bar, Chart
from .forms import CustomerSearchForm
from .home_selectors import RECENT_DAYS, dashboard_for
from .navigation import start_page_for, uses_partner_pages
from .selectors import customer_delegation_for, customer_page_rows, customer_rows_for, partner_relationship_for


def _upgrades_url(status: str) -> str:
    """The upgrades list filtered by one operation status (the list reads ``?status=``)."""
    return f"{reverse('portal:upgrade_list')}?{urlencode({'status': status})}"


def _dashboard_context(user) -> dict:
    """The dashboard's figures and its two charts (the opportunity figure is loaded by ``summary.js``)."""
    dashboard = dashboard_for(user)
    subscription_labels = dict(SubscriptionStatus.choices)
    operation_labels = dict(OperationStatus.choices)
    customers_url = reverse("portal:customer_list")
    subscriptions_chart = Chart(
        key="subscriptions-by-status",
        title=_("Subscriptions by status"),
        value_label=_("Subscriptions"),
        bars=tuple(
            Bar(str(subscription_labels[status]), count, number_format(count), customers_url)
            for status, count in dashboard.subscriptions_by_status.items()
        ),
    )
    upgrades_chart = Chart(
        key="upgrades-recent",
        title=_("Upgrades of the last %(days)d days by outcome") % {"days": RECENT_DAYS},
        value_label=_("Upgrades"),
        bars=tuple(
            Bar(str(operation_labels[status]), count, number_format(count), _upgrades_url(status))
            for status, count in dashboard.upgrades_recent_by_outcome.items()
        ),
    )
    upgrades_open = [
        {"label": operation_labels[status], "count": count, "url": _upgrades_url(status)}
        for status, count in dashboard.upgrades_open_by_status.items()
    ]
    subscriptions_by_status = [
        {"label": subscription_labels[status], "count": count, "status": status}
        for status, count in dashboard.subscriptions_by_status.items()
    ]
    return {
        "dashboard": dashboard,
        "recent_days": RECENT_DAYS,
        "subscriptions_chart": subscriptions_chart,
        "upgrades_chart": upgrades_chart,
        "upgrades_open": upgrades_open,
        "subscriptions_by_status": subscriptions_by_status,
        # The whole book's figure is fetched after the page (portal:opportunities_summary, static/js/summary.js):
        # the home page evaluates no book. A view may still pass a ``BookSummary`` here.
        "book_summary": None,
        "can_see_opportunities": can(user, Capability.UPGRADE),
        "can_see_delegation": can(user, Capability.REQUEST_DELEGATED_ADMIN),
    }


@login_required
def home(request):
    """Sign-in lands here: partner users and operators see their dashboard; every other user goes to their own
    start page (``portal.navigation.start_page_for``); a user without any role is told to ask for one."""
    if uses_partner_pages(request.user):
        return render(request, "portal/dashboard.html", _dashboard_context(request.user))
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

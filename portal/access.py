"""Who may open the partner pages (customers, upgrades): partner users of any role and operators.

Anybody else (a customer admin, a user without a role) gets the 403 page, which points to their own start page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from customers.models import Customer
from customers.selectors import customer_for
from partners.roles import Capability, require
from subscriptions.models import Subscription

from .navigation import uses_partner_pages
from .selectors import upgradable_subscription_for


def require_partner_pages(user) -> None:
    if not uses_partner_pages(user):
        raise PermissionDenied(
            _("These pages are for the users of a CSP partner. Your account does not work for a partner.")
        )


def partner_page(view):
    """Function views: signed in (else the sign-in page), then a partner user or operator (else 403)."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        require_partner_pages(request.user)
        return view(request, *args, **kwargs)

    return wrapper


class PartnerPageMixin(LoginRequiredMixin):
    """Class-based views: the same rule as ``partner_page``."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_partner_pages(request.user)
        return super().dispatch(request, *args, **kwargs)


def upgrade_source_for(request, tenant_id, subscription_id) -> tuple[Customer, Subscription]:
    """The customer and the subscription a wizard upgrades: 404 outside the actor's scope, 403 when its role
    cannot upgrade (checked after the customer, before the subscription)."""
    try:
        customer = customer_for(request.user, tenant_id=tenant_id)
    except Customer.DoesNotExist:
        raise Http404(_("No customer with this tenant id is visible to you.")) from None
    require(request.user, Capability.UPGRADE)
    try:
        return customer, upgradable_subscription_for(request.user, customer, subscription_id=subscription_id)
    except Subscription.DoesNotExist:
        raise Http404(_("No subscription with this id is visible to you.")) from None

"""Who may open the partner pages (customers, upgrades): partner users of any role and operators.

Anybody else (a customer admin, a user without a role) gets the 403 page, which points to their own start page.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .navigation import uses_partner_pages


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

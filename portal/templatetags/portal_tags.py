"""Small presentation helpers for the portal templates."""
from django import template

register = template.Library()

# Status value → badge style (see static/css/portal.css: .badge--<style>).
BADGE_STYLES = {
    "active": "success", "provisioned": "success", "succeeded": "success", "reseller": "info",
    "pending": "info", "provisioning": "info", "approvalPending": "info", "created": "info", "advisor": "info",
    "progressing": "info", "expiring": "warning", "suspended": "warning", "terminationRequested": "warning",
    "terminating": "warning", "expired": "neutral", "disabled": "neutral", "deleted": "neutral",
    "terminated": "neutral", "none": "neutral", "failed": "danger", "declined": "danger", "error": "danger",
}


@register.filter
def badge_style(value) -> str:
    """The badge modifier for a status value (``neutral`` when unknown)."""
    return BADGE_STYLES.get(str(value), "neutral")


@register.simple_tag(takes_context=True)
def page_url(context, page_number) -> str:
    """The current URL's query string with ``page`` replaced (keeps the search)."""
    params = context["request"].GET.copy()
    params["page"] = page_number
    return "?" + params.urlencode()


@register.simple_tag(takes_context=True)
def is_customer_admin(context) -> bool:
    """Whether the signed-in user holds a customer tenant admin role (one query, cached per request)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if not hasattr(request, "_portal_is_customer_admin"):
        request._portal_is_customer_admin = user.customer_admin_roles.exists()
    return request._portal_is_customer_admin

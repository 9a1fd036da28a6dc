"""Small presentation helpers for the portal templates."""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

from upgrades.eligibility.types import UpgradeErrorCode

register = template.Library()

# Status value → badge style (see static/css/portal.css: .badge--<style>).
BADGE_STYLES = {
    "active": "success",
    "provisioned": "success",
    "succeeded": "success",
    "reseller": "info",
    "pending": "info",
    "provisioning": "info",
    "approvalPending": "info",
    "created": "info",
    "advisor": "info",
    "progressing": "info",
    "expiring": "warning",
    "suspended": "warning",
    "terminationRequested": "warning",
    "terminating": "warning",
    "expired": "neutral",
    "disabled": "neutral",
    "deleted": "neutral",
    "terminated": "neutral",
    "none": "neutral",
    "failed": "danger",
    "declined": "danger",
    "error": "danger",
    "in_progress": "info",
    "awaiting_credit_check": "warning",
    "awaiting_approval": "warning",
    "rejected": "danger",
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


@register.filter
def money(amount, currency="") -> str:
    """``1234.5`` → ``1,234.50 USD`` in English, ``1 234,50 USD`` in Swedish (the active language's separators,
    ``partnercenter/formats``; the ISO currency code as Partner Center's price lists write it; a minus sign for
    credits); empty for None."""
    if amount in (None, ""):
        return ""
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return str(amount)
    sign = "−" if value < 0 else ""
    figure = number_format(abs(value), 2, use_l10n=True, force_grouping=True)
    return f"{sign}{figure} {currency}".strip()


@register.filter
def error_label(code) -> str:
    """An upgrade error code (number or ``UpgradeErrorCode``) → ``3 · conflicting_service_types``; a code that
    names itself (transition and merge-target codes) keeps its own name."""
    if hasattr(code, "error_name"):
        return f"{int(code)} · {code.error_name}"
    try:
        code = UpgradeErrorCode(int(code))
    except (TypeError, ValueError):
        return str(code)
    return f"{int(code)} · {code.error_name}"


@register.filter
def get_item(mapping, key):
    """``mapping[key]`` in a template (None when missing)."""
    try:
        return mapping.get(key)
    except AttributeError:
        return None


@register.filter
def labels(codes, names) -> str:
    """``["office_apps", "sharepoint"]`` + ``{code: name}`` → ``"Office apps, SharePoint"`` (unknown codes as is)."""
    names = names or {}
    return ", ".join(str(names.get(code, code)) for code in codes or ())

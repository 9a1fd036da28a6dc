"""``{% approval_state job as state %}``: what the approval panel of a batch or an upgrade shows to the signed-in
user (``portal.approval_selectors.approval_state``: who asked, size, exceeded measures, may they decide)."""

from django import template

from portal.approval_selectors import approval_state as state_of

register = template.Library()


@register.simple_tag(takes_context=True)
def approval_state(context, job):
    request = context.get("request")
    return state_of(getattr(request, "user", None), job)

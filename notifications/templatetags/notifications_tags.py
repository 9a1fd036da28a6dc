"""``{% load notifications_tags %}{% notification_bell %}``: the bell with the unread count (one query)."""

from django import template

from notifications.services import notifications_for

register = template.Library()


@register.inclusion_tag("notifications/bell.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    count = notifications_for(user).filter(read=False).count() if user is not None else 0
    return {"unread_count": count}

"""Showing a workflow object's status history (admin change pages): one query per object."""

from __future__ import annotations

from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from .workflow import history


def history_html(obj, field: str = "status"):
    """The history rows as a small HTML table (who, when, from, to, why, correlation id)."""
    if obj is None or obj.pk is None:
        return "—"
    rows = list(history(obj, field))
    if not rows:
        return _("No status change recorded.")
    body = format_html_join(
        "",
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
        (
            (
                date_format(row.at, "DATETIME_FORMAT"),
                row.from_label or "—",
                row.to_label,
                row.actor_display,
                row.reason,
                row.correlation_id,
            )
            for row in rows
        ),
    )
    head = format_html(
        "<tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
        _("Time"),
        _("From"),
        _("To"),
        _("Who"),
        _("Why"),
        _("Correlation id"),
    )
    return format_html("<table><thead>{}</thead><tbody>{}</tbody></table>", head, body)

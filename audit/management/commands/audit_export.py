"""``manage.py audit_export``: export audit records older than a cutoff to JSON Lines or CSV, then (``--delete``)
delete exactly the exported ones (``audit.retention``).

Cutoff: ``--before YYYY-MM-DD`` (midnight UTC), ``--older-than-days N``, or neither: ``AUDIT_RETENTION_DAYS``.
``--output`` must name a new file (an existing one is never overwritten); ``--delete`` without it is refused.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.retention import FORMATS, audit_records_export, retention_cutoff


def parse_day(value: str) -> dt.datetime:
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--before: expected a date YYYY-MM-DD, got %(value)r.") % {"value": value}) from None
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


class Command(BaseCommand):
    help = _("Export audit records older than a cutoff (JSON Lines or CSV) and, with --delete, delete them.")

    def add_arguments(self, parser):
        cutoff = parser.add_mutually_exclusive_group()
        cutoff.add_argument("--before", help=_("Export records dated before this day (YYYY-MM-DD, UTC)."))
        cutoff.add_argument("--older-than-days", type=int, help=_("Export records older than this many days."))
        parser.add_argument("--format", choices=FORMATS, default="jsonl", help=_("jsonl (default) or csv."))
        parser.add_argument("--output", help=_("The export file to create (it must not exist); default: stdout."))
        parser.add_argument("--delete", action="store_true", help=_("Delete the exported records (needs --output)."))

    def cutoff(self, options) -> dt.datetime:
        if options["before"]:
            return parse_day(options["before"])
        if options["older_than_days"] is not None:
            if options["older_than_days"] < 0:
                raise CommandError(_("--older-than-days must be 0 or more."))
            return timezone.now() - dt.timedelta(days=options["older_than_days"])
        cutoff = retention_cutoff()
        if cutoff is None:
            raise CommandError(_("Give --before or --older-than-days (AUDIT_RETENTION_DAYS is not set)."))
        return cutoff

    def handle(self, *args, **options):
        cutoff = self.cutoff(options)
        output = options["output"]
        if options["delete"] and not output:
            raise CommandError(_("--delete needs --output: records are deleted only once they are in an export file."))
        if not output:
            run = audit_records_export(cutoff=cutoff, stream=self.stdout, fmt=options["format"], delete=False)
        else:
            try:
                with open(output, "x", encoding="utf-8", newline="") as stream:
                    run = audit_records_export(
                        cutoff=cutoff,
                        stream=stream,
                        fmt=options["format"],
                        delete=options["delete"],
                        export_name=output,
                    )
            except FileExistsError:
                raise CommandError(_("--output: %(file)s exists; give a new file name.") % {"file": output}) from None
        self.stderr.write(
            _("Audit records before %(cutoff)s: %(exported)d exported, %(deleted)d deleted.")
            % {"cutoff": run.cutoff.isoformat(), "exported": run.exported, "deleted": run.deleted}
        )

"""``manage.py import_tenants FILE.json`` (or ``-`` for stdin): load partners, customers and subscriptions."""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from importer.services import TenantImportInvalid, tenant_import, tenant_import_read


class Command(BaseCommand):
    help = _(
        "Import partners, customers, delegated admin, users, subscriptions and license assignments from a "
        "tenant-import JSON file (all or nothing; importing the same file again changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Path of the JSON document, or - to read it from stdin."))

    def handle(self, *args, file, **options):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as fh:
                    text = fh.read()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}) from exc
        try:
            summary = tenant_import(actor=None, document=tenant_import_read(text))
        except TenantImportInvalid as exc:
            for line in exc.lines:
                self.stderr.write(line)
            raise CommandError(exc.message) from exc
        for line in summary.lines():
            self.stdout.write(line)
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.")
                % {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged}
            )
        )

"""``manage.py seed_demo``: import the demo data set (idempotent) and print the logins to try.

``--export FILE`` writes the generated tenant-import document instead (``-`` for stdout).
"""

import json
import os

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from importer.services import TenantImportInvalid, tenant_import
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, OPERATOR, build_demo_document

DEFAULT_BIND = "127.0.0.1:8000"  # scripts/run.sh serves on ${PORT_BIND:-127.0.0.1:8000}


def bind_url(bind: str | None = None) -> str:
    """The address ``runserver`` listens on for ``PORT_BIND`` (``port``, ``addr:port`` or ``[v6]:port``)."""
    bind = (bind if bind is not None else os.environ.get("PORT_BIND", "")).strip() or DEFAULT_BIND
    if bind.isdigit():
        bind = f"127.0.0.1:{bind}"
    host, _sep, port = bind.rpartition(":")
    if host in ("0", ""):
        host = "0.0.0.0"
    return f"http://{host}:{port}"


class Command(BaseCommand):
    help = _("Load the demo partners, customers, subscriptions and logins (safe to run again).")

    def add_arguments(self, parser):
        parser.add_argument(
            "--export",
            metavar="FILE",
            help=_("Write the demo tenant-import JSON to FILE (- for stdout) and import nothing."),
        )

    def handle(self, *args, export=None, **options):
        document = build_demo_document()
        if export:
            text = json.dumps(document, indent=2, ensure_ascii=False)
            if export == "-":
                self.stdout.write(text)
            else:
                with open(export, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
                self.stdout.write(
                    _("Wrote %(file)s (%(count)d customers).") % {"file": export, "count": len(document["customers"])}
                )
            return
        with transaction.atomic():
            try:
                summary = tenant_import(actor=None, document=document)
            except TenantImportInvalid as exc:  # the generated document is always valid; say so loudly if not
                raise CommandError("\n".join([exc.message, *exc.lines])) from exc
            if not User.objects.filter(username=OPERATOR).exists():
                User.objects.create_superuser(OPERATOR, f"{OPERATOR}@portal.example", DEMO_PASSWORD)
        self.stdout.write(
            _("Demo data: %(created)d created, %(updated)d updated, %(unchanged)d unchanged (%(customers)d customers).")
            % {
                "created": summary.created,
                "updated": summary.updated,
                "unchanged": summary.unchanged,
                "customers": len(document["customers"]),
            }
        )
        self.stdout.write("")
        self.stdout.write(_("Open %(url)s and sign in as:") % {"url": bind_url()})
        width = max(len(login.username) for login in DEMO_LOGINS)
        role_width = max(len(login.role) for login in DEMO_LOGINS)
        header = (
            f"  {_('username'):<{width}}  {_('password'):<{len(DEMO_PASSWORD)}}  {_('role'):<{role_width}}  "
            f"{_('what to try')}"
        )
        self.stdout.write(header)
        for login in DEMO_LOGINS:
            self.stdout.write(
                f"  {login.username:<{width}}  {login.password}  {login.role:<{role_width}}  {login.try_this}"
            )

"""``manage.py createapitoken USERNAME`` prints a user token; ``--application PARTNER_ID`` an app-only token."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from accounts.models import ApiToken, User
from partners.models import Partner


class Command(BaseCommand):
    help = _(
        "Create a Bearer token for the /v1/ API: a user token for USERNAME, or an application (app-only) "
        "token for a partner with --application PARTNER_ID. The token is printed once; only its hash is kept."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", nargs="?", help=_("The user the token acts as."))
        parser.add_argument(
            "--application",
            metavar="PARTNER_ID",
            help=_("Create an application token for this partner (its partner id, e.g. contoso-csp)."),
        )
        parser.add_argument("--name", default="", help=_("A label for the token."))

    def handle(self, *args, username=None, application=None, name="", **options):
        if bool(username) == bool(application):
            raise CommandError(_("Give either USERNAME or --application PARTNER_ID (exactly one)."))
        if application:
            partner = Partner.objects.filter(code=application).first()
            if partner is None:
                raise CommandError(_("Unknown partner '%(partner)s'.") % {"partner": application})
            _token, raw = ApiToken.issue(partner=partner, name=name or "createapitoken")
        else:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(_("Unknown user '%(user)s'.") % {"user": username})
            if not user.is_active:
                raise CommandError(_("User '%(user)s' is inactive.") % {"user": username})
            _token, raw = ApiToken.issue(user=user, name=name or "createapitoken")
        self.stdout.write(raw)

"""In-portal notifications in the reader's language (issue 13): a notice is written in every language when it is
sent, and each reader sees theirs; a plain text (from before, or not translatable) shows as it is."""

import pytest
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from notifications.models import Notification
from notifications.services import notification_create
from tests.builders import login

pytestmark = pytest.mark.django_db

NAMES = {"source": "Microsoft 365 Business Basic", "target": "Office 365 E3", "customer": "Fabrikam"}


def succeeded() -> str:
    return _("Your upgrade of %(source)s to %(target)s for %(customer)s succeeded.") % NAMES


def test_a_notice_is_written_in_every_language(sales_agent):
    notice = notification_create(user=sales_agent, message=succeeded)
    assert notice.message == "Your upgrade of Microsoft 365 Business Basic to Office 365 E3 for Fabrikam succeeded."
    assert notice.texts == {
        "en": "Your upgrade of Microsoft 365 Business Basic to Office 365 E3 for Fabrikam succeeded.",
        "zh-hant": "您為 Fabrikam 將 Microsoft 365 Business Basic 升級至 Office 365 E3 的作業已成功。",
        "sv": "Din uppgradering av Microsoft 365 Business Basic till Office 365 E3 för Fabrikam lyckades.",
    }


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("sv", "Din uppgradering av Microsoft 365 Business Basic till Office 365 E3 för Fabrikam lyckades."),
        ("zh-hant", "您為 Fabrikam 將 Microsoft 365 Business Basic 升級至 Office 365 E3 的作業已成功。"),
    ],
)
def test_each_reader_sees_their_language(client, sales_agent, language, expected):
    notification_create(user=sales_agent, message=succeeded)
    User.objects.filter(pk=sales_agent.pk).update(language=language)
    sales_agent.refresh_from_db()
    login(client, sales_agent)
    assert expected in client.get(reverse("notifications:list")).content.decode()


def test_a_plain_text_shows_as_it_is(client, sales_agent):
    Notification.objects.create(user=sales_agent, message="Sent before there were texts")
    User.objects.filter(pk=sales_agent.pk).update(language="sv")
    sales_agent.refresh_from_db()
    login(client, sales_agent)
    assert "Sent before there were texts" in client.get(reverse("notifications:list")).content.decode()

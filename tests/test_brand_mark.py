"""Issue 10 item 5: the portal's own brand mark, not a copy of Microsoft's four-square logo."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

MICROSOFT_SQUARES = ("#f25022", "#7fba00", "#00a4ef", "#ffb900")


@pytest.mark.django_db
def test_every_page_shows_the_portal_mark(client, sales_agent):
    client.force_login(sales_agent)
    content = client.get(reverse("portal:customer_list")).content.decode()
    mark = content.split('<a class="brand"')[1].split("</a>")[0]
    assert '<svg class="brand__mark"' in mark and 'data-mark="portal"' in mark
    assert "<span></span><span></span><span></span><span></span>" not in mark


def test_the_four_square_mark_is_gone_from_templates_and_styles():
    root = Path(settings.BASE_DIR)
    sources = [root / "templates" / "base.html", *sorted((root / "static" / "css").glob("*.css"))]
    for source in sources:
        text = source.read_text().lower()
        assert not [colour for colour in MICROSOFT_SQUARES if colour in text], source

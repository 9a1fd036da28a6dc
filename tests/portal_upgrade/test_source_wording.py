"""Issue 10 item 5: the review and the result say the same thing about the source's end state."""

import pytest

from upgrades.steps import SOURCE_STATUS_AFTER_UPGRADE, SOURCE_STATUS_AFTER_UPGRADE_LABEL

from .test_wizard import review, submit_data, url

pytestmark = pytest.mark.django_db


def test_review_and_result_name_the_source_end_state_alike(agent_client, source):
    assert (SOURCE_STATUS_AFTER_UPGRADE, str(SOURCE_STATUS_AFTER_UPGRADE_LABEL)) == (
        "deleted",
        "Cancelled (deleted), auto-renew off",
    )
    page = review(agent_client, source)
    review_content = page.content.decode()
    assert 'data-review="source-after">Cancelled (deleted), auto-renew off</dd>' in review_content
    assert "Cancelled (auto-renew off)" not in review_content

    result = agent_client.get(agent_client.post(url("upgrade_review", source), submit_data(page))["Location"])
    source.refresh_from_db()
    assert (source.status, source.auto_renew) == ("deleted", False)
    source_cell = result.content.decode().split('data-result="source">')[1].split("</dd>")[0]
    assert "Cancelled (deleted), auto-renew off" in source_cell and "Deleted" not in source_cell

"""Issue 10 item 5: partner-user forms render field by field, each error beside its own field."""

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from partners.forms import PartnerUserInviteForm
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, partner):
    client.force_login(factories.PartnerUserFactory(partner=partner, username="ga", roles=["global_admin"]))
    return client


def field_block(content: str, name: str) -> str:
    return content.split(f'data-field="{name}"')[1].split('<div class="field')[0]


def test_invite_errors_sit_beside_their_own_field(admin_client):
    response = admin_client.post(reverse("partners:user_invite"), {"username": "", "email": "nope", "roles": []})
    assert response.status_code == 200
    content = response.content.decode()
    assert "<p>" not in content.split("<form")[1].split("</form>")[0]  # no as_p
    assert 'id="id_email_error"' in field_block(content, "email") and "Enter a valid email address." in field_block(
        content, "email"
    )
    assert 'id="id_username_error"' in field_block(content, "username")
    assert 'id="id_roles_error"' in field_block(content, "roles")
    assert "field__error" not in field_block(content, "first_name")
    assert "<fieldset><legend" in field_block(content, "roles")  # choices grouped under their label


def test_non_field_errors_come_first(partner):
    form = PartnerUserInviteForm(
        {"username": "u", "email": "u@x.example", "roles": ["sales_agent"]}, partner_id=partner.pk
    )
    assert form.is_valid()
    form.add_error(None, "The invitation could not be sent.")
    html = render_to_string("partners/_form_fields.html", {"form": form})
    assert html.index('data-errors="form"') < html.index('data-field="username"')
    assert "The invitation could not be sent." in html.split('data-field="username"')[0]

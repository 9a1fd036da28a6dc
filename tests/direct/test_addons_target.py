"""Add-ons that move in a direct upgrade are checked against the target's allowed base offers (catalog addOns).

Catalog: Audio Conferencing may sit on Business Basic/Standard/Premium, E1, E3, E4, Microsoft 365 E3; Extra File
Storage on those plus Office 365 E5 and Microsoft 365 E5 — neither on Microsoft 365 E5 without Audio Conferencing.
"""

from django.urls import reverse

from accounts.models import ApiToken
from direct.models import DirectOrder
from tests.builders import assign, direct_subscription
from upgrades.eligibility import direct as rules
from upgrades.eligibility import direct_paths
from upgrades.models import BillingEntry

NOT_ALLOWED = "removed: the catalog doesn&#x27;t allow it with the new plan, so it can&#x27;t move there"


def cart_url(customer, subscription, target, tail=""):
    name = "direct:checkout" if tail else "direct:cart"
    return reverse(
        name, kwargs={"tenant_id": customer.tenant_id, "subscription_id": subscription.pk, "target_offer_id": target}
    )


def facts(offer_id, levels, base=()):
    return rules.OfferFacts(id=offer_id, name=offer_id, family_levels=levels, base_offers=frozenset(base))


def test_addon_action_rule():
    audio = facts("audio-conferencing", {"audio_conferencing": 1}, base=["o365-e3", "o365-e4"])
    storage = facts("extra-file-storage", {"extra_storage": 1}, base=["o365-e4", "m365-e5"])
    m365_e5 = facts("m365-e5", {"audio_conferencing": 1, "exchange": 3})
    no_audio = facts("m365-e5-no-audio", {"exchange": 3})
    assert direct_paths.addon_action(audio, m365_e5) == "remove"  # included wins over the base list
    assert direct_paths.addon_action(audio, no_audio) == "excluded"
    assert direct_paths.addon_action(storage, m365_e5) == "move"
    assert direct_paths.addon_action(storage, no_audio) == "excluded"


def test_addons_not_allowed_under_the_target_are_removed_with_a_reason(
    admin_client, customer, e4, django_capture_on_commit_callbacks
):
    assign(e4, 3)
    audio = direct_subscription(customer, "audio-conferencing", parent=e4)
    storage = direct_subscription(customer, "extra-file-storage", parent=e4, quantity=100)

    cart = admin_client.get(cart_url(customer, e4, "m365-e5-no-audio"))
    content = cart.content.decode()
    assert cart.status_code == 200
    assert 'data-addon="audio-conferencing" data-action="excluded"' in content
    assert 'data-addon="extra-file-storage" data-action="excluded"' in content
    assert content.count(NOT_ALLOWED) == 2
    assert "moves to the new subscription" not in content

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            cart_url(customer, e4, "m365-e5-no-audio", tail="checkout"),
            {"quantity": 10, "billing_cycle": "monthly", "payment_method": "credit_card"},
        )
    assert response.status_code == 302
    order = DirectOrder.objects.get()
    assert order.status == "completed"
    assert sorted(order.addons.values_list("action", flat=True)) == ["excluded", "excluded"]
    audio.refresh_from_db()
    storage.refresh_from_db()
    assert (audio.status, storage.status) == ("deleted", "deleted")
    assert audio.parent_id == e4.pk and storage.parent_id == e4.pk  # never moved under the new plan
    assert BillingEntry.objects.filter(subscription=audio, kind="credit").count() == 1
    assert BillingEntry.objects.filter(subscription=storage, kind="credit").count() == 1

    result = order.operation.result
    assert result["addOnsMoved"] == [] and result["addOnsRemoved"] == []
    assert {(item["offerId"], item["reason"]) for item in result["addOnsNotAllowed"]} == {
        (
            "audio-conferencing",
            "Microsoft 365 Audio Conferencing isn't available with Microsoft 365 E5 without Audio Conferencing, "
            "so it was removed instead of moved.",
        ),
        (
            "extra-file-storage",
            "Office 365 Extra File Storage isn't available with Microsoft 365 E5 without Audio Conferencing, "
            "so it was removed instead of moved.",
        ),
    }
    status = admin_client.get(response["Location"]).content.decode()
    assert (
        "Microsoft 365 Audio Conferencing isn&#x27;t available with Microsoft 365 E5 without Audio Conferencing"
        in status
    )


def test_allowed_addon_moves_and_included_one_is_removed_under_m365_e5(admin_client, customer, e4):
    direct_subscription(customer, "audio-conferencing", parent=e4)
    direct_subscription(customer, "extra-file-storage", parent=e4, quantity=100)
    content = admin_client.get(cart_url(customer, e4, "m365-e5")).content.decode()
    assert 'data-addon="audio-conferencing" data-action="remove"' in content
    assert "removed: the new plan already includes it" in content
    assert 'data-addon="extra-file-storage" data-action="move"' in content


def test_me_cart_gives_each_addon_its_reason(client, admin, customer, e4):
    _, raw = ApiToken.issue(user=admin)
    direct_subscription(customer, "audio-conferencing", parent=e4)
    direct_subscription(customer, "extra-file-storage", parent=e4, quantity=100)
    quote = client.post(
        f"/v1/me/customers/{customer.tenant_id}/subscriptions/{e4.pk}/cart",
        {"targetOfferId": "m365-e5-no-audio"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    ).json()
    assert {(a["offerId"], a["action"], a["reason"]) for a in quote["addOns"]} == {
        (
            "audio-conferencing",
            "excluded",
            "removed: the catalog doesn't allow it with the new plan, so it can't move there",
        ),
        (
            "extra-file-storage",
            "excluded",
            "removed: the catalog doesn't allow it with the new plan, so it can't move there",
        ),
    }

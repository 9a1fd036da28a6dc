"""API token services: revoking a token (issued by ``manage.py createapitoken``)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from audit.models import OperationType
from audit.services import audit_record_create
from core.errors import Forbidden, NotFound

from .models import ApiToken
from .selectors import api_tokens_visible_to

RESOURCE = "ApiToken"


def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Revoke ``token`` (at once: the API refuses it from the next request). Revoking twice changes nothing
    and records nothing; another partner's token answers ``NotFound``."""
    if getattr(actor, "is_application", False) or not getattr(actor, "is_authenticated", False):
        raise Forbidden(_("Only a global admin or an operator revokes API tokens."))
    with transaction.atomic():
        try:
            locked = (
                api_tokens_visible_to(actor)
                .select_for_update(of=("self",))
                .select_related("user__partner", "partner")
                .get(pk=token.pk)
            )
        except ApiToken.DoesNotExist:
            raise NotFound(_("API token not found."), field="token") from None
        if locked.revoked:
            return locked
        locked.revoked = True
        locked.save(update_fields=["revoked"])
        partner = locked.partner if locked.partner_id else (locked.user.partner if locked.user is not None else None)
        audit_record_create(
            actor=actor,
            operation_type=OperationType.UPDATE_API_TOKEN,
            resource_type=RESOURCE,
            partner=partner,
            old={"id": locked.pk, "prefix": locked.prefix, "name": locked.name, "revoked": False},
            new={"id": locked.pk, "prefix": locked.prefix, "name": locked.name, "revoked": True},
        )
    return locked

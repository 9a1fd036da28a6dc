"""/v1/me/ faults name the camelCase field the client sent (``payment_method`` → ``paymentMethod``).

Services name their input fields in snake_case (the pages' form fields); the /v1/me/ base view passes every
domain error through :func:`camel_case_fault` before the shared ServiceFault handler renders it, so each /v1/me/
endpoint names fields the way its body does.
"""

from __future__ import annotations

from core.errors import DomainError

# Service fields whose /v1/me/ name is not their plain camelCase form (the URL's or the body's own name).
BODY_NAMES = {
    "tenant_id": "customerTenantId",
    "source_id": "sourceSubscriptionId",
    "target_id": "targetSubscriptionId",
}


def camel_case(name: str) -> str:
    """``target_offer_id`` → ``targetOfferId`` (a name without underscores is returned unchanged)."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def camel_case_fault(exc: BaseException) -> BaseException:
    """Rename a domain error's field (and the ``"field: ..."`` lines of its data) to camelCase, in place."""
    if isinstance(exc, DomainError) and exc.field:
        old = exc.field
        new = BODY_NAMES.get(old) or camel_case(old)
        if old != new:
            exc.field = new
            exc.data = [f"{new}{line[len(old) :]}" if str(line).startswith(f"{old}:") else line for line in exc.data]
    return exc

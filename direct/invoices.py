"""The invoice view of a direct order, read from the order's own records (what checkout showed, as placed):
Sold to, Billed to, Items in this order, the prorated charge and credit, any forfeit and the amount due."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from .models import DirectOrder


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    offer_id: str
    quantity: int | None
    unit_price: Decimal | None
    amount: Decimal
    kind: str  # "item", "addon_move", "addon_remove"


@dataclass(frozen=True)
class Invoice:
    order: DirectOrder
    number: str
    date: datetime
    sold_to: dict
    billed_to: dict
    items: tuple[InvoiceLine, ...]
    currency: str
    total: Decimal
    charge: Decimal
    credit: Decimal
    forfeited: Decimal
    amount_due: Decimal


def order_invoice(order: DirectOrder) -> Invoice:
    """The invoice of ``order``, from its own row, its customer, its buyer and its add-on rows."""
    customer, buyer = order.customer, order.placed_by
    items = [
        InvoiceLine(
            description=f"{order.target_offer.name} ({order.get_billing_cycle_display()})",
            offer_id=order.target_offer_id,
            quantity=order.quantity,
            unit_price=order.unit_price,
            amount=order.subtotal,
            kind="item",
        )
    ]
    for addon in order.addons.select_related("subscription__offer").order_by("subscription__offer__name"):
        items.append(
            InvoiceLine(
                description=addon.subscription.offer.name,
                offer_id=addon.subscription.offer_id,
                quantity=addon.subscription.quantity,
                unit_price=None,
                amount=-addon.credit,
                kind=f"addon_{addon.action}",
            )
        )
    return Invoice(
        order=order,
        number=str(order.pk),
        date=order.completed_at or order.placed_at,
        sold_to={
            "companyName": customer.company_name,
            "domain": customer.domain,
            "country": customer.country,
            "tenantId": str(customer.tenant_id),
        },
        billed_to={
            "paymentMethod": order.payment_method,
            "paymentMethodName": str(order.get_payment_method_display()),
            "name": (buyer.get_full_name() or buyer.username) if buyer else "",
            "email": buyer.email if buyer else "",
        },
        items=tuple(items),
        currency=order.currency,
        total=order.subtotal,
        charge=order.charge,
        credit=order.credit,
        forfeited=order.forfeited,
        amount_due=order.amount_due,
    )

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.admin_mixins import OperatorEditableAdmin, OperatorEditableMixin

from .models import (
    CommercePrice,
    CommerceProduct,
    DirectOption,
    Offer,
    OfferPrice,
    ServiceFamily,
    ServicePlan,
    UpgradePath,
)


class ServicePlanInline(OperatorEditableMixin, admin.TabularInline):
    model = ServicePlan
    fields = ("code", "name", "level", "plan_id")
    extra = 0


@admin.register(ServiceFamily)
class ServiceFamilyAdmin(OperatorEditableAdmin):
    list_display = ("code", "name", "data_related")
    list_filter = ("data_related",)
    search_fields = ("code", "name")
    inlines = [ServicePlanInline]


@admin.register(ServicePlan)
class ServicePlanAdmin(OperatorEditableAdmin):
    list_display = ("code", "name", "family", "level", "plan_id")
    list_filter = ("family",)
    search_fields = ("code", "name", "plan_id")
    list_select_related = ("family",)
    ordering = ("family", "level")


class OfferPriceInline(OperatorEditableMixin, admin.TabularInline):
    model = OfferPrice
    fields = ("billing_cycle", "currency", "unit_price")
    extra = 0


class CommerceProductInline(OperatorEditableMixin, admin.StackedInline):
    model = CommerceProduct
    fields = ("product_id", "sku_id", "availability_id")
    extra = 0


class CommercePriceInline(OperatorEditableMixin, admin.TabularInline):
    model = CommercePrice
    fields = ("term_duration", "billing_cycle", "currency", "unit_price")
    extra = 0


class OfferServicePlanInline(OperatorEditableMixin, admin.TabularInline):
    model = Offer.service_plans.through
    verbose_name = _("service plan")
    verbose_name_plural = _("service plans")
    autocomplete_fields = ("serviceplan",)
    extra = 0


class UpgradePathInline(OperatorEditableMixin, admin.TabularInline):
    model = UpgradePath
    fk_name = "source"
    fields = ("target", "position", "footnote", "extension")
    autocomplete_fields = ("target",)
    extra = 0


class DirectOptionInline(OperatorEditableMixin, admin.TabularInline):
    model = DirectOption
    fk_name = "source"
    fields = ("target", "kind", "position")
    autocomplete_fields = ("target",)
    extra = 0


@admin.register(Offer)
class OfferAdmin(OperatorEditableAdmin):
    list_display = ("name", "id", "market", "currency", "sku_part_number", "is_addon", "retired")
    list_filter = ("market", "is_addon", "retired", "currency")
    search_fields = ("id", "name", "sku_part_number", "sku_id")
    filter_horizontal = ("base_offers",)
    exclude = ("service_plans",)
    inlines = [
        OfferPriceInline,
        CommerceProductInline,
        CommercePriceInline,
        OfferServicePlanInline,
        UpgradePathInline,
        DirectOptionInline,
    ]


@admin.register(OfferPrice)
class OfferPriceAdmin(OperatorEditableAdmin):
    list_display = ("offer", "billing_cycle", "currency", "unit_price")
    list_editable = ("unit_price",)
    list_filter = ("billing_cycle", "currency")
    search_fields = ("offer__id", "offer__name")
    list_select_related = ("offer",)
    autocomplete_fields = ("offer",)


@admin.register(CommerceProduct)
class CommerceProductAdmin(OperatorEditableAdmin):
    """An offer's new commerce product (domain.md §8): its catalog item id ``productId:skuId:availabilityId``."""

    list_display = ("offer", "product_id", "sku_id", "availability_id")
    search_fields = ("offer__id", "offer__name", "product_id", "availability_id")
    list_select_related = ("offer",)
    autocomplete_fields = ("offer",)


@admin.register(CommercePrice)
class CommercePriceAdmin(OperatorEditableAdmin):
    """New commerce prices per term × billing cycle × currency (domain.md §8)."""

    list_display = ("offer", "term_duration", "billing_cycle", "currency", "unit_price")
    list_editable = ("unit_price",)
    list_filter = ("term_duration", "billing_cycle", "currency")
    search_fields = ("offer__id", "offer__name")
    list_select_related = ("offer",)
    autocomplete_fields = ("offer",)


@admin.register(UpgradePath)
class UpgradePathAdmin(OperatorEditableAdmin):
    """The CSP upgrade matrix (domain.md §5): one row per source → target."""

    list_display = ("source", "target", "position", "footnote", "extension")
    list_editable = ("position",)
    list_filter = ("extension", "source__market")
    search_fields = ("source__id", "source__name", "target__id", "target__name")
    list_select_related = ("source", "target")
    autocomplete_fields = ("source", "target")


@admin.register(DirectOption)
class DirectOptionAdmin(OperatorEditableAdmin):
    list_display = ("source", "target", "kind", "position")
    list_filter = ("kind",)
    search_fields = ("source__id", "source__name", "target__id", "target__name")
    list_select_related = ("source", "target")
    autocomplete_fields = ("source", "target")

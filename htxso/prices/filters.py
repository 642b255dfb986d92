"""The one filter of price series, for the page and the API."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import StyledForm
from htxso.core.units import province_names

from .models import Commodity, PriceType, Series

WORLD = "world"  # the province filter's value for world and national series


def commodity_choices() -> list[tuple[str, Any]]:
    return [("", _("Tất cả")), *Commodity.objects.order_by("name").values_list("code", "name")]


def province_choices() -> list[tuple[str, Any]]:
    return [("", _("Tất cả")), (WORLD, _("Thế giới, cả nước")), *province_names()]


class SeriesFilter(StyledForm):
    """Price series by commodity, province and price type."""

    commodity = forms.ChoiceField(label=_("Mặt hàng"), required=False, choices=commodity_choices)
    province = forms.ChoiceField(
        label=_("Tỉnh/thành phố"), required=False, choices=province_choices
    )
    price_type = forms.ChoiceField(
        label=_("Loại giá"), required=False, choices=[("", _("Tất cả")), *PriceType.choices]
    )

    def filter(self, queryset: QuerySet[Series]) -> QuerySet[Series]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("commodity"):
            queryset = queryset.filter(commodity__code=data["commodity"])
        if data.get("province") == WORLD:
            queryset = queryset.filter(province__isnull=True)
        elif data.get("province"):
            queryset = queryset.filter(province_id=data["province"])
        if data.get("price_type"):
            queryset = queryset.filter(price_type=data["price_type"])
        return queryset

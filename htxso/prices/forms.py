"""The price report and the alert forms (fields only: the services validate and write)."""

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import DateField, NumberField, StyledForm
from htxso.core.units import province_names

from .filters import commodity_choices
from .models import PriceType, Unit

REPORTED_TYPES = [c for c in PriceType.choices if c[0] != PriceType.WORLD]


class ReportForm(StyledForm):
    commodity = forms.ChoiceField(label=_("Mặt hàng"), choices=())
    province = forms.ChoiceField(label=_("Tỉnh/thành phố"), choices=())
    market = forms.CharField(label=_("Chợ, điểm thu mua (nếu có)"), max_length=120, required=False)
    price_type = forms.ChoiceField(
        label=_("Loại giá"), choices=REPORTED_TYPES, initial=PriceType.FARM_GATE
    )
    value = NumberField(label=_("Giá (đồng)"), decimals=True, min_value=0)
    unit = forms.ChoiceField(label=_("Cho mỗi"), choices=Unit.choices, initial=Unit.KG)
    period = DateField(label=_("Ngày"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commodity"].choices = commodity_choices()[1:]  # type: ignore[attr-defined]
        self.fields["province"].choices = list(province_names())  # type: ignore[attr-defined]
        self.fields["period"].initial = timezone.localdate()


class AlertForm(StyledForm):
    commodity = forms.ChoiceField(label=_("Mặt hàng"), choices=())
    province = forms.ChoiceField(label=_("Tỉnh/thành phố"), choices=(), required=False)
    above = NumberField(label=_("Báo khi giá lên trên (đồng/kg)"), required=False, min_value=1)
    below = NumberField(label=_("Báo khi giá xuống dưới (đồng/kg)"), required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commodity"].choices = commodity_choices()[1:]  # type: ignore[attr-defined]
        self.fields["province"].choices = [  # type: ignore[attr-defined]
            ("", _("Mọi nơi")),
            *province_names(),
        ]

"""The list filters of reporting: reports, statistical cells, completeness. Pages and API apply
the same form (the API's query parameters are generated from it, `core/api_filters.py`)."""

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from htxso.registry.choices import OrganisationKind, Sector, Status
from htxso.registry.filters import province_choices

from .models import NATIONAL, TOTAL, ReportStatus
from .periods import Period

ALL = ("", _("Tất cả"))


class PeriodField(forms.CharField):
    """A period code (`2025`, `2025S1`), upper-cased; anything else is refused in Vietnamese."""

    api_pattern = r"^((199\d|20\d\d|2100)([Ss][12])?)?$"  # Period.parse's years, no spaces

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 7)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Kỳ báo cáo"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        return Period.parse(text).code if text else ""


class ReportFilter(forms.Form):
    """Reports by form, period, organisation, province and status (within `visible_to`)."""

    form = forms.SlugField(label=_("Biểu mẫu"), required=False, max_length=40)
    period = PeriodField()
    organisation = forms.IntegerField(
        label=_("Tổ chức"), required=False, min_value=1, max_value=2**63 - 1
    )
    province = forms.ChoiceField(
        label=_("Tỉnh/thành phố"), required=False, choices=province_choices
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"), required=False, choices=[ALL, *ReportStatus.choices]
    )

    def filter(self, queryset: QuerySet) -> QuerySet:
        """Apply the valid filters (an invalid one filters nothing; the page shows the rest)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("form"):
            queryset = queryset.filter(form__code=data["form"])
        if data.get("period"):
            queryset = queryset.filter(period=data["period"])
        if data.get("organisation"):
            queryset = queryset.filter(organisation_id=data["organisation"])
        if data.get("province"):
            queryset = queryset.filter(province_id=data["province"])
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        return queryset


def _with_total(choices: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return [ALL, (TOTAL, _("Tổng số")), *choices]


class AreaField(forms.CharField):
    """`VN` (the whole country) or a province's code."""

    api_pattern = r"^([Vv][Nn]|\d{2})?$"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 2)
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Địa bàn (VN hoặc mã tỉnh)"))
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        code = (super().clean(value) or "").upper()
        if code and code != NATIONAL and code not in {c for c, _n in province_choices() if c}:
            raise ValidationError(_("Mã địa bàn không tồn tại."), code="invalid_choice")
        return code


class CellFilter(forms.Form):
    """Cells of the cube by indicator, period, area and the values of their dimensions (`_T`:
    the total over a dimension)."""

    indicator = forms.SlugField(label=_("Mã chỉ tiêu"), required=False, max_length=40)
    period = PeriodField()
    area = AreaField()
    kind = forms.ChoiceField(
        label=_("Loại hình"), required=False, choices=_with_total(OrganisationKind.choices)
    )
    sector = forms.ChoiceField(
        label=_("Ngành"), required=False, choices=_with_total(Sector.choices)
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"), required=False, choices=_with_total(Status.choices)
    )

    def filter(self, queryset: QuerySet) -> QuerySet:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        for name in ("indicator", "period", "area", "kind", "sector", "status"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        return queryset


class CompletenessFilter(forms.Form):
    """Which form and period (the last ended one by default), optionally one province."""

    form = forms.SlugField(label=_("Biểu mẫu"), required=False, max_length=40)
    period = PeriodField()
    province = forms.ChoiceField(
        label=_("Tỉnh/thành phố"), required=False, choices=province_choices
    )

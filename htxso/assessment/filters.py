"""The one filter of the classification list, for the page and the API."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import StyledForm
from htxso.core.units import province_names
from htxso.registry.choices import Classification as Grade

from .models import Classification, ClassificationStatus


class ClassificationFilter(StyledForm):
    # A whole year (an integer in the API's document); the page types it as digits.
    year = forms.IntegerField(
        label=_("Năm"),
        required=False,
        min_value=2000,
        max_value=2100,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *ClassificationStatus.choices],
    )
    grade = forms.ChoiceField(
        label=_("Xếp loại"), required=False, choices=[("", _("Tất cả")), *Grade.choices]
    )
    province = forms.ChoiceField(label=_("Tỉnh/thành phố"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", _("Tất cả")), *province_names()]  # type: ignore[attr-defined]

    def filter(self, queryset: QuerySet[Classification]) -> QuerySet[Classification]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        for name in ("year", "status", "grade"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("province"):
            queryset = queryset.filter(province_id=data["province"])
        return queryset

"""The one filter of the recommendations, for the page and the API: edition (year), topic,
state, stage (before/after the forum), who raised it, the province, one's own."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import StyledForm
from htxso.core.units import province_names

from .models import RaisedBy, Recommendation, RecState, Stage, Topic


def _all(choices: Any) -> list[tuple[str, Any]]:
    return [("", _("Tất cả")), *choices]


class RecommendationFilter(StyledForm):
    year = forms.IntegerField(
        label=_("Năm diễn đàn"), required=False, min_value=2000, max_value=2100
    )
    topic = forms.ChoiceField(label=_("Lĩnh vực"), required=False, choices=_all(Topic.choices))
    state = forms.ChoiceField(label=_("Tình trạng"), required=False, choices=_all(RecState.choices))
    stage = forms.ChoiceField(label=_("Thời điểm"), required=False, choices=_all(Stage.choices))
    raiser = forms.ChoiceField(
        label=_("Đơn vị kiến nghị"), required=False, choices=_all(RaisedBy.choices)
    )
    province = forms.ChoiceField(
        label=_("Tỉnh/thành phố"), required=False, choices=lambda: _all(province_names())
    )

    mine = forms.BooleanField(label=_("Kiến nghị tôi gửi"), required=False)

    def filter(
        self, queryset: QuerySet[Recommendation], user: Any = None
    ) -> QuerySet[Recommendation]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("mine"):
            queryset = queryset.filter(raised_by_id=getattr(user, "pk", None))
        if data.get("year"):
            queryset = queryset.filter(edition__year=data["year"])
        for name, field in (
            ("topic", "topic"),
            ("state", "state"),
            ("stage", "stage"),
            ("raiser", "raiser_kind"),
            ("province", "province_id"),
        ):
            if data.get(name):
                queryset = queryset.filter(**{field: data[name]})
        return queryset

"""The forum's forms (fields only: the services validate the rest and write)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import DateField, NumberField, NumberInput, StyledForm

from ..models import Agency
from .models import DelegateKind, Topic


class EditionForm(StyledForm):
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)
    theme = forms.CharField(label=_("Chủ đề"), max_length=300)
    held_on = DateField(label=_("Ngày tổ chức"))
    venue = forms.CharField(label=_("Điểm cầu chính"), max_length=200)
    programme = forms.CharField(
        label=_("Chương trình (mỗi dòng một nội dung)"),
        widget=forms.Textarea(attrs={"rows": 5}),
        required=False,
        max_length=10000,
    )


class DocumentForm(StyledForm):
    title = forms.CharField(label=_("Tên tài liệu"), max_length=300)
    file = forms.FileField(label=_("Tệp (PDF, JPEG, PNG)"))


class PointForm(StyledForm):
    host = forms.CharField(label=_("Đơn vị chủ trì điểm cầu"), max_length=200)
    place = forms.CharField(label=_("Địa điểm"), max_length=300, required=False)
    attendance = NumberField(
        label=_("Số người dự thực tế"),
        min_value=0,
        max_value=100_000,
        required=False,
        widget=NumberInput(attrs={"placeholder": "120"}),
    )


class DelegateForm(StyledForm):
    name = forms.CharField(label=_("Họ và tên"), max_length=120)
    position = forms.CharField(label=_("Chức vụ"), max_length=120, required=False)
    unit = forms.CharField(label=_("Đơn vị"), max_length=200)
    kind = forms.ChoiceField(label=_("Thành phần"), choices=DelegateKind.choices)

    def __init__(self, *args: Any, own_organisation: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if own_organisation:  # a cooperative registers its own people: unit and kind are its
            del self.fields["unit"]
            del self.fields["kind"]


class RecommendationForm(StyledForm):
    topic = forms.ChoiceField(label=_("Lĩnh vực"), choices=[("", "—"), *Topic.choices])
    title = forms.CharField(label=_("Tóm tắt kiến nghị"), max_length=300)
    difficulty = forms.CharField(
        label=_("Khó khăn, vướng mắc"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    proposal = forms.CharField(
        label=_("Đề xuất, kiến nghị"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )


def agency_choices() -> list[tuple[str, Any]]:
    return [("", "—"), *((str(a.pk), a.name) for a in Agency.objects.only("pk", "name"))]


class RouteForm(StyledForm):
    agency = forms.ChoiceField(label=_("Cơ quan có thẩm quyền trả lời"), choices=agency_choices)


class AnswerForm(StyledForm):
    answer = forms.CharField(
        label=_("Nội dung trả lời"), widget=forms.Textarea(attrs={"rows": 5}), max_length=20000
    )
    public = forms.BooleanField(label=_("Công khai trả lời"), required=False, initial=True)


class ToTaskForm(StyledForm):
    due_on = DateField(label=_("Hạn xử lý"))
    title = forms.CharField(
        label=_("Nội dung nhiệm vụ (để trống: tóm tắt kiến nghị)"), max_length=500, required=False
    )

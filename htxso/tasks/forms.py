"""The focal point's report form, the secretariat's review, and the secretariat's directive and
task forms (fields only: the services validate the rest and write)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import DateField, NumberField, NumberInput, StyledForm

from .models import Agency, Recurrence


class ReportForm(StyledForm):
    text = forms.CharField(
        label=_("Kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    percent = NumberField(
        label=_("Tỷ lệ hoàn thành (%)"),
        min_value=0,
        max_value=100,
        widget=NumberInput(attrs={"placeholder": "0–100", "maxlength": "3"}),
    )
    file = forms.FileField(label=_("Tệp đính kèm (PDF, JPEG, PNG)"), required=False)


class ReviewForm(StyledForm):
    note = forms.CharField(
        label=_("Ý kiến (bắt buộc khi trả lại)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )


def _agency_options() -> list[tuple[str, Any]]:
    return [(str(a.pk), a.name) for a in Agency.objects.only("pk", "name")]


def _agencies() -> list[tuple[str, Any]]:
    return [("", "—"), *_agency_options()]


class DirectiveForm(StyledForm):
    """A directive entered by the secretariat (the services check the number is new)."""

    number = forms.CharField(label=_("Số hiệu"), max_length=40)
    issued_on = DateField(label=_("Ngày ban hành"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200)
    subject = forms.CharField(label=_("Trích yếu"), max_length=500)
    public = forms.BooleanField(label=_("Công khai"), required=False, initial=True)
    file = forms.FileField(label=_("Tệp văn bản (PDF, JPEG, PNG)"), required=False)


class TaskForm(StyledForm):
    """A task given by a directive: a deadline, or a recurrence with its first and last
    periods (each period's report due on the report day of the month after it)."""

    directive = forms.CharField(label=_("Số hiệu văn bản giao nhiệm vụ"), max_length=40)
    title = forms.CharField(
        label=_("Nội dung nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500
    )
    assignee = forms.ChoiceField(label=_("Cơ quan được giao"), choices=_agencies)
    lead = forms.ChoiceField(label=_("Cơ quan chủ trì"), choices=_agencies, required=False)
    coordinating = forms.MultipleChoiceField(
        label=_("Cơ quan phối hợp"),
        choices=_agency_options,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    recurrence = forms.ChoiceField(label=_("Thời hạn"), choices=Recurrence.choices)
    due_on = DateField(label=_("Hạn (nhiệm vụ một lần)"), required=False)
    starts_on = DateField(label=_("Kỳ đầu tiên từ (định kỳ)"), required=False)
    ends_on = DateField(label=_("Kỳ cuối cùng đến (định kỳ)"), required=False)
    report_day = NumberField(
        label=_("Ngày báo cáo trong tháng sau kỳ"), min_value=1, max_value=28, initial=5
    )
    expected_output = forms.CharField(label=_("Sản phẩm dự kiến"), max_length=500, required=False)
    indicator_codes = forms.CharField(
        label=_("Mã chỉ tiêu liên quan (cách nhau dấu phẩy)"), max_length=200, required=False
    )

"""The focal point's report form and the secretariat's review (fields only: services write)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import NumberField, StyledForm


class ReportForm(StyledForm):
    text = forms.CharField(
        label=_("Kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000
    )
    percent = NumberField(label=_("Tỷ lệ hoàn thành (%)"), min_value=0, max_value=100)
    file = forms.FileField(label=_("Tệp đính kèm (PDF, JPEG, PNG)"), required=False)


class ReviewForm(StyledForm):
    note = forms.CharField(
        label=_("Ý kiến (bắt buộc khi trả lại)"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=4000,
    )

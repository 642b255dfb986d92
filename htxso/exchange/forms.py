"""The upload form of an import."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import StyledForm

from .layouts import MEMBERS, ORGANISATIONS
from .models import Strategy

EXTENSIONS = (".xlsx", ".xlsm", ".csv", ".txt", ".tsv")


class ImportForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Loại dữ liệu"),
        choices=[
            (ORGANISATIONS, _("Tổ chức")),
            (MEMBERS, _("Thành viên (cá nhân và tư cách thành viên)")),
        ],
    )
    strategy = forms.ChoiceField(
        label=_("Cách ghi"), choices=Strategy.choices, initial=Strategy.UPSERT
    )
    file = forms.FileField(label=_("Tệp XLSX hoặc CSV"))

    def clean_file(self) -> UploadedFile:
        upload = self.cleaned_data["file"]
        if Path(upload.name).suffix.lower() not in EXTENSIONS:
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(  # params apart: the API gives it in both languages
                _("Tệp quá lớn (tối đa %(mb)s MB)."),
                params={"mb": settings.IMPORT_MAX_BYTES // 2**20},
            )
        if upload.size == 0:
            raise forms.ValidationError(_("Tệp trống."))
        return upload

"""The synonym catalogue's page: the words provinces use for columns and values, read by every
import; central officers add and remove them (`synonym_services`), provinces read them."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from htxso.core.forms import StyledForm
from htxso.core.scoping import Action, Kind, may

from . import synonym_services, synonyms
from .layouts import MEMBERS, ORGANISATIONS
from .models import Synonym, SynonymKind


class SynonymForm(StyledForm):
    kind = forms.ChoiceField(label=gettext_lazy("Loại"), choices=SynonymKind.choices)
    layout = forms.ChoiceField(
        label=gettext_lazy("Tệp"),
        required=False,
        choices=[
            ("", gettext_lazy("Mọi tệp")),
            (ORGANISATIONS, gettext_lazy("Tổ chức")),
            (MEMBERS, gettext_lazy("Thành viên")),
        ],
    )
    column = forms.ChoiceField(label=gettext_lazy("Cột (trường)"))
    text = forms.CharField(label=gettext_lazy("Cách viết trong tệp"), max_length=200)
    value = forms.CharField(
        label=gettext_lazy("Giá trị (mã), với loại “Giá trị”"), max_length=100, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        columns = dict(synonyms.header_columns(""))
        for key in synonyms.VALUE_COLUMNS:
            columns.setdefault(key, {"bool": _("Có/Không"), "farming": _("Lĩnh vực")}.get(key, key))
        column_field = self.fields["column"]
        assert isinstance(column_field, forms.ChoiceField)
        column_field.choices = sorted(columns.items(), key=lambda item: str(item[1]))


def _require_reader(request: HttpRequest) -> None:
    if not may(request.user, Action.VIEW, Kind.CATALOGUE):
        raise PermissionDenied(_("Vai trò của bạn không xem được danh mục từ đồng nghĩa."))


@login_required
def synonym_list(request: HttpRequest) -> HttpResponse:
    _require_reader(request)
    form = SynonymForm(request.POST or None)
    if request.method == "POST":
        if not synonym_services.may_edit(request.user):
            raise PermissionDenied(_("Chỉ cán bộ trung ương được sửa danh mục từ đồng nghĩa."))
        if form.is_valid():
            try:
                synonym_services.add_synonym(request.user, **form.cleaned_data)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(field if field in form.fields else None, error)
            else:
                messages.success(request, _("Đã thêm vào danh mục từ đồng nghĩa."))
                return redirect("exchange:synonyms")
    shown = Synonym.objects.all()
    column = request.GET.get("column", "")
    if column:
        shown = shown.filter(column=column)
    value_labels = {key: dict(synonyms.value_choices(key)) for key in synonyms.VALUE_COLUMNS}
    rows = [
        (s, value_labels.get(s.column, {}).get(s.value, s.value) if s.value else "")
        for s in shown[:2000]
    ]
    return render(
        request,
        "exchange/synonyms.html",
        {
            "form": form,
            "rows": rows,
            "may_edit": synonym_services.may_edit(request.user),
            "column": column,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def synonym_delete(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        synonym_services.delete_synonym(request.user, pk)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Đã bỏ khỏi danh mục từ đồng nghĩa."))
    return redirect("exchange:synonyms")

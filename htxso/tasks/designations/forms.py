"""The designations' filter (one for the page and the API) and the form to name someone
(fields only: the services validate the rest and write)."""

from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import DateField, StyledForm
from htxso.core.models import User
from htxso.core.roles import Role

from ..models import Agency
from .models import Designation, Function, in_force


class DesignationFilter(StyledForm):
    """Designations by function, agency, in force or all."""

    function = forms.ChoiceField(
        label=_("Vai trò"), required=False, choices=[("", _("Tất cả")), *Function.choices]
    )
    agency = forms.CharField(label=_("Mã cơ quan"), required=False, max_length=40)
    ended = forms.BooleanField(label=_("Gồm cả phân công đã kết thúc"), required=False)

    def filter(self, queryset: QuerySet[Designation], user: Any = None) -> QuerySet[Designation]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if not data.get("ended"):
            queryset = queryset.filter(in_force() | Q(starts_on__gt=timezone.localdate()))
        if data.get("function"):
            queryset = queryset.filter(function=data["function"])
        if data.get("agency"):
            queryset = queryset.filter(agency__code=data["agency"])
        return queryset


class OfficerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        name = obj.get_full_name() or obj.username
        where = f", {obj.province_id}" if obj.province_id else ""
        return f"{name} ({obj.username}: {obj.get_role_display()}{where})"


class DesignationForm(StyledForm):
    user = OfficerChoice(
        label=_("Cán bộ"),
        queryset=User.objects.none(),
    )
    function = forms.ChoiceField(label=_("Vai trò"), choices=Function.choices)
    agency = forms.ModelChoiceField(
        label=_("Cơ quan (với đầu mối)"), queryset=Agency.objects.all(), required=False
    )
    starts_on = DateField(label=_("Hiệu lực từ"), required=False)
    ends_on = DateField(label=_("Kết thúc ngày (để trống: đến khi kết thúc)"), required=False)
    note = forms.CharField(label=_("Ghi chú (số quyết định)"), max_length=300, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            is_active=True, role__in=(Role.CENTRAL_OFFICER, Role.PROVINCIAL_OFFICER)
        ).order_by("role", "province_id", "username")


class EndForm(StyledForm):
    note = forms.CharField(label=_("Lý do (tùy chọn)"), max_length=200, required=False)

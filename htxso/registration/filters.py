"""The one filter of the office's queue, for the page and the API."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import StyledForm
from htxso.registry.choices import OrganisationKind

from .models import WAITING, Application, Status

WAITING_CHOICES = [(s.value, s.label) for s in Status if s in WAITING]


class QueueFilter(StyledForm):
    status = forms.ChoiceField(
        label=_("Trạng thái"), required=False, choices=[("", _("Tất cả")), *WAITING_CHOICES]
    )
    kind = forms.ChoiceField(
        label=_("Loại hình"),
        required=False,
        choices=[("", _("Tất cả")), *OrganisationKind.choices],
    )
    q = forms.CharField(label=_("Số hồ sơ hoặc tên"), required=False, max_length=100)

    def filter(self, queryset: QuerySet[Application]) -> QuerySet[Application]:
        """The waiting cases (every one has a deadline), narrowed by the valid fields."""
        queryset = queryset.filter(status__in=WAITING)
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("q"):
            q = data["q"].strip()
            queryset = queryset.filter(number__iexact=q) | queryset.filter(name__icontains=q)
        return queryset

"""The one filter of the tasks' list and dashboards, for the pages and the API: agency,
directive, status (computed in SQL, `status.q`), reports waiting for the secretariat."""

import datetime as dt
from typing import Any

from django import forms
from django.core.cache import cache
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import StyledForm

from . import status
from .models import Agency, Tally, Task
from .reference import AGENCIES_KEY


def agency_choices() -> list[tuple[str, Any]]:
    """Every agency, kept in the shared cache (reference data: `load_agencies` and the admin
    change it, and clear the key; at worst a name is 10 minutes old)."""
    found = cache.get(AGENCIES_KEY)
    if found is None:
        found = list(Agency.objects.values_list("code", "name"))
        cache.set(AGENCIES_KEY, found, 600)
    return [("", _("Tất cả")), *found]


class TaskFilter(StyledForm):
    """Steering-committee tasks: by assignee agency, directive, computed status."""

    agency = forms.ChoiceField(label=_("Cơ quan được giao"), required=False, choices=agency_choices)
    # A number typed (a select of every directive would render thousands of options).
    directive = forms.CharField(label=_("Số hiệu văn bản"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Tình trạng"), required=False, choices=[("", _("Tất cả")), *status.Status.choices]
    )
    waiting = forms.BooleanField(label=_("Có báo cáo chờ xem xét"), required=False)

    def filter(self, queryset: QuerySet[Task], today: dt.date) -> QuerySet[Task]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("agency"):
            queryset = queryset.filter(assignee__code=data["agency"])
        if data.get("directive"):
            queryset = queryset.filter(directive__number=data["directive"])
        if data.get("status"):
            queryset = queryset.filter(status.q(data["status"], today))
        if data.get("waiting"):  # kept by the services (a report waits for the secretariat)
            queryset = queryset.filter(awaiting_review=True)
        return queryset

    def tally(self, rows: QuerySet[Tally]) -> QuerySet[Tally] | None:
        """The tally rows (`tally.py`) that count what `filter` keeps, or None when a filter
        reads more than the tally holds (a directive, a status, reports waiting)."""
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("directive") or data.get("status") or data.get("waiting"):
            return None
        if data.get("agency"):
            rows = rows.filter(assignee__code=data["agency"])
        return rows

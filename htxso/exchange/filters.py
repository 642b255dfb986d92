"""The list filters of exchange: import jobs and the findings of one job. The import page and
the API apply the same forms (the API's query parameters are generated from them,
`core/api_filters.py`)."""

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import StyledForm

from .layouts import MEMBERS, ORGANISATIONS
from .models import ImportIssue, ImportJob, JobStatus, Severity, Strategy

ALL = ("", _("Tất cả"))


class ImportJobFilter(StyledForm):
    """Import jobs by what the file holds, their status and how they write (within
    `visible_to`: one's own jobs, every job for the system admin)."""

    kind = forms.ChoiceField(
        label=_("Loại dữ liệu"),
        required=False,
        choices=[ALL, (ORGANISATIONS, _("Tổ chức")), (MEMBERS, _("Thành viên"))],
    )
    status = forms.ChoiceField(
        label=_("Tình trạng"), required=False, choices=[ALL, *JobStatus.choices]
    )
    strategy = forms.ChoiceField(
        label=_("Cách ghi"), required=False, choices=[ALL, *Strategy.choices]
    )

    def filter(self, queryset: QuerySet[ImportJob]) -> QuerySet[ImportJob]:
        """Apply the valid filters (an invalid one filters nothing; the page shows the rest)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        for name in ("kind", "status", "strategy"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        return queryset


class FindingFilter(forms.Form):
    """The findings of one import job by severity (error, warning, address conversion)."""

    severity = forms.ChoiceField(
        label=_("Mức độ"), required=False, choices=[ALL, *Severity.choices]
    )

    def filter(self, queryset: QuerySet[ImportIssue]) -> QuerySet[ImportIssue]:
        self.is_valid()
        severity = getattr(self, "cleaned_data", {}).get("severity")
        return queryset.filter(severity=severity) if severity else queryset

"""The one filter of EPCIS events, for the query interface and the pages: the EPCIS 2.0 query
parameters (eventType, GE_/LT_eventTime, EQ_bizStep, EQ_disposition, EQ_readPoint,
EQ_bizLocation, MATCH_anyEPC). Every key has its index (models.py)."""

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import StyledForm
from htxso.core.gs1 import canonical_epc

from .epcis import EVENT_TYPES
from .models import Event, EventEpc


class TimeField(forms.CharField):
    """An ISO 8601 time with its offset (2026-05-01T07:00:00+07:00); a time without one is
    refused (a client that forgot it would miss seven hours)."""

    def to_python(self, value: Any) -> dt.datetime | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise forms.ValidationError(
                _("Nhập thời điểm ISO 8601, ví dụ 2026-05-01T07:00:00+07:00.")
            ) from None
        if parsed.tzinfo is None:
            raise forms.ValidationError(_("Thời điểm phải có múi giờ, ví dụ +07:00."))
        return parsed


class EventFilter(StyledForm):
    eventType = forms.ChoiceField(
        label=_("Loại sự kiện"),
        required=False,
        choices=[("", _("Tất cả")), *((t, t) for t in EVENT_TYPES)],
    )
    GE_eventTime = TimeField(label=_("Từ thời điểm"), required=False)
    LT_eventTime = TimeField(label=_("Trước thời điểm"), required=False)
    EQ_bizStep = forms.CharField(label=_("Bước nghiệp vụ"), required=False, max_length=255)
    EQ_disposition = forms.CharField(label=_("Tình trạng"), required=False, max_length=255)
    EQ_readPoint = forms.CharField(label=_("Điểm đọc"), required=False, max_length=512)
    EQ_bizLocation = forms.CharField(label=_("Địa điểm"), required=False, max_length=512)
    MATCH_anyEPC = forms.CharField(label=_("Mã EPC"), required=False, max_length=512)

    def filter(self, queryset: QuerySet[Event]) -> QuerySet[Event]:
        data: dict[str, Any] = self.cleaned_data if self.is_valid() else {}
        if data.get("eventType"):
            queryset = queryset.filter(type=data["eventType"])
        if data.get("GE_eventTime"):
            queryset = queryset.filter(event_time__gte=data["GE_eventTime"])
        if data.get("LT_eventTime"):
            queryset = queryset.filter(event_time__lt=data["LT_eventTime"])
        for name, column in (
            ("EQ_bizStep", "biz_step"),
            ("EQ_disposition", "disposition"),
        ):
            if data.get(name):
                value = data[name].rsplit("-", 1)[-1] if "ref.gs1.org" in data[name] else data[name]
                queryset = queryset.filter(**{column: value})
        for name, column in (("EQ_readPoint", "read_point"), ("EQ_bizLocation", "biz_location")):
            if data.get(name):
                queryset = queryset.filter(**{column: canonical_epc(data[name].strip())})
        if data.get("MATCH_anyEPC"):
            epc = canonical_epc(data["MATCH_anyEPC"].strip())
            queryset = queryset.filter(pk__in=EventEpc.objects.filter(epc=epc).values("event_id"))
        return queryset

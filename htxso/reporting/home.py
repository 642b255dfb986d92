"""Reporting's panel on a cooperative manager's home: the organisation's key figures of its
latest approved yearly report against the year before (`core.home`)."""

from typing import Any

from django.urls import reverse

from htxso.core import home
from htxso.core.roles import Role

from .definitions import INTEGER
from .inbox import respondent
from .models import Periodicity, Report, ReportStatus
from .periods import Period
from .services import definition_of


def _change(now: Any, before: Any) -> float | None:
    if not isinstance(now, int) or not isinstance(before, int) or isinstance(now, bool):
        return None
    if before == 0:
        return None
    return round(100 * (now - before) / abs(before), 1)


def figures_panel(user: Any) -> home.Panel | None:
    """The latest approved yearly report of the manager's organisation, side by side with the
    previous year's approved one (when there is one)."""
    found = respondent(user)
    if found is None or found[2] is None:
        return None
    forms = [form for form in found[0] if form.periodicity == Periodicity.YEAR]
    approved = Report.objects.visible_to(user).filter(
        found[1], form__in=forms, status=ReportStatus.APPROVED
    )
    latest = approved.select_related("form", "form_version").order_by("-period").first()
    context: dict[str, Any] = {"report": latest, "rows": [], "list_url": reverse("reporting:list")}
    if latest is not None:
        period = Period.parse(latest.period)
        before = (
            approved.filter(form_id=latest.form_id, period=period.previous().code)
            .values_list("values", flat=True)
            .first()
        ) or {}
        rows = []
        for field in definition_of(latest.form_version).fields:
            if field.type != INTEGER or field.key not in latest.values:
                continue
            now, then = latest.values.get(field.key), before.get(field.key)
            rows.append(
                {
                    "label": field.title,
                    "unit": field.unit,
                    "now": now,
                    "before": then,
                    "change": _change(now, then),
                }
            )
        context.update(
            {
                "rows": rows,
                "period": period,
                "previous": period.previous(),
                "has_previous": bool(before),
                "url": reverse("reporting:report", args=[latest.pk]),
            }
        )
    return home.Panel("reporting/_home_figures.html", context)


def register() -> None:
    home.register(figures_panel, [Role.COOPERATIVE_MANAGER], order=20)

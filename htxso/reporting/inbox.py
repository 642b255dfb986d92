"""Reporting's part of the inbox (`core.inbox`): reports to fill in and submit, reports sent
back, reports to review, who has not reported yet, and the user's report imports.

Who answers for which reports follows `core.scoping.TABLE` (reports): a cooperative manager
answers for their organisation's forms, a provincial officer for their province's summaries;
reviewers are one level up. Every count is a grouped query on the reports' indexes (the review
queue has its own partial index), never a query per report.
"""

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from htxso.core import inbox
from htxso.core.inbox import Item, ItemKind, Severity
from htxso.core.scoping import Action, Kind, Reach, reach
from htxso.registry.choices import CLOSED_STATUSES
from htxso.registry.models import Organisation

from . import completeness
from .import_models import ReportImportJob
from .models import Report, ReportForm, ReportStatus, Respondent
from .periods import Period

# A running period's report shows in the inbox once its deadline is this close.
UPCOMING_DAYS = 60
RECEIVED = (ReportStatus.SUBMITTED, ReportStatus.APPROVED)
SOURCE = "reporting"


def _n(count: int) -> str:
    return number_format(count, force_grouping=True)


def _list_url(**query: str) -> str:
    return f"{reverse('reporting:list')}?{urlencode(query)}"


def _report_url(pk: int) -> str:
    return reverse("reporting:report", args=[pk])


def respondent(user: Any) -> tuple[list[ReportForm], Q, Organisation | None] | None:
    """The forms `user` answers for, the reports that are theirs to answer, and their
    organisation (a manager's); None when the user answers for none."""
    fills = reach(user, Action.EDIT, Kind.REPORT)
    active = ReportForm.objects.filter(is_active=True)
    if Reach.ORGANISATION in fills and getattr(user, "organisation_id", None):
        organisation = Organisation.objects.filter(pk=user.organisation_id).first()
        if organisation is None:
            return None
        forms = [
            form
            for form in active.filter(respondent=Respondent.ORGANISATION)
            if organisation.kind in form.organisation_kinds
        ]
        return forms, Q(organisation_id=organisation.pk), organisation
    if Reach.PROVINCE in fills and getattr(user, "province_id", None):
        forms = list(active.filter(respondent=Respondent.PROVINCE))
        return forms, Q(province_id=user.province_id, organisation__isnull=True), None
    return None


def _periods(form: ReportForm, organisation: Organisation | None, today: dt.date) -> list[Period]:
    """The periods a respondent is asked about now: the last ended one, and the running one
    when its deadline is near. An organisation not yet founded or closed is asked nothing."""
    wanted = [Period.last_ended(form.periodicity, today)]
    running = Period.containing(today, form.periodicity)
    if (running.deadline(form.deadline_days) - today).days <= UPCOMING_DAYS:
        wanted.append(running)
    if organisation is None:
        return wanted
    if organisation.status in CLOSED_STATUSES:
        return []
    return [p for p in wanted if organisation.established_on <= p.end]


def to_fill(user: Any, today: dt.date | None = None) -> list[Item]:
    """Reports the user answers for that are not submitted yet (not started or being filled
    in), and the ones sent back to them."""
    found = respondent(user)
    if found is None:
        return []
    forms, theirs, organisation = found
    today = today or timezone.localdate()
    asked = {form.pk: _periods(form, organisation, today) for form in forms}
    codes = {p.code for periods in asked.values() for p in periods}
    mine = Report.objects.visible_to(user).filter(theirs)
    existing = {
        (form_id, period): (pk, status)
        for pk, form_id, period, status in mine.filter(
            form__in=forms, period__in=codes
        ).values_list("id", "form_id", "period", "status")
    }
    items = []
    for form in forms:
        for period in asked[form.pk]:
            pk, status = existing.get((form.pk, period.code), (None, None))
            if status in RECEIVED or status == ReportStatus.RETURNED:
                continue  # done, or listed below with the other returned reports
            deadline = period.deadline(form.deadline_days)
            items.append(
                Item(
                    _("%(form)s — %(period)s") % {"form": form.title, "period": period.label},
                    1,
                    _report_url(pk) if pk else _list_url(form=form.code, period=period.code),
                    ItemKind.TODO,
                    Severity.DANGER if deadline < today else Severity.WARNING,
                    deadline=deadline,
                    detail=_("Đang soạn, chưa nộp") if pk else _("Chưa lập báo cáo"),
                    source=SOURCE,
                )
            )
    returned = mine.filter(status=ReportStatus.RETURNED).aggregate(n=Count("id"), last=Max("id"))
    if returned["n"]:
        title = _("%(count)s báo cáo bị trả lại, cần sửa và nộp lại")
        items.append(
            Item(
                title % {"count": _n(returned["n"])},
                returned["n"],
                _report_url(returned["last"])
                if returned["n"] == 1
                else _list_url(status=ReportStatus.RETURNED),
                ItemKind.RETURNED,
                Severity.DANGER,
                source=SOURCE,
            )
        )
    return items


def _forms_by_pk() -> dict[int, ReportForm]:
    return {form.pk: form for form in ReportForm.objects.all()}


def to_review(user: Any) -> list[Item]:
    """Submitted reports waiting for the user's review, one item per form and period."""
    if not reach(user, Action.REVIEW, Kind.REPORT):
        return []
    rows = (
        Report.objects.reviewable_by(user)
        .filter(status=ReportStatus.SUBMITTED)
        .order_by()
        .values("form_id", "period")
        .annotate(n=Count("id"), last=Max("id"))
    )
    forms = _forms_by_pk() if rows else {}
    items = []
    for row in rows:
        form, period = forms[row["form_id"]], Period.parse(row["period"])
        items.append(
            Item(
                _("%(count)s báo cáo chờ duyệt: %(form)s — %(period)s")
                % {"count": _n(row["n"]), "form": form.title, "period": period.label},
                row["n"],
                _report_url(row["last"])
                if row["n"] == 1
                else _list_url(status=ReportStatus.SUBMITTED, form=form.code, period=period.code),
                ItemKind.REVIEW,
                Severity.WARNING,
                source=SOURCE,
            )
        )
    return items


def to_follow(user: Any, today: dt.date | None = None) -> list[Item]:
    """Who has not reported yet for the last ended period of each form the user reviews: a
    province its organisations, central officers the provinces (`completeness`)."""
    reviews = reach(user, Action.REVIEW, Kind.REPORT)
    if not reviews:
        return []
    today = today or timezone.localdate()
    forms = ReportForm.objects.filter(is_active=True)
    provinces: list[str] | None = None
    if Reach.ALL not in reviews:
        if Reach.PROVINCE_ORGANISATIONS in reviews and getattr(user, "province_id", None):
            forms = forms.filter(respondent=Respondent.ORGANISATION)
            provinces = [user.province_id]
        elif Reach.SUMMARIES in reviews:
            forms = forms.filter(respondent=Respondent.PROVINCE)
        else:
            return []
    items = []
    for form in forms:
        period = Period.last_ended(form.periodicity, today)
        missing = completeness.summary(completeness.table(form, period, provinces))
        count = max(missing["expected"] - missing["received"], 0)
        deadline = period.deadline(form.deadline_days)
        query = urlencode({"form": form.code, "period": period.code})
        title = (
            _("%(count)s tỉnh chưa nộp %(form)s — %(period)s")
            if form.respondent == Respondent.PROVINCE
            else _("%(count)s tổ chức chưa nộp %(form)s — %(period)s")
        )
        items.append(
            Item(
                title % {"count": _n(count), "form": form.title, "period": period.label},
                count,
                f"{reverse('reporting:completeness')}?{query}",
                ItemKind.FOLLOW,
                Severity.INFO,
                deadline=deadline,
                detail=_("Đã nhận %(received)s / %(expected)s")
                % {"received": _n(missing["received"]), "expected": _n(missing["expected"])},
                source=SOURCE,
            )
        )
    return items


def imports(user: Any) -> list[Item]:
    titles = inbox.JobTitles(
        done=_("%(count)s lượt nhập báo cáo đã ghi xong"),
        failed=_("%(count)s lượt nhập báo cáo thất bại hoặc có lỗi"),
        valid=_("%(count)s lượt nhập báo cáo đã kiểm tra xong, chờ bạn ghi"),
    )
    return inbox.job_items(
        ReportImportJob.objects.visible_to(user),
        user,
        titles,
        reverse("reporting:import"),
        lambda pk: reverse("reporting:import-job", args=[pk]),
        SOURCE,
    )


def provide(user: Any) -> Iterable[Item]:
    return [*to_fill(user), *to_review(user), *to_follow(user), *imports(user)]


def register() -> None:
    inbox.register(provide, "reporting")

"""Statistical reporting: report forms as versioned data, reports and their review, the
indicator catalogue, sourced targets, the pre-aggregated cube and released periods.

Reads start from `Report.objects.visible_to(user)`; writes go through `reporting.services`
(reports) and `reporting.cube` (the cube, called by the services in their transaction).
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Action, Kind, Scope, ScopedQuerySet, may

from .periods import Period, validate_code


def _english() -> bool:
    return (get_language() or "vi").startswith("en")


TOTAL = "_T"  # SDMX's code for "all" in a disaggregation
NATIONAL = "VN"  # the area code of the whole country


class Periodicity(models.TextChoices):
    YEAR = "year", _("Hằng năm")
    HALF = "half", _("6 tháng")


class Respondent(models.TextChoices):
    ORGANISATION = "organisation", _("Tổ chức kinh tế tập thể")
    PROVINCE = "province", _("Tỉnh/thành phố")


class ReportForm(models.Model):
    """A periodic report (e.g. the yearly HTX report); its fields and rules are in versions."""

    code = models.SlugField(_("mã biểu mẫu"), max_length=40, unique=True)
    name = models.CharField(_("tên biểu mẫu"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    periodicity = models.CharField(_("kỳ báo cáo"), max_length=8, choices=Periodicity.choices)
    respondent = models.CharField(_("đơn vị báo cáo"), max_length=16, choices=Respondent.choices)
    organisation_kinds = models.JSONField(_("loại hình báo cáo"), default=list, blank=True)
    deadline_days = models.PositiveSmallIntegerField(
        _("hạn nộp (số ngày sau khi hết kỳ)"),
        help_text=_("15 nghĩa là ngày 15/01 đối với báo cáo năm."),
    )
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=300, blank=True)
    is_active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("biểu mẫu báo cáo")
        verbose_name_plural = _("biểu mẫu báo cáo")

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """The name in the reader's language."""
        return self.name_en if _english() and self.name_en else self.name


class FormVersion(models.Model):
    """The fields, validation rules and outlier checks of a form from a period on.

    `definition` = {"fields": [...], "rules": [...], "outliers": {...}}; see `definitions.py`.
    A new version is data (`services.add_form_version`); reports keep the version they began.
    """

    form = models.ForeignKey(ReportForm, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField(_("phiên bản"))
    valid_from = models.CharField(_("áp dụng từ kỳ"), max_length=7, validators=[validate_code])
    definition = models.JSONField(_("định nghĩa"))
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["form_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["form", "number"], name="form_version_unique"),
            models.UniqueConstraint(fields=["form", "valid_from"], name="form_version_from"),
        ]
        verbose_name = _("phiên bản biểu mẫu")
        verbose_name_plural = _("phiên bản biểu mẫu")

    def __str__(self) -> str:
        return f"{self.form.code} v{self.number} ({self.valid_from})"


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    SUBMITTED = "submitted", _("Đã nộp, chờ duyệt")
    RETURNED = "returned", _("Bị trả lại")
    APPROVED = "approved", _("Đã duyệt")


OPEN = (ReportStatus.DRAFT, ReportStatus.RETURNED)  # still being filled in


class ReportQuerySet(ScopedQuerySet):
    """Reports carry business figures: not public (`Report.scope`). Visible to national roles,
    a province's officer and the organisation's manager; filled in (drafts and returned
    reports) by the organisation's manager or its province's officer, a province's summary by
    its officer; reviewed by the province (its organisations') and central officers (the
    provinces' summaries); the system admin anything."""


class Report(models.Model):
    """One respondent's report for one period of one form."""

    form = models.ForeignKey(ReportForm, on_delete=models.PROTECT, related_name="reports")
    form_version = models.ForeignKey(FormVersion, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(_("kỳ báo cáo"), max_length=7, validators=[validate_code])
    organisation = models.ForeignKey(
        "registry.Organisation",
        verbose_name=_("tổ chức"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reports",
    )
    # The organisation's current province (kept when it moves), or the reporting province.
    province = models.ForeignKey(
        "core.Province",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    values = models.JSONField(_("số liệu"), default=dict, blank=True)
    flags = models.JSONField(_("cảnh báo cho người duyệt"), default=list, blank=True)
    comment = models.TextField(_("ý kiến của người duyệt"), blank=True)
    # What approval added to the cube (dimensions and measures), subtracted when reopened.
    contribution = models.JSONField(default=dict, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    submitted_at = models.DateTimeField(_("nộp lúc"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("duyệt lúc"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        Kind.REPORT,
        province="province_id",
        organisation="organisation",
        conditions={Action.EDIT: Q(status__in=OPEN)},
    )
    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-period", "id"]
        verbose_name = _("báo cáo")
        verbose_name_plural = _("báo cáo")
        constraints = [
            models.UniqueConstraint(
                fields=["form", "period", "organisation"],
                condition=Q(organisation__isnull=False),
                name="report_one_per_organisation",
                violation_error_message=_("Tổ chức đã có báo cáo cho kỳ này."),
            ),
            models.UniqueConstraint(
                fields=["form", "period", "province"],
                condition=Q(organisation__isnull=True),
                name="report_one_per_province",
                violation_error_message=_("Tỉnh đã có báo cáo tổng hợp cho kỳ này."),
            ),
        ]
        indexes = [
            models.Index(
                fields=["form", "period", "province", "status"], name="report_completeness"
            ),
            models.Index(fields=["organisation", "form", "period"], name="report_organisation"),
            # The review queue of the inbox (`reporting/inbox.py`): submitted reports only, by
            # province — a few rows, however many approved reports the years pile up.
            models.Index(
                fields=["province", "form", "period"],
                condition=Q(status="submitted"),
                name="report_review_queue",
            ),
            # The list's sorts (reporting/lists.py): keyset pages on (field, id).
            models.Index(fields=["period", "id"], name="report_period"),
            models.Index(fields=["updated_at", "id"], name="report_updated"),
        ]

    def __str__(self) -> str:
        who = self.organisation or self.province
        return f"{self.form.code} {self.period} — {who}"


class Source(models.TextChoices):
    REGISTRY = "registry", _("Sổ đăng ký HTX Số")
    REPORT = "report", _("Báo cáo định kỳ")
    DERIVED = "derived", _("Tính từ chỉ tiêu khác")
    # Counted by another app of HTX Số and handed over through `core.facts` (the marketplace).
    PROVIDED = "provided", _("Chợ HTX và các ứng dụng khác của HTX Số")


class Indicator(models.Model):
    """An indicator of the catalogue: what it measures, how, in what unit, from what source.

    `measure` is data: {"registry": "count" | "sum:members_count" | "count_if:is_high_tech"…},
    {"report": "<form code>", "measure": "sum:<field>" | "count_if:<field>" | "count"}, or
    {"ratio": ["<numerator>", "<denominator>"], "scale": 100}. See `cube.py`.
    """

    code = models.SlugField(_("mã chỉ tiêu"), max_length=40, unique=True)
    name = models.CharField(_("tên chỉ tiêu"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200)
    definition = models.TextField(_("khái niệm"))
    definition_en = models.TextField(_("khái niệm (tiếng Anh)"), blank=True)
    formula = models.CharField(_("cách tính"), max_length=300)
    unit = models.CharField(_("đơn vị tính"), max_length=20)
    source = models.CharField(_("nguồn số liệu"), max_length=12, choices=Source.choices)
    measure = models.JSONField(_("phép tính"))
    disaggregations = models.JSONField(_("phân tổ"), default=list)
    periodicity = models.CharField(_("kỳ"), max_length=8, choices=Periodicity.choices)
    order = models.PositiveSmallIntegerField(default=0)
    is_published = models.BooleanField(_("công bố"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("chỉ tiêu thống kê")
        verbose_name_plural = _("chỉ tiêu thống kê")

    def __str__(self) -> str:
        return self.name


class Target(models.Model):
    """A target with its source document: national (area VN) or a province's."""

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="targets")
    kind = models.CharField(_("loại hình"), max_length=24, default=TOTAL)
    area = models.CharField(_("địa bàn"), max_length=2, default=NATIONAL)  # VN or a province
    year = models.PositiveSmallIntegerField(_("năm mục tiêu"))
    value = models.FloatField(_("giá trị mục tiêu"))
    comparison = models.CharField(_("so sánh"), max_length=2, default=">=")
    label = models.CharField(_("mục tiêu"), max_length=200)
    label_en = models.CharField(_("mục tiêu (tiếng Anh)"), max_length=200, blank=True)
    source_document = models.CharField(_("văn bản nguồn"), max_length=300)
    baseline_year = models.PositiveSmallIntegerField(_("năm gốc"), null=True, blank=True)

    class Meta:
        ordering = ["area", "year", "indicator__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "kind", "area", "year"], name="target_unique"
            )
        ]
        verbose_name = _("mục tiêu")
        verbose_name_plural = _("mục tiêu")

    def __str__(self) -> str:
        return f"{self.label} ({self.year})"

    @property
    def title(self) -> str:
        return self.label_en if _english() and self.label_en else self.label


# A cell of an organisation form's figures built from fewer approved reports than this is
# one or two cooperatives' own business figures: suppressed for everyone who does not see live
# data (primary suppression; reports themselves are not public).
MIN_REPORTS = 3


def released_periods() -> set[str]:
    """Released codes, a released year releasing its two half-years."""
    out: set[str] = set()
    for code in Release.objects.values_list("period", flat=True):
        out.add(code)
        out.update(p.code for p in Period.parse(code).halves())
    return out


def _released() -> Q:
    return Q(period__in=sorted(released_periods()))


def sees_live(user: Any, area: str) -> bool:
    """Whether `user` sees live figures of `area` (a province, `VN`, or "*": every province at
    once, as the map and the downloads compare them): national roles everywhere, a
    provincial officer their own province (`core.scoping.TABLE`, statistics)."""
    return may(user, Action.VIEW, IndicatorCell(area=area), scope=IndicatorCell.live_scope)


def is_small(reports: float | None) -> bool:
    """Whether a report figure resting on `reports` approved reports is suppressed for those who
    do not see live data."""
    return (reports or 0) < MIN_REPORTS


class IndicatorCellQuerySet(ScopedQuerySet):
    def visible_to(self, user: Any, area: str = "*") -> "IndicatorCellQuerySet":
        """The cells `user` may see when looking at `area`: all of them live, otherwise the
        released periods only (small report cells: `is_small`, applied where the figures
        are read with what they rest on)."""
        if sees_live(user, area):
            return self.all()
        published = IndicatorCell.scope.published
        return self.filter(published()) if published else self.none()

    def large(self, counters: set[str]) -> set[tuple]:
        """Coordinates of the counter cells (approved reports) large enough to be shown."""
        return set(
            self.filter(indicator__in=counters, value__gte=MIN_REPORTS).values_list(
                "indicator", "period", "area", "kind", "sector", "status"
            )
        )


class IndicatorCell(models.Model):
    """One pre-aggregated figure: indicator × period × area × kind × sector × status.

    Totals are `_T`. Stored roll-ups: all, by kind, by sector, by status, by kind × status,
    for each province and for the nation (`VN`). Writers apply deltas (`cube.apply`).
    """

    indicator = models.CharField(max_length=40)
    period = models.CharField(max_length=7)
    area = models.CharField(max_length=2)
    kind = models.CharField(max_length=24, default=TOTAL)
    sector = models.CharField(max_length=2, default=TOTAL)
    status = models.CharField(max_length=16, default=TOTAL)
    value = models.BigIntegerField(default=0)

    scope = Scope(Kind.STATISTICS, province="area", published=_released)
    live_scope = Scope(Kind.STATISTICS, province="area")  # live figures only
    objects = IndicatorCellQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "area", "kind", "sector", "status"],
                name="cell_unique",
            )
        ]
        indexes = [
            models.Index(fields=["area", "period"], name="cell_area_period"),
            models.Index(fields=["period", "kind", "sector", "status"], name="cell_map"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.period} {self.area}: {self.value}"


class Release(models.Model):
    """A period whose figures are published: the public sees released periods only."""

    period = models.CharField(_("kỳ"), max_length=7, unique=True, validators=[validate_code])
    released_at = models.DateTimeField(_("công bố lúc"), auto_now_add=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("kỳ số liệu đã công bố")
        verbose_name_plural = _("kỳ số liệu đã công bố")

    def __str__(self) -> str:
        return self.period


# The report import's jobs live in their own module; importing them here registers them.
from .import_models import ReportImportIssue, ReportImportJob  # noqa: E402, F401

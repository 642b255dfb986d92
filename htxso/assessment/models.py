"""Assessments of organisations: rule sets (versioned data), the yearly classification and its
history, advisers assigned to organisations, digital-maturity assessments, their advice plans
and follow-up visits. Services (`services.py`, `advice.py`) are the only writes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Action, Kind, Scope, ScopedQuerySet

# From an assessment row to the advisers of its organisation (Reach.ADVISED).
ADVISED = "organisation__adviser_assignments__adviser_id"


class RuleSetKind(models.TextChoices):
    CLASSIFICATION = "classification", _("Phân loại, đánh giá HTX")
    DX = "dx", _("Mức độ chuyển đổi số")


class RuleSet(models.Model):
    """A version of the rules, applying from `applies_from` (a year) until a later version of
    the same kind. Assessments point to the version they were made with."""

    kind = models.CharField(_("loại"), max_length=16, choices=RuleSetKind.choices)
    code = models.CharField(_("mã phiên bản"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    applies_from = models.PositiveSmallIntegerField(_("áp dụng từ năm"))
    definition = models.JSONField(_("định nghĩa"))
    created_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(Kind.CATALOGUE)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("bộ tiêu chí")
        verbose_name_plural = _("bộ tiêu chí")
        constraints = [
            models.UniqueConstraint(fields=["kind", "applies_from"], name="ruleset_kind_from")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.applies_from})"


class AdviserAssignment(models.Model):
    """An alliance adviser assigned to advise an organisation: the relation that gives the
    adviser role its reach (`Reach.ADVISED`). Ending an assignment deletes the row (the audit
    log keeps who advised whom, when)."""

    adviser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="advised"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.CASCADE, related_name="adviser_assignments"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("từ ngày"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = Scope(
        Kind.ADVICE, province="province_id", organisation="organisation_id", advised="adviser_id"
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân công tư vấn")
        constraints = [
            models.UniqueConstraint(fields=["adviser", "organisation"], name="assignment_once")
        ]
        indexes = [models.Index(fields=["province", "adviser"], name="assignment_prov")]

    def __str__(self) -> str:
        return f"{self.adviser_id} → {self.organisation_id}"


class ClassificationStatus(models.TextChoices):
    DRAFT = "draft", _("Đang tự chấm")
    SUBMITTED = "submitted", _("Đã nộp, chờ tỉnh duyệt")
    RETURNED = "returned", _("Tỉnh trả lại")
    APPROVED = "approved", _("Tỉnh đã duyệt")
    EXCLUDED = "excluded", _("Không xếp loại")


EDITABLE = (ClassificationStatus.DRAFT, ClassificationStatus.RETURNED)


class Classification(models.Model):
    """One organisation's classification for one year: the manager's self-scores, the
    province's adjustments (each with its reason), the total and grade they give, the status.
    An approved one is the organisation's classification for that year (the history)."""

    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="classifications"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ClassificationStatus.choices,
        default=ClassificationStatus.DRAFT,
    )
    scores = models.JSONField(_("điểm tự chấm"), default=dict, blank=True)
    prefilled = models.JSONField(_("điểm điền sẵn"), default=dict, blank=True)  # code → source
    adjustments = models.JSONField(_("điểm tỉnh điều chỉnh"), default=dict, blank=True)
    exclusion = models.CharField(_("lý do không xếp loại"), max_length=40, blank=True)
    total = models.PositiveSmallIntegerField(_("tổng điểm"), default=0)
    grade = models.CharField(_("xếp loại"), max_length=12, blank=True)
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        Kind.CLASSIFICATION,
        province="province_id",
        organisation="organisation_id",
        advised=ADVISED,
        conditions={Action.EDIT: Q(status__in=EDITABLE)},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phân loại HTX")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year"], name="classification_year")
        ]
        indexes = [
            models.Index(fields=["province", "year", "status", "id"], name="class_queue"),
            models.Index(fields=["year", "status"], name="class_year_status"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}/{self.year}"

    @property
    def final_scores(self) -> dict[str, int]:
        """The self-scores with the province's adjustments applied."""
        out = dict(self.scores)
        for code, change in self.adjustments.items():
            out[code] = change["points"]
        return out


class GradeTally(models.Model):
    """Approved grades per year × province × grade, kept by the approvals (+1/−1 in their
    transaction): the grade dashboards read these few rows, never the classifications."""

    year = models.PositiveSmallIntegerField()
    province = models.ForeignKey("core.Province", on_delete=models.CASCADE, related_name="+")
    grade = models.CharField(max_length=12)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["year", "province", "grade"], name="tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.year}/{self.province_id}/{self.grade}: {self.count}"


class DxTally(models.Model):
    """DX assessments per year × province × pillar × level, kept by `advice.assess` (+1 per
    pillar in its transaction): the DX dashboard reads these rows, never the assessments."""

    year = models.PositiveSmallIntegerField()
    province = models.ForeignKey("core.Province", on_delete=models.CASCADE, related_name="+")
    pillar = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField()
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["year", "province", "pillar", "level"], name="dx_tally_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year}/{self.province_id}/{self.pillar}={self.level}: {self.count}"


class DxAssessment(models.Model):
    """A digital-maturity assessment of an organisation (by its adviser or its manager)."""

    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="dx_assessments"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("ngày đánh giá"))
    answers = models.JSONField(_("câu trả lời"), default=dict)
    pillar_levels = models.JSONField(_("mức theo trụ cột"), default=dict)
    overall_level = models.PositiveSmallIntegerField(_("mức chung"), default=0)
    share = models.DecimalField(_("tỷ lệ điểm (%)"), max_digits=5, decimal_places=2, default=0)
    plan_agreed_on = models.DateField(_("ngày thống nhất kế hoạch"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        Kind.ADVICE, province="province_id", organisation="organisation_id", advised=ADVISED
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đánh giá chuyển đổi số")
        indexes = [
            models.Index(fields=["organisation", "assessed_on", "id"], name="dx_org"),
            models.Index(fields=["province", "assessed_on", "id"], name="dx_province"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}@{self.assessed_on}"


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Đã lên kế hoạch")
    DOING = "doing", _("Đang làm")
    DONE = "done", _("Đã xong")
    DROPPED = "dropped", _("Bỏ")


class AdviceAction(models.Model):
    """One action of an assessment's advice plan (generated from the gaps, then edited)."""

    assessment = models.ForeignKey(DxAssessment, on_delete=models.CASCADE, related_name="actions")
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    pillar = models.CharField(_("trụ cột"), max_length=40)
    text = models.CharField(_("hành động"), max_length=300)
    priority = models.CharField(_("ưu tiên"), max_length=8)
    effort = models.CharField(_("công sức"), max_length=8)
    due_on = models.DateField(_("hạn"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.PLANNED
    )
    version = models.PositiveIntegerField(default=1)

    scope = Scope(
        Kind.ADVICE,
        province="province_id",
        organisation="organisation_id",
        advised=ADVISED,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hành động tư vấn")
        indexes = [models.Index(fields=["province", "status", "due_on"], name="action_due")]

    def __str__(self) -> str:
        return self.text


class FollowUpVisit(models.Model):
    """A visit of the adviser after the plan: what was done, what comes next."""

    assessment = models.ForeignKey(DxAssessment, on_delete=models.CASCADE, related_name="visits")
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    visited_on = models.DateField(_("ngày thăm"))
    notes = models.TextField(_("ghi chép"))
    next_visit_on = models.DateField(_("lần thăm tới"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = Scope(
        Kind.ADVICE,
        province="province_id",
        organisation="organisation_id",
        advised=ADVISED,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần thăm theo dõi")
        indexes = [models.Index(fields=["province", "next_visit_on"], name="visit_next")]

    def __str__(self) -> str:
        return f"{self.assessment_id}@{self.visited_on}"


class Evidence(models.Model):
    """A file the manager attaches to a criterion of their self-scoring (PDF, JPEG or PNG by its
    bytes: `core.uploads.store_document`), read by the province in review. Seen and downloaded
    by whoever sees the classification; added and removed while the manager may edit it."""

    classification = models.ForeignKey(
        Classification, on_delete=models.CASCADE, related_name="evidence"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    criterion = models.CharField(_("tiêu chí"), max_length=20)
    file = models.FileField(upload_to="assessment/%Y/%m/", max_length=300)
    filename = models.CharField(_("tên tệp"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(_("dung lượng"))
    content_kind = models.CharField(max_length=8)  # pdf, jpeg, png: by the bytes
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    scope = Scope(
        Kind.CLASSIFICATION,
        province="province_id",
        organisation="organisation_id",
        advised=ADVISED,
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("minh chứng")
        indexes = [models.Index(fields=["classification", "criterion", "id"], name="evidence_of")]

    def __str__(self) -> str:
        return self.filename


class RoundStatus(models.TextChoices):
    SENT = "sent", _("Đã gửi trung ương")
    RECEIVED = "received", _("Trung ương đã tiếp nhận")
    RETURNED = "returned", _("Trung ương trả lại tỉnh")


# While a province's results are with the centre, its round of that year is closed.
CLOSED = (RoundStatus.SENT, RoundStatus.RECEIVED)


class ProvinceRound(models.Model):
    """A province's classification results of a year, sent to the centre (by 21/12) once every
    submitted classification is decided: the figures as sent, who sent them and when, late or
    not; central officers receive them or return them to the province (with a reason). While
    sent or received, the province's round of that year takes no more submissions nor
    decisions."""

    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("năm"))
    status = models.CharField(_("trạng thái"), max_length=10, choices=RoundStatus.choices)
    # As sent: grade → count, "excluded", "pending" (begun, never submitted), "total".
    counts = models.JSONField(_("số liệu đã gửi"), default=dict)
    sent_at = models.DateTimeField(_("ngày gửi"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    late = models.BooleanField(_("gửi quá hạn"), default=False)
    received_at = models.DateTimeField(_("ngày tiếp nhận"), null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    return_reason = models.TextField(_("lý do trả lại"), blank=True)
    version = models.PositiveIntegerField(default=1)

    scope = Scope(Kind.ROUND, province="province_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả phân loại của tỉnh")
        constraints = [
            models.UniqueConstraint(fields=["province", "year"], name="province_round_once")
        ]
        indexes = [models.Index(fields=["year", "status"], name="province_round_year")]

    def __str__(self) -> str:
        return f"{self.province_id}/{self.year}"


class Stamp(models.Model):
    """A value per province (and `*` for the rule sets) changed, in the write's transaction,
    by every write the dashboards read (approvals, DX assessments, assignments, plan actions):
    the dashboards' cache is keyed by the stamps they depend on (`stamps.py`)."""

    scope = models.CharField(max_length=8, primary_key=True)
    n = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.scope}: {self.n}"

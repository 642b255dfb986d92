"""The steering committee's follow-up: agencies (ministries and provinces, reference data),
directives, the tasks they give, the progress reports the assignees send, and the reminders
sent (one row per task, kind and deadline: a reminder goes out once).

A task's status is never typed: `status.py` computes it from the dates and the accepted
reports, in SQL where lists filter by it. The columns it reads (`effective_due_on`,
`warn_from`, `last_reported_on`, `completed_on`) are derived by `services.py` from the
deadline or the recurrence, the working-day calendar (`core.workdays`) and the reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Kind, Scope, ScopedQuerySet


class AgencyKind(models.TextChoices):
    MINISTRY = "ministry", _("Bộ, ngành")
    PROVINCE = "province", _("Tỉnh, thành phố")
    OTHER = "other", _("Cơ quan khác")


class Agency(models.Model):
    """A ministry, a province's people's committee, or another body tasks are given to."""

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên cơ quan"), max_length=200)
    kind = models.CharField(_("loại"), max_length=10, choices=AgencyKind.choices)
    province = models.OneToOneField(
        "core.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    email = models.EmailField(_("thư điện tử đầu mối"), blank=True)
    # Its focal points are designations (designations/models.py); a province's people's
    # committee's are also its province's officers, by role.

    class Meta:
        ordering = ["kind", "name"]
        verbose_name = _("cơ quan")
        verbose_name_plural = _("cơ quan")

    def __str__(self) -> str:
        return self.name


class Directive(models.Model):
    number = models.CharField(_("số hiệu"), max_length=40, unique=True)
    issued_on = models.DateField(_("ngày ban hành"))
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200)
    subject = models.CharField(_("trích yếu"), max_length=500)
    public = models.BooleanField(_("công khai"), default=True)
    file = models.FileField(upload_to="tasks/directives/%Y/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(Kind.TASK, province="tasks__province_id", published=lambda: Q(public=True))
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["issued_on", "id"], name="tasks_dir_issued")]
        verbose_name = _("văn bản chỉ đạo")
        verbose_name_plural = _("văn bản chỉ đạo")

    def __str__(self) -> str:
        return self.number


class Recurrence(models.TextChoices):
    ONCE = "once", _("Một lần (có hạn)")
    MONTHLY = "monthly", _("Hằng tháng")
    QUARTERLY = "quarterly", _("Hằng quý")
    YEARLY = "yearly", _("Hằng năm")


class Task(models.Model):
    directive = models.ForeignKey(Directive, on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("nhiệm vụ"), max_length=500)
    assignee = models.ForeignKey(
        Agency, verbose_name=_("cơ quan được giao"), on_delete=models.PROTECT, related_name="tasks"
    )
    lead = models.ForeignKey(
        Agency,
        verbose_name=_("cơ quan chủ trì"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    coordinating = models.ManyToManyField(Agency, blank=True, related_name="coordinated_tasks")
    recurrence = models.CharField(
        _("thời hạn"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    due_on = models.DateField(_("hạn"), null=True, blank=True)  # once: the deadline as written
    starts_on = models.DateField(_("kỳ đầu tiên từ"), null=True, blank=True)  # recurring
    ends_on = models.DateField(_("kỳ cuối cùng đến"), null=True, blank=True)  # recurring
    report_day = models.PositiveSmallIntegerField(_("ngày báo cáo (tháng sau kỳ)"), default=5)
    expected_output = models.CharField(_("sản phẩm dự kiến"), max_length=500, blank=True)
    # Codes of reporting's targets/indicators, kept as data (no import of another app).
    indicator_codes = models.CharField(_("mã chỉ tiêu liên quan"), max_length=200, blank=True)
    # Derived by services (never typed): the assignee's province (scope), the current period,
    # its deadline moved to a working day, when reminders start, the last report, completion.
    province = models.ForeignKey(
        "core.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(null=True, blank=True)
    effective_due_on = models.DateField(_("hạn (ngày làm việc)"))
    warn_from = models.DateField()
    percent_done = models.PositiveSmallIntegerField(null=True, blank=True)  # last accepted
    last_reported_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    awaiting_review = models.BooleanField(default=False)  # a report waits for the secretariat
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(Kind.TASK, province="province_id", focal="assignee_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["effective_due_on", "id"], name="tasks_task_due"),
            models.Index(fields=["assignee", "effective_due_on"], name="tasks_task_agency"),
            models.Index(fields=["directive", "effective_due_on"], name="tasks_task_directive"),
            models.Index(fields=["province", "effective_due_on"], name="tasks_task_province"),
            models.Index(fields=["completed_on", "effective_due_on"], name="tasks_task_open"),
            models.Index(fields=["warn_from"], name="tasks_task_warn"),
            models.Index(fields=["updated_at"], name="tasks_task_updated"),  # dashboards' cache
            # The dashboards' grouped counts read only these columns (index-only scans).
            models.Index(
                fields=["assignee", "effective_due_on", "warn_from"],
                include=["completed_on", "last_reported_on", "directive", "province"],
                name="tasks_task_counts",
            ),
            models.Index(
                fields=["effective_due_on", "id"],
                condition=models.Q(awaiting_review=True),
                name="tasks_task_waiting",
            ),
        ]
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")

    def __str__(self) -> str:
        return self.title


class Tally(models.Model):
    """How many tasks share what their status reads (`tally.py`): the assignee, the effective
    deadline and warning day, open or done on time / late, reported or not. Summed at read
    time over date ranges, it gives the dashboards' counts for any day without reading the
    tasks; the services move a task between rows as they write. Completed tasks count under
    one row per assignee and outcome (`tally.DONE`: their status no longer changes with
    time). The province is the assignee's (as `Task.province`)."""

    assignee = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="+")
    province = models.ForeignKey(
        "core.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    due = models.DateField()
    warn_from = models.DateField()
    done = models.PositiveSmallIntegerField(default=0)  # 0 open, 1 on time, 2 late
    reported = models.BooleanField(default=False)
    n = models.IntegerField(default=0)

    scope = Scope(Kind.TASK, province="province_id", focal="assignee_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["assignee", "due", "warn_from", "done", "reported"], name="tasks_tally_key"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.assignee_id} {self.due} {self.warn_from} {self.done} {self.reported}: {self.n}"
        )


class ReportState(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ Văn phòng xem xét")
    ACCEPTED = "accepted", _("Đã chấp nhận")
    RETURNED = "returned", _("Trả lại để bổ sung")


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reports")
    period_start = models.DateField(null=True, blank=True)  # the period reported (recurring)
    text = models.TextField(_("nội dung"))
    percent = models.PositiveSmallIntegerField(_("tỷ lệ hoàn thành (%)"))
    file = models.FileField(upload_to="tasks/reports/%Y/", blank=True)
    filename = models.CharField(max_length=255, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_on = models.DateField()
    submitted_at = models.DateTimeField(auto_now_add=True)
    state = models.CharField(
        max_length=10, choices=ReportState.choices, default=ReportState.SUBMITTED
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(_("ý kiến của Văn phòng"), blank=True)  # internal
    version = models.PositiveIntegerField(default=1)

    scope = Scope(Kind.TASK, province="task__province_id", focal="task__assignee_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["task", "submitted_at"], name="tasks_report_task"),
            models.Index(fields=["state", "submitted_at"], name="tasks_report_state"),
        ]
        verbose_name = _("báo cáo tiến độ")
        verbose_name_plural = _("báo cáo tiến độ")

    def __str__(self) -> str:
        return f"{self.task_id}: {self.submitted_on:%d/%m/%Y} {self.percent}%"


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Nhắc trước hạn")
    OVERDUE = "overdue", _("Nhắc quá hạn")


class Reminder(models.Model):
    """A reminder sent: the unique row is what makes it go out exactly once."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    due_on = models.DateField()  # the deadline (working day) it is about: one per period
    sent_at = models.DateTimeField(auto_now_add=True)
    recipients = models.PositiveIntegerField(default=0)

    scope = Scope(Kind.TASK, province="task__province_id", focal="task__assignee_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "kind", "due_on"], name="tasks_reminder_once")
        ]
        verbose_name = _("lời nhắc")
        verbose_name_plural = _("lời nhắc")

    def __str__(self) -> str:
        return f"{self.task_id} {self.kind} {self.due_on:%d/%m/%Y}"


from .designations.models import Designation  # noqa: E402, F401  (this app's too)
from .forum.models import (  # noqa: E402, F401  (the forum's models belong to this app)
    ConnectionPoint,
    Delegate,
    Edition,
    EditionDocument,
    Recommendation,
)

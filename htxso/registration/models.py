"""Registration applications: a founder's dossier (the application, its founding members, its
files), its timeline, and the certificates issued on approval. The workflow is the explicit
state machine `TRANSITIONS`; services (`services.py`, `decisions.py`) are the only writes."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Action, Kind, Scope, ScopedQuerySet
from htxso.registry.choices import MemberKind, OrganisationKind, Sector


class Status(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Đã nộp")
    IN_REVIEW = "in_review", _("Đang xem xét")
    NEEDS_CORRECTION = "needs_correction", _("Cần sửa đổi, bổ sung")
    RESUBMITTED = "resubmitted", _("Đã nộp lại")
    APPROVED = "approved", _("Đã cấp đăng ký")
    REFUSED = "refused", _("Từ chối")
    WITHDRAWN = "withdrawn", _("Đã rút hồ sơ")


# action → (the statuses it starts from, the status it leads to): the whole workflow.
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "submit": (frozenset({Status.DRAFT}), Status.SUBMITTED),
    "resubmit": (frozenset({Status.NEEDS_CORRECTION}), Status.RESUBMITTED),
    "take": (frozenset({Status.SUBMITTED, Status.RESUBMITTED}), Status.IN_REVIEW),
    "ask_corrections": (frozenset({Status.IN_REVIEW}), Status.NEEDS_CORRECTION),
    "approve": (frozenset({Status.IN_REVIEW}), Status.APPROVED),
    "refuse": (frozenset({Status.IN_REVIEW}), Status.REFUSED),
    "withdraw": (
        frozenset(
            {
                Status.DRAFT,
                Status.SUBMITTED,
                Status.IN_REVIEW,
                Status.NEEDS_CORRECTION,
                Status.RESUBMITTED,
            }
        ),
        Status.WITHDRAWN,
    ),
}
EDITABLE = frozenset({Status.DRAFT, Status.NEEDS_CORRECTION})  # the applicant fills it in
WAITING = frozenset({Status.SUBMITTED, Status.RESUBMITTED, Status.IN_REVIEW})  # the office's
DECIDED = frozenset({Status.APPROVED, Status.REFUSED, Status.WITHDRAWN})


class Purpose(models.TextChoices):
    """What an application asks: a new registration, a change of a registered organisation's
    facts, or its dissolution (the last two name the organisation)."""

    REGISTER = "register", _("Đăng ký thành lập")
    CHANGE = "change", _("Đăng ký thay đổi")
    DISSOLVE = "dissolve", _("Giải thể")


class Application(models.Model):
    number = models.CharField(_("số hồ sơ"), max_length=20, unique=True, null=True, blank=True)
    kind = models.CharField(_("loại hình"), max_length=24, choices=OrganisationKind.choices)
    purpose = models.CharField(
        _("nội dung đề nghị"), max_length=10, choices=Purpose.choices, default=Purpose.REGISTER
    )
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="applications"
    )
    name = models.CharField(_("tên dự kiến"), max_length=255, blank=True)
    sector = models.CharField(_("ngành (VSIC)"), max_length=1, choices=Sector.choices, blank=True)
    province = models.ForeignKey(
        "core.Province",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    commune = models.ForeignKey(
        "core.Commune",
        verbose_name=_("xã/phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The commune whose office decides (the rules' authority per kind): the commune of the
    # seat for a commune-level kind, none for a province-level one (unions).
    office_commune = models.ForeignKey(
        "core.Commune", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.CharField(_("số nhà, đường, thôn"), max_length=255, blank=True)
    charter_capital = models.BigIntegerField(_("vốn điều lệ (đồng)"), null=True, blank=True)
    legal_representative = models.CharField(
        _("người đại diện theo pháp luật"), max_length=120, blank=True
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    rules_version = models.CharField(max_length=20, blank=True)
    received_on = models.DateField(_("ngày nhận hồ sơ hợp lệ"), null=True, blank=True)
    due_on = models.DateField(_("hạn giải quyết"), null=True, blank=True)
    clock_since = models.DateField(null=True, blank=True)  # when the clock last (re)started
    working_days_used = models.PositiveSmallIntegerField(default=0)  # before the clock stopped
    statement = models.TextField(_("lý do đề nghị"), blank=True)  # a dissolution's reason
    corrections = models.TextField(_("nội dung cần sửa đổi, bổ sung"), blank=True)
    decision_reason = models.TextField(_("lý do"), blank=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # The organisation registered by this application, or the one a change or a dissolution
    # is about (set when such an application starts).
    organisation = models.ForeignKey(
        "registry.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="registration_applications",
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        Kind.APPLICATION,
        province="province_id",
        commune="office_commune_id",
        owner="applicant_id",
        conditions={Action.EDIT: Q(status__in=EDITABLE)},
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hồ sơ đăng ký")
        indexes = [
            models.Index(fields=["province", "status", "due_on", "id"], name="application_queue"),
            models.Index(fields=["applicant", "updated_at"], name="application_own"),
            models.Index(
                fields=["office_commune", "status", "due_on", "id"], name="application_commune"
            ),
        ]
        constraints = [
            # One registration per organisation; changes and dissolutions may be many.
            models.UniqueConstraint(
                fields=["organisation"],
                condition=Q(purpose="register"),
                name="application_registers_once",
            )
        ]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class ChildScope:
    scope = Scope(
        Kind.APPLICATION,
        province="application__province_id",
        commune="application__office_commune_id",
        owner="application__applicant_id",
    )


class FoundingMember(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="members")
    cccd = models.CharField(_("số CCCD"), max_length=12)
    full_name = models.CharField(_("họ và tên"), max_length=120)
    birth_date = models.DateField(_("ngày sinh"))
    kind = models.CharField(
        _("loại thành viên"), max_length=24, choices=MemberKind.choices, default=MemberKind.OFFICIAL
    )
    capital_contributed = models.BigIntegerField(_("vốn góp (đồng)"), default=0)

    scope = ChildScope.scope
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "cccd"], name="founding_member_once")
        ]

    def __str__(self) -> str:
        return self.full_name


class LeavingMember(models.Model):
    """A current member of the organisation a change application is about who leaves it: the
    membership as the registry holds it, the person's name and CCCD as listed (kept for the
    review even once the membership has ended), the leaving date and the reason given. The
    registry keeps no reason of its own: it stays with the application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="leaving")
    # Emptied if the registry deletes the membership (entered by mistake): the row, its name
    # and date stay; approving it is then refused.
    membership = models.ForeignKey(
        "registry.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cccd = models.CharField(_("số CCCD"), max_length=12, blank=True)  # none: a member HTX
    full_name = models.CharField(_("họ và tên"), max_length=255)
    left_on = models.DateField(_("ngày ra khỏi"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)

    scope = ChildScope.scope
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["application", "membership"], name="leaving_member_once"
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class DossierFile(models.Model):
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="files")
    document = models.CharField(_("giấy tờ"), max_length=40)
    file = models.FileField(upload_to="registration/%Y/%m/", max_length=300)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    content_kind = models.CharField(max_length=8)  # pdf, jpeg, png: by the bytes
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope = ChildScope.scope
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["application", "document"], name="dossier_file_once")
        ]

    def __str__(self) -> str:
        return self.filename


class Event(models.Model):
    """One step of an application's timeline (the audit log holds the field changes)."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(max_length=24)
    status = models.CharField(max_length=20, choices=Status.choices)
    note = models.TextField(blank=True)

    scope = ChildScope.scope
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.action}"


class Certificate(models.Model):
    """A registration certificate as issued: its facts are kept as they were printed, so a
    later change supersedes it without rewriting it (verification reads this row)."""

    serial = models.CharField(max_length=24, unique=True)
    application = models.ForeignKey(
        Application, on_delete=models.PROTECT, related_name="certificates"
    )
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="certificates"
    )
    code = models.CharField(_("mã số"), max_length=20)
    facts = models.JSONField()  # name, kind, address, representative, capital as printed
    issued_at = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)

    scope = Scope(Kind.REGISTRY, province="organisation__province_id")  # public facts
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.serial


class CodeCounter(models.Model):
    """The next number of a sequence (tax codes issued by the embedded issuer, application and
    certificate numbers), read under a row lock: no two issues get the same number."""

    name = models.CharField(max_length=40, primary_key=True)
    next_value = models.BigIntegerField()

    def __str__(self) -> str:
        return self.name

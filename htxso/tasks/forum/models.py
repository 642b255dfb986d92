"""The yearly forum on the collective economy and cooperatives (Diễn đàn Kinh tế hợp tác,
hợp tác xã): an edition (theme, programme, documents), held in person and online to one
connection point per province (điểm cầu: its host and attendance), the delegates registered at
each point, and the recommendations (kiến nghị: difficulties and proposals) raised by
cooperatives, unions and provinces before and after the forum — grouped by topic, routed to
the competent agency, answered, and turned into a follow-up task with one action.

What is derived is never typed: a recommendation's stage (before/after the forum) comes from
the day it was raised, the raiser's kind from the account that raised it (`services.py`)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Kind, Scope, ScopedQuerySet


def _everything() -> Q:
    """Every row (`core.scoping` reads an empty term as every row, whatever else it is OR-ed
    with)."""
    return Q()


class Edition(models.Model):
    year = models.PositiveSmallIntegerField(_("năm"), unique=True)
    theme = models.CharField(_("chủ đề"), max_length=300)
    held_on = models.DateField(_("ngày tổ chức"))
    venue = models.CharField(_("điểm cầu chính"), max_length=200)
    programme = models.TextField(_("chương trình"), blank=True)  # one line per item
    directive = models.ForeignKey(  # the follow-up directive its tasks hang on (made on demand)
        "tasks.Directive", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(Kind.FORUM, published=_everything)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("diễn đàn")
        verbose_name_plural = _("diễn đàn")

    def __str__(self) -> str:
        return f"{self.year}: {self.theme}"

    def programme_lines(self) -> list[str]:
        return [line.strip() for line in self.programme.splitlines() if line.strip()]


class EditionDocument(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("tên tài liệu"), max_length=300)
    file = models.FileField(upload_to="tasks/forum/%Y/")
    filename = models.CharField(max_length=255)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    scope = Scope(Kind.FORUM, published=_everything)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("tài liệu diễn đàn")
        verbose_name_plural = _("tài liệu diễn đàn")

    def __str__(self) -> str:
        return self.title


class ConnectionPoint(models.Model):
    """One per province and edition: where the province follows the forum online."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="points")
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    host = models.CharField(_("đơn vị chủ trì điểm cầu"), max_length=200, blank=True)
    place = models.CharField(_("địa điểm"), max_length=300, blank=True)
    attendance = models.PositiveIntegerField(_("số người dự thực tế"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    scope = Scope(Kind.FORUM, province="province_id", published=_everything)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["edition", "province_id"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "province"], name="forum_point_once")
        ]
        verbose_name = _("điểm cầu")
        verbose_name_plural = _("điểm cầu")

    def __str__(self) -> str:
        return f"{self.edition.year} {self.province_id}"


class DelegateKind(models.TextChoices):
    COOPERATIVE = "cooperative", _("Hợp tác xã, tổ hợp tác")
    UNION = "union", _("Liên minh, liên hiệp hợp tác xã")
    AGENCY = "agency", _("Cơ quan nhà nước")
    OTHER = "other", _("Khác")


class Delegate(models.Model):
    point = models.ForeignKey(ConnectionPoint, on_delete=models.CASCADE, related_name="delegates")
    name = models.CharField(_("họ và tên"), max_length=120)
    position = models.CharField(_("chức vụ"), max_length=120, blank=True)
    unit = models.CharField(_("đơn vị"), max_length=200)
    kind = models.CharField(_("thành phần"), max_length=12, choices=DelegateKind.choices)
    organisation = models.ForeignKey(  # the cooperative that registered its own delegate
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField(auto_now_add=True)

    # Names of people: not public; the province's officer sees its point's, a manager its own.
    scope = Scope(Kind.FORUM, province="point__province_id", organisation="organisation_id")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["point", "id"]
        verbose_name = _("đại biểu")
        verbose_name_plural = _("đại biểu")

    def __str__(self) -> str:
        return self.name


class Topic(models.TextChoices):
    LAW = "law", _("Thể chế, pháp luật")
    LAND = "land", _("Đất đai, mặt bằng sản xuất")
    CREDIT = "credit", _("Vốn, tín dụng, tài chính")
    TAX = "tax", _("Thuế, phí, kế toán")
    MARKET = "market", _("Thị trường, tiêu thụ, liên kết chuỗi")
    TECHNOLOGY = "technology", _("Khoa học công nghệ, chuyển đổi số")
    TRAINING = "training", _("Đào tạo, nguồn nhân lực")
    INFRASTRUCTURE = "infrastructure", _("Hạ tầng, logistics")
    OTHER = "other", _("Khác")


class RaisedBy(models.TextChoices):
    COOPERATIVE = "cooperative", _("Hợp tác xã, tổ hợp tác")
    UNION = "union", _("Liên hiệp hợp tác xã")
    PROVINCE = "province", _("Tỉnh, thành phố")
    SECRETARIAT = "secretariat", _("Ban Chỉ đạo")


class Stage(models.TextChoices):
    BEFORE = "before", _("Trước diễn đàn")
    AFTER = "after", _("Sau diễn đàn")


class RecState(models.TextChoices):
    SUBMITTED = "submitted", _("Chờ phân công cơ quan trả lời")
    ROUTED = "routed", _("Chờ cơ quan có thẩm quyền trả lời")
    ANSWERED = "answered", _("Đã trả lời")


class Recommendation(models.Model):
    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="recommendations")
    topic = models.CharField(_("lĩnh vực"), max_length=16, choices=Topic.choices)
    title = models.CharField(_("tóm tắt kiến nghị"), max_length=300)
    difficulty = models.TextField(_("khó khăn, vướng mắc"))
    proposal = models.TextField(_("đề xuất, kiến nghị"))
    # Derived by the services from the account and the day (never typed).
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raiser_kind = models.CharField(max_length=12, choices=RaisedBy.choices)
    organisation = models.ForeignKey(
        "registry.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    raiser_name = models.CharField(_("đơn vị kiến nghị"), max_length=300)
    province = models.ForeignKey(
        "core.Province", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    stage = models.CharField(max_length=6, choices=Stage.choices)
    raised_on = models.DateField()
    state = models.CharField(max_length=10, choices=RecState.choices, default=RecState.SUBMITTED)
    agency = models.ForeignKey(  # the competent agency, chosen by the secretariat
        "tasks.Agency",
        verbose_name=_("cơ quan trả lời"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="recommendations",
    )
    answer = models.TextField(_("nội dung trả lời"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)
    public = models.BooleanField(_("công khai trả lời"), default=True)
    task = models.OneToOneField(
        "tasks.Task", null=True, blank=True, on_delete=models.PROTECT, related_name="recommendation"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # The raiser's province sees the province's; a manager its organisation's; the agency's
    # province answers what is routed to it (ANSWER below); published: answered and public.
    scope = Scope(
        Kind.FORUM,
        province=("province_id", "agency__province_id"),
        organisation="organisation_id",
        published=lambda: Q(state=RecState.ANSWERED, public=True),
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["edition", "topic"], name="forum_rec_topic"),
            models.Index(fields=["state", "agency"], name="forum_rec_state"),
            models.Index(fields=["province", "raised_on"], name="forum_rec_province"),
            models.Index(fields=["organisation", "raised_on"], name="forum_rec_org"),
        ]
        verbose_name = _("kiến nghị")
        verbose_name_plural = _("kiến nghị")

    def __str__(self) -> str:
        return self.title


# Who answers a recommendation: the competent agency — its province's officer for a province's
# people's committee, its designated focal points for a ministry — and the secretariat (every
# row), never the raiser's province as such.
ANSWER = Scope(Kind.FORUM, province="agency__province_id", focal="agency_id")

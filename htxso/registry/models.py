"""The national registry: organisations, people, memberships, status history, aggregates.

Every table a province edits carries `province`, so scoping is one indexed filter.
Reads start from `Model.objects.visible_to(user)`; writes go through `registry.services`.
"""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from htxso.core.cccd import validate_cccd
from htxso.core.mst import validate_tax_code
from htxso.core.scoping import Action, Kind, Scope, ScopedQuerySet, may
from htxso.core.text import search_key

from .choices import (
    AgriculturalType,
    Classification,
    Gender,
    MemberKind,
    OrganisationKind,
    Sector,
    Status,
)


class OrganisationQuerySet(ScopedQuerySet):
    """Registry fields of organisations are public (published registry): everyone sees them.
    What differs by role is personal data about members, scoped on Person and Membership."""


def can_create_organisations(user: Any, province_id: str | None = None) -> bool:
    """System admins anywhere; a provincial officer in their own province (`province_id` None:
    in the province the user may create in)."""
    place: str = province_id or getattr(user, "province_id", None) or ""
    return may(user, Action.CREATE, Organisation(province_id=place))


class Organisation(models.Model):
    kind = models.CharField(_("loại hình"), max_length=24, choices=OrganisationKind.choices)
    tax_code = models.CharField(
        _("mã số thuế / mã số HTX"),
        max_length=14,
        null=True,
        blank=True,
        validators=[validate_tax_code],
    )
    name = models.CharField(_("tên"), max_length=255)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=255, blank=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=120, blank=True)
    # Normalised (unaccented, lower-case, abbreviations folded) for search and for sorting.
    search_key = models.CharField(max_length=600, editable=False)
    name_key = models.CharField(max_length=255, editable=False)
    sector = models.CharField(_("ngành (VSIC)"), max_length=1, choices=Sector.choices)
    vsic_code = models.CharField(_("mã ngành chi tiết"), max_length=5, blank=True)
    is_agricultural = models.BooleanField(_("nông nghiệp"), default=False)
    agricultural_type = models.CharField(
        _("loại hình nông nghiệp"), max_length=16, choices=AgriculturalType.choices, blank=True
    )
    province = models.ForeignKey(
        "core.Province",
        verbose_name=_("tỉnh/thành phố"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    commune = models.ForeignKey(
        "core.Commune",
        verbose_name=_("xã/phường"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    street = models.CharField(_("số nhà, đường, thôn"), max_length=255, blank=True)
    legacy_address = models.CharField(
        _("địa chỉ cũ (trước 7/2025)"),
        max_length=400,
        blank=True,
        help_text=_("Địa chỉ gốc theo đơn vị hành chính cũ, giữ lại khi đã chuyển đổi."),
    )
    established_on = models.DateField(_("ngày thành lập"))
    registered_on = models.DateField(_("ngày đăng ký"), null=True, blank=True)
    charter_capital = models.BigIntegerField(_("vốn điều lệ (đồng)"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    status_since = models.DateField(_("tình trạng từ ngày"))
    legal_representative = models.CharField(
        _("người đại diện theo pháp luật"), max_length=120, blank=True
    )
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    website = models.URLField(_("trang web"), blank=True)
    is_high_tech = models.BooleanField(_("ứng dụng công nghệ cao"), default=False)
    in_value_chain = models.BooleanField(_("tham gia chuỗi giá trị"), default=False)
    classification = models.CharField(
        _("xếp loại"), max_length=8, choices=Classification.choices, blank=True
    )
    # Active memberships, kept by the membership services; lists sort and sum on it.
    members_count = models.PositiveIntegerField(_("số thành viên"), default=0)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(Kind.REGISTRY, province="province_id", organisation="pk")
    # Its history (audit trail, memberships' included): national roles and its editors.
    audit_scope = Scope(Kind.AUDIT, province="province_id", organisation="pk")
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("tổ chức kinh tế tập thể")
        verbose_name_plural = _("tổ chức kinh tế tập thể")
        constraints = [
            models.UniqueConstraint(
                fields=["tax_code"],
                condition=Q(tax_code__isnull=False),
                name="org_tax_code_unique",
                violation_error_message=_("Mã số thuế này đã được đăng ký cho tổ chức khác."),
            ),
            models.CheckConstraint(
                condition=~Q(kind="cooperative") | Q(tax_code__isnull=False),
                name="org_cooperative_has_tax_code",
                violation_error_message=_("Hợp tác xã phải có mã số HTX (mã số thuế)."),
            ),
            models.CheckConstraint(
                condition=Q(charter_capital__isnull=True) | Q(charter_capital__gte=0),
                name="org_capital_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["province", "kind", "status"], name="org_prov_kind_status"),
            models.Index(fields=["kind", "status"], name="org_kind_status"),
            models.Index(fields=["sector"], name="org_sector"),
            models.Index(fields=["name_key", "id"], name="org_name_key"),
            models.Index(fields=["established_on", "id"], name="org_established"),
            models.Index(fields=["members_count", "id"], name="org_members"),
            models.Index(fields=["updated_at", "id"], name="org_sync"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:organisation", args=[self.pk])

    @staticmethod
    def keys_for(name: str, short_name: str = "", name_en: str = "") -> tuple[str, str]:
        """(search_key, name_key): what search matches on and what lists sort by."""
        name_key = search_key(name)
        extra = [k for k in (search_key(short_name), search_key(name_en)) if k and k != name_key]
        return " ".join([name_key, *extra])[:600], name_key[:255]

    def refresh_keys(self) -> None:
        self.search_key, self.name_key = self.keys_for(self.name, self.short_name, self.name_en)

    @property
    def is_union(self) -> bool:
        return self.kind == OrganisationKind.COOPERATIVE_UNION

    @property
    def has_members(self) -> bool:
        """A household business has none (services.rules: "Hộ kinh doanh không có thành viên")."""
        return self.kind != OrganisationKind.HOUSEHOLD_BUSINESS

    @property
    def keeps_members(self) -> bool:
        """Whether it has current members at all: not dissolved or bankrupt (members.py)."""
        from .members import keeps_members

        return keeps_members(self.status)

    @property
    def current_members(self) -> int:
        """Its current members, by the one definition (registry/members.py)."""
        from .members import current_members

        return current_members(self)


class StatusChange(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="status_history"
    )
    status = models.CharField(_("tình trạng"), max_length=16, choices=Status.choices)
    effective_on = models.DateField(_("ngày hiệu lực"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    document_no = models.CharField(_("số văn bản"), max_length=60, blank=True)
    recorded_at = models.DateTimeField(_("ghi nhận lúc"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    # Part of the published registry, like the organisation it belongs to.
    scope = Scope(
        Kind.REGISTRY, province="organisation__province_id", organisation="organisation_id"
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["organisation_id", "-effective_on", "-id"]
        verbose_name = _("thay đổi tình trạng")
        verbose_name_plural = _("lịch sử tình trạng")

    def __str__(self) -> str:
        return f"{self.effective_on} {self.get_status_display()}"


class PersonQuerySet(ScopedQuerySet):
    """Personal data: national roles see all, a province its residents and members, a manager
    their organisation's members, a member themself (`Person.scope`)."""


class Person(models.Model):
    cccd = models.CharField(
        _("số CCCD"), max_length=12, null=True, blank=True, validators=[validate_cccd]
    )
    full_name = models.CharField(_("họ và tên"), max_length=120)
    gender = models.CharField(_("giới tính"), max_length=8, choices=Gender.choices, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), null=True, blank=True)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    email = models.EmailField(_("thư điện tử"), blank=True)
    province = models.ForeignKey(
        "core.Province",
        verbose_name=_("tỉnh/thành phố cư trú"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # indexed in Meta: Django's FK index adds a LIKE twin nobody uses
    )
    commune = models.ForeignKey(
        "core.Commune",
        verbose_name=_("xã/phường cư trú"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    legacy_address = models.CharField(
        _("địa chỉ cũ (trước 7/2025)"),
        max_length=400,
        blank=True,
        db_default="",  # bulk writers (generator COPY) may leave it out
        help_text=_("Địa chỉ gốc theo đơn vị hành chính cũ, giữ lại khi đã chuyển đổi."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Seen by the province they live in or belong to, their organisations and themself.
    scope = Scope(
        Kind.PERSONAL,
        province=("province_id", "memberships__province_id"),
        organisation="memberships__organisation_id",
        person="pk",
    )
    # Who looked them up or tried to (reveal, identity_mismatch): the person, the province they
    # live in and national roles, not every organisation they belong to.
    audit_scope = Scope(Kind.AUDIT, province="province_id", person="pk")
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("cá nhân")
        verbose_name_plural = _("cá nhân")
        indexes = [
            models.Index(fields=["updated_at", "id"], name="person_sync"),
            models.Index(fields=["province"], name="person_province"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["cccd"],
                condition=Q(cccd__isnull=False),
                name="person_cccd_unique",
                violation_error_message=_("Số CCCD này đã có trong cơ sở dữ liệu."),
            ),
        ]

    def __str__(self) -> str:
        return self.full_name


class MembershipQuerySet(ScopedQuerySet):
    def active(self) -> "MembershipQuerySet":
        return self.filter(left_on__isnull=True)


class Membership(models.Model):
    """A person or an organisation (e.g. an HTX in a union) belonging to an organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("tổ chức"),
        on_delete=models.PROTECT,
        related_name="memberships",
        db_index=False,
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("cá nhân"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    member_organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("tổ chức thành viên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="member_of",
        db_index=False,
    )
    kind = models.CharField(_("loại thành viên"), max_length=20, choices=MemberKind.choices)
    joined_on = models.DateField(_("ngày gia nhập"))
    left_on = models.DateField(_("ngày chấm dứt"), null=True, blank=True)
    capital_contributed = models.BigIntegerField(_("vốn góp (đồng)"), default=0)
    province = models.ForeignKey(
        "core.Province",
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
        db_index=False,  # indexed in Meta, without the LIKE twin
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        Kind.PERSONAL, province="province_id", organisation="organisation_id", person="person_id"
    )
    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("tư cách thành viên")
        verbose_name_plural = _("tư cách thành viên")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(member_organisation__isnull=True))
                | (Q(person__isnull=True) & Q(member_organisation__isnull=False)),
                name="membership_one_member",
                violation_error_message=_("Thành viên phải là một cá nhân hoặc một tổ chức."),
            ),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True) | Q(left_on__gte=models.F("joined_on")),
                name="membership_left_after_joined",
                violation_error_message=_("Ngày chấm dứt không được trước ngày gia nhập."),
            ),
            models.CheckConstraint(
                condition=Q(capital_contributed__gte=0),
                name="membership_capital_not_negative",
            ),
            models.CheckConstraint(
                condition=~Q(organisation=models.F("member_organisation")),
                name="membership_not_self",
            ),
            models.UniqueConstraint(
                fields=["organisation", "person"],
                condition=Q(left_on__isnull=True),
                name="membership_one_active_person",
                violation_error_message=_("Người này đang là thành viên của tổ chức."),
            ),
            models.UniqueConstraint(
                fields=["organisation", "member_organisation"],
                condition=Q(left_on__isnull=True),
                name="membership_one_active_org",
                violation_error_message=_("Tổ chức này đang là thành viên của tổ chức."),
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "kind"], name="membership_org_kind"),
            models.Index(fields=["updated_at", "id"], name="membership_sync"),
            models.Index(fields=["province"], name="membership_province"),
            models.Index(
                fields=["member_organisation"],
                condition=Q(member_organisation__isnull=False),
                name="membership_member_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.member_organisation} → {self.organisation}"


class RegistryAggregate(models.Model):
    """Pre-aggregated counts per province × kind × status × agricultural flag.

    Dashboards sum these rows instead of counting millions of memberships per request;
    `registry.aggregates.refresh()` rebuilds the rows of the provinces a change touched.
    """

    province = models.ForeignKey("core.Province", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=OrganisationKind.choices)
    status = models.CharField(max_length=16, choices=Status.choices)
    is_agricultural = models.BooleanField()
    organisations = models.PositiveIntegerField(default=0)
    members = models.PositiveBigIntegerField(default=0)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["province", "kind", "status", "is_agricultural"], name="aggregate_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.province_id} {self.kind} {self.status}: {self.organisations}"

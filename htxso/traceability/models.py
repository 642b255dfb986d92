"""Traceability: products with their GTIN, the production diary (plots, crops, treatments with
their pre-harvest interval, harvests) and EPCIS 2.0 events.

Events are stored for querying at national scale: one row per event with the query keys as
indexed columns (type, time, bizStep, disposition, read point, business location) and the
event as received (`body`, for an exact round trip), and one row per identifier an event names
(`EventEpc`: the EPC in its canonical Digital Link form and its role in the event), indexed by
(epc, event): a lookup by EPC, and the recall's recursive walk, read the index only."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from htxso.core.scoping import Kind, Scope, ScopedQuerySet


def _public() -> Q:
    return Q(public=True)


class Product(models.Model):
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("tên sản phẩm"), max_length=200)
    gtin = models.CharField(_("GTIN"), max_length=14, unique=True)  # 14-digit form
    description = models.TextField(_("mô tả"), blank=True)
    # Certificates as data: [{"kind": "OCOP"|"VietGAP"|…, "number", "issued_by", "valid_until",
    # "stars"}], shown on the public page when the product is public.
    certificates = models.JSONField(_("chứng nhận"), default=list, blank=True)
    public = models.BooleanField(_("công khai"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        Kind.TRACE, province="province_id", organisation="organisation_id", published=_public
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.gtin})"


class Plot(models.Model):
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    commune = models.ForeignKey(
        "core.Commune", verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("tên thửa/vùng"), max_length=200)
    area_m2 = models.PositiveIntegerField(_("diện tích (m²)"))
    gln = models.CharField(_("GLN"), max_length=13, blank=True)
    public = models.BooleanField(_("công khai"), default=True)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    scope = Scope(
        Kind.TRACE, province="province_id", organisation="organisation_id", published=_public
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["organisation", "name"])]

    def __str__(self) -> str:
        return self.name


class CropKind(models.TextChoices):
    CROP = "crop", _("Cây trồng")
    ANIMAL = "animal", _("Vật nuôi")


class Crop(models.Model):
    plot = models.ForeignKey(Plot, on_delete=models.PROTECT, related_name="crops")
    name = models.CharField(_("cây trồng/vật nuôi"), max_length=200)
    kind = models.CharField(_("loại"), max_length=8, choices=CropKind.choices)
    started_on = models.DateField(_("ngày xuống giống"))
    # The crop in the price catalogue (a code of `core.facts.commodities()`): its crop calendar
    # says what to do this month (`core.facts.diary_crops`, read by prices). Named, not guessed.
    commodity = models.CharField(
        _("mặt hàng trong lịch thời vụ"), max_length=40, blank=True, default=""
    )

    scope = Scope(
        Kind.TRACE,
        province="plot__province_id",
        organisation="plot__organisation_id",
        published=lambda: Q(plot__public=True),
    )
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return self.name


class Treatment(models.Model):
    """An input applied to a crop: fertiliser, pesticide, veterinary drug…"""

    crop = models.ForeignKey(Crop, on_delete=models.PROTECT, related_name="treatments")
    product_name = models.CharField(_("vật tư/thuốc"), max_length=200)
    dose = models.CharField(_("liều lượng"), max_length=100)
    applied_on = models.DateField(_("ngày sử dụng"))
    phi_days = models.PositiveIntegerField(_("thời gian cách ly (ngày)"), default=0)

    scope = Scope(
        Kind.TRACE,
        province="crop__plot__province_id",
        organisation="crop__plot__organisation_id",
        published=lambda: Q(crop__plot__public=True),
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["crop", "applied_on"])]

    def __str__(self) -> str:
        return self.product_name


class Harvest(models.Model):
    crop = models.ForeignKey(Crop, on_delete=models.PROTECT, related_name="harvests")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="harvests")
    lot = models.CharField(_("số lô"), max_length=20)
    harvested_on = models.DateField(_("ngày thu hoạch"))
    quantity_kg = models.PositiveIntegerField(_("sản lượng (kg)"))
    event = models.ForeignKey("Event", on_delete=models.PROTECT, related_name="+")

    scope = Scope(
        Kind.TRACE,
        province="crop__plot__province_id",
        organisation="crop__plot__organisation_id",
        published=lambda: Q(crop__plot__public=True),
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["product", "lot"], name="trace_harvest_lot_unique")
        ]

    def __str__(self) -> str:
        return f"{self.product_id}/{self.lot}"


class Capture(models.Model):
    """One captured EPCIS document (or one event recorded by a page): who, when, its context."""

    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    context = models.JSONField(default=list)  # the document's @context, for the way back
    events_count = models.PositiveIntegerField(default=0)

    scope = Scope(Kind.TRACE, province="province_id", organisation="organisation_id")
    objects = ScopedQuerySet.as_manager()

    def __str__(self) -> str:
        return f"capture {self.pk}"


class Event(models.Model):
    capture = models.ForeignKey(Capture, on_delete=models.PROTECT, related_name="events")
    organisation = models.ForeignKey(
        "registry.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    province = models.ForeignKey("core.Province", on_delete=models.PROTECT, related_name="+")
    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=24)
    action = models.CharField(max_length=8, blank=True)
    event_time = models.DateTimeField()
    record_time = models.DateTimeField()
    biz_step = models.CharField(max_length=255, blank=True)
    disposition = models.CharField(max_length=255, blank=True)
    read_point = models.CharField(max_length=512, blank=True)
    biz_location = models.CharField(max_length=512, blank=True)
    public = models.BooleanField(default=False)
    body = models.JSONField()  # the event as captured

    scope = Scope(
        Kind.TRACE, province="province_id", organisation="organisation_id", published=_public
    )
    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["event_time", "id"], name="trace_event_time"),
            models.Index(fields=["biz_step", "event_time", "id"], name="trace_event_step"),
            models.Index(fields=["biz_location", "event_time", "id"], name="trace_event_loc"),
            models.Index(fields=["read_point", "event_time", "id"], name="trace_event_rp"),
            models.Index(fields=["organisation", "event_time", "id"], name="trace_event_org"),
        ]

    def __str__(self) -> str:
        return self.event_id


class Role(models.TextChoices):
    EPC = "epc", "epcList/quantityList"
    PARENT = "parent", "parentID"
    CHILD = "child", "childEPCs/childQuantityList"
    INPUT = "input", "inputEPCList/inputQuantityList"
    OUTPUT = "output", "outputEPCList/outputQuantityList"


class EventEpc(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="epcs")
    epc = models.CharField(max_length=512)  # canonical (core.gs1.canonical_epc)
    role = models.CharField(max_length=6, choices=Role.choices)

    class Meta:
        indexes = [models.Index(fields=["epc", "event"], name="trace_epc_epc")]

    def __str__(self) -> str:
        return self.epc

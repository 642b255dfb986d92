"""The traceability write path: products, the production diary and the events of packing,
shipping and processing — permission from the scoping table, Vietnamese refusals, an audit
entry, one transaction. EPCIS documents come in through `capture.capture` (re-exported)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from htxso.core import facts, gs1
from htxso.core.audit import record, snapshot
from htxso.core.models import Commune
from htxso.core.scoping import Action, may
from htxso.registry.models import Organisation

from . import digital_link
from .capture import capture, emit
from .models import Crop, CropKind, Event, Harvest, Plot, Product, Treatment

__all__ = [
    "add_crop", "add_treatment", "canonical", "capture", "create_plot", "create_product", "emit",
    "pack", "record_harvest", "ship", "transform",
]  # fmt: skip

TZ = "+07:00"


def canonical(code: str) -> str:
    """The identifier typed or scanned, in the form events are indexed by: a Digital Link URI,
    an EPC URN, an SSCC (18 digits) or "GTIN/lot"."""
    code = code.strip()
    if gs1.is_sscc(code):
        return gs1.sscc_uri(code)
    gtin, slash, lot = code.partition("/")
    if slash and gs1.is_gtin(gtin) and gs1.is_lot(lot):
        return gs1.lot_uri(gtin, lot)
    if code.startswith(("http://", "https://")):
        try:
            return digital_link.parse(code, sort_qualifiers=True).canonical()
        except digital_link.DigitalLinkError:
            return code
    return gs1.canonical_epc(code)


def _organisation(actor: Any, organisation_id: int, probe: Any) -> Organisation:
    organisation = Organisation.objects.visible_to(actor).get(pk=organisation_id)
    probe.organisation_id, probe.province_id = organisation.pk, organisation.province_id
    if not may(actor, Action.CREATE, probe):
        raise PermissionDenied(_("Bạn không được ghi nhật ký của tổ chức này."))
    return organisation


def _seen(actor: Any, model: Any) -> Any:
    """What `actor` sees of `model` (None, the system, sees everything)."""
    return model.objects.all() if actor is None else model.objects.visible_to(actor)


def _editable(actor: Any, model: Any, pk: int) -> Any:
    obj = _seen(actor, model).get(pk=pk)  # 404 outside what one sees
    if not may(actor, Action.EDIT, obj):
        raise PermissionDenied(_("Bạn không được ghi nhật ký của tổ chức này."))
    return obj


@transaction.atomic
def create_product(
    actor: Any,
    organisation_id: int,
    name: str,
    gtin: str,
    *,
    description: str = "",
    certificates: list[dict[str, Any]] | None = None,
    public: bool = True,
) -> Product:
    product = Product(name=name.strip(), description=description, public=public)
    _organisation(actor, organisation_id, product)
    if error := gs1.gtin_error(gtin):
        raise ValidationError({"gtin": error})
    product.gtin = gs1.gtin14(gtin)
    if Product.objects.filter(gtin=product.gtin).exists():
        raise ValidationError({"gtin": _("GTIN này đã được gán cho một sản phẩm khác.")})
    if not product.name:
        raise ValidationError({"name": _("Nhập tên sản phẩm.")})
    product.certificates = certificates or []
    product.save()
    record(actor, "create", product, None, snapshot(product))
    return product


@transaction.atomic
def create_plot(
    actor: Any,
    organisation_id: int,
    commune_id: str,
    name: str,
    area_m2: int,
    *,
    gln: str = "",
    public: bool = True,
) -> Plot:
    plot = Plot(name=name.strip(), area_m2=area_m2, gln=gln, public=public)
    organisation = _organisation(actor, organisation_id, plot)
    commune = Commune.objects.filter(pk=commune_id).first()
    if commune is None or commune.province_id != organisation.province_id:
        raise ValidationError({"commune": _("Chọn một xã/phường của tỉnh nơi tổ chức đặt trụ sở.")})
    if gln and not gs1.is_gln(gln):
        raise ValidationError({"gln": _("GLN có 13 chữ số và số kiểm tra đúng.")})
    if area_m2 <= 0:
        raise ValidationError({"area_m2": _("Diện tích phải lớn hơn 0.")})
    if not plot.name:
        raise ValidationError({"name": _("Nhập tên thửa/vùng trồng.")})
    plot.commune = commune
    plot.save()
    record(actor, "create", plot, None, snapshot(plot))
    return plot


@transaction.atomic
def add_crop(
    actor: Any, plot_id: int, name: str, kind: str, started_on: dt.date, commodity: str = ""
) -> Crop:
    plot = _editable(actor, Plot, plot_id)
    if kind not in CropKind.values:
        raise ValidationError({"kind": _("Chọn cây trồng hoặc vật nuôi.")})
    if not name.strip():
        raise ValidationError({"name": _("Nhập tên cây trồng/vật nuôi.")})
    if commodity and commodity not in dict(facts.commodities()):
        raise ValidationError({"commodity": _("Không có mặt hàng này trong lịch thời vụ.")})
    crop = Crop.objects.create(
        plot=plot, name=name.strip(), kind=kind, started_on=started_on, commodity=commodity
    )
    record(actor, "create", crop, None, snapshot(crop))
    return crop


@transaction.atomic
def add_treatment(
    actor: Any,
    crop_id: int,
    product_name: str,
    dose: str,
    applied_on: dt.date,
    phi_days: int,
) -> Treatment:
    crop = _editable(actor, Crop, crop_id)
    if applied_on < crop.started_on:
        raise ValidationError({"applied_on": _("Ngày sử dụng không thể trước ngày xuống giống.")})
    if phi_days < 0 or phi_days > 365:
        raise ValidationError({"phi_days": _("Thời gian cách ly từ 0 đến 365 ngày.")})
    if not product_name.strip():
        raise ValidationError({"product_name": _("Nhập tên vật tư/thuốc.")})
    treatment = Treatment.objects.create(
        crop=crop,
        product_name=product_name.strip(),
        dose=dose.strip(),
        applied_on=applied_on,
        phi_days=phi_days,
    )
    record(actor, "create", treatment, None, snapshot(treatment))
    return treatment


def _vn(day: dt.date) -> str:
    return date_format(day, "d/m/Y")


def phi_refusal(crop: Crop, harvested_on: dt.date) -> str | None:
    """Why a harvest on `harvested_on` falls inside a treatment's pre-harvest interval."""
    for treatment in crop.treatments.order_by("-applied_on"):
        until = treatment.applied_on + dt.timedelta(days=treatment.phi_days)
        if treatment.applied_on <= harvested_on < until:
            return _(
                "Chưa được thu hoạch: «%(input)s» dùng ngày %(applied)s có thời gian cách ly "
                "%(days)s ngày; được thu hoạch từ ngày %(until)s."
            ) % {
                "input": treatment.product_name,
                "applied": _vn(treatment.applied_on),
                "days": treatment.phi_days,
                "until": _vn(until),
            }
    return None


def _time(day: dt.date | dt.datetime) -> str:
    if isinstance(day, dt.datetime):
        return day.isoformat(timespec="seconds")
    return f"{day.isoformat()}T07:00:00{TZ}"


@transaction.atomic
def record_harvest(
    actor: Any,
    crop_id: int,
    product_id: int,
    lot: str,
    harvested_on: dt.date,
    quantity_kg: int,
) -> Harvest:
    """A harvest of a crop as a lot of a product, and its EPCIS commissioning event. Refused
    inside a treatment's pre-harvest interval, saying which input and until when."""
    crop = _editable(actor, Crop, crop_id)
    product = _seen(actor, Product).get(pk=product_id)
    if product.organisation_id != crop.plot.organisation_id:
        raise ValidationError({"product": _("Sản phẩm phải của cùng tổ chức với thửa/vùng.")})
    if error := gs1.lot_error(lot):
        raise ValidationError({"lot": error})
    if harvested_on < crop.started_on:
        raise ValidationError({"harvested_on": _("Ngày thu hoạch trước ngày xuống giống.")})
    if quantity_kg <= 0:
        raise ValidationError({"quantity_kg": _("Sản lượng phải lớn hơn 0.")})
    if refusal := phi_refusal(crop, harvested_on):
        raise ValidationError({"harvested_on": refusal})
    if Harvest.objects.filter(product=product, lot=lot).exists():
        raise ValidationError({"lot": _("Số lô này đã được dùng cho sản phẩm này.")})
    plot = crop.plot
    location = gs1.gln_uri(plot.gln) if plot.gln else f"urn:htxso:plot:{plot.pk}"
    event = {
        "type": "ObjectEvent",
        "eventTime": _time(harvested_on),
        "eventTimeZoneOffset": TZ,
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "quantityList": [
            {"epcClass": gs1.lot_uri(product.gtin, lot), "quantity": quantity_kg, "uom": "KGM"}
        ],
        "readPoint": {"id": location},
        "bizLocation": {"id": location},
    }
    [stored] = emit(actor, plot.organisation_id, [event], public=plot.public and product.public)
    harvest = Harvest.objects.create(
        crop=crop,
        product=product,
        lot=lot,
        harvested_on=harvested_on,
        quantity_kg=quantity_kg,
        event=stored,
    )
    record(actor, "create", harvest, None, snapshot(harvest))
    return harvest


def _quantities(lots: list[tuple[str, str, int]]) -> list[dict[str, Any]]:
    for gtin, lot, _quantity in lots:
        if error := gs1.gtin_error(gtin) or gs1.lot_error(lot):
            raise ValidationError(error)
    return [
        {"epcClass": gs1.lot_uri(gtin, lot), "quantity": quantity, "uom": "KGM"}
        for gtin, lot, quantity in lots
    ]


def pack(
    actor: Any,
    organisation_id: int,
    sscc: str,
    lots: list[tuple[str, str, int]],
    when: dt.datetime,
    *,
    public: bool = True,
) -> Event:
    """Lots packed onto a logistic unit (an AggregationEvent, parent = the SSCC)."""
    if not gs1.is_sscc(sscc):
        raise ValidationError({"sscc": _("SSCC có 18 chữ số và số kiểm tra đúng.")})
    event = {
        "type": "AggregationEvent",
        "eventTime": _time(when),
        "eventTimeZoneOffset": TZ,
        "parentID": gs1.sscc_uri(sscc),
        "childQuantityList": _quantities(lots),
        "action": "ADD",
        "bizStep": "packing",
        "disposition": "in_progress",
    }
    return emit(actor, organisation_id, [event], public=public)[0]


def ship(
    actor: Any,
    organisation_id: int,
    epcs: list[str],
    when: dt.datetime,
    *,
    step: str = "shipping",
    location_gln: str = "",
    public: bool = True,
) -> Event:
    """Logistic units or items shipped (or received, sold: `step`), an ObjectEvent OBSERVE."""
    if step not in ("shipping", "receiving", "retail_selling", "storing", "inspecting"):
        raise ValidationError({"step": _("Bước nghiệp vụ không hợp lệ.")})
    disposition = {"shipping": "in_transit", "retail_selling": "sellable_accessible"}
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": _time(when),
        "eventTimeZoneOffset": TZ,
        "epcList": [canonical(epc) for epc in epcs],
        "action": "OBSERVE",
        "bizStep": step,
        "disposition": disposition.get(step, "active"),
    }
    if location_gln:
        if not gs1.is_gln(location_gln):
            raise ValidationError({"location": _("GLN có 13 chữ số và số kiểm tra đúng.")})
        event["bizLocation"] = {"id": gs1.gln_uri(location_gln)}
    return emit(actor, organisation_id, [event], public=public)[0]


def transform(
    actor: Any,
    organisation_id: int,
    inputs: list[tuple[str, str, int]],
    outputs: list[tuple[str, str, int]],
    when: dt.datetime,
    *,
    public: bool = True,
) -> Event:
    """Lots processed into other lots (a TransformationEvent: drying, milling, packaging…)."""
    event = {
        "type": "TransformationEvent",
        "eventTime": _time(when),
        "eventTimeZoneOffset": TZ,
        "inputQuantityList": _quantities(inputs),
        "outputQuantityList": _quantities(outputs),
        "bizStep": "creating_class_instance",
        "disposition": "active",
    }
    return emit(actor, organisation_id, [event], public=public)[0]

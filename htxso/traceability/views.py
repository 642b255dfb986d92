"""The cooperative's pages: the production diary (products, plots, crops, inputs, harvests)
with packing and shipping, and the inspectors' recall (upstream and downstream of a lot, its
CSV export). Forms validate; services write; a refusal says why in Vietnamese (422)."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from htxso.core.audit import record
from htxso.core.scoping import Action, Kind, may
from htxso.registry.models import Organisation
from htxso.tabular.csv_stream import csv_stream

from . import devices, query, services
from .forms import (
    AssociateForm,
    CropForm,
    HarvestForm,
    PackForm,
    PlotForm,
    ProductForm,
    RecallForm,
    ShipForm,
    TransformForm,
    TreatmentForm,
)
from .models import Crop, Event, Harvest, Plot, Product, Treatment
from .steps import step_label


def _organisation(request: HttpRequest) -> Organisation:
    """The organisation whose diary is shown: the manager's own, or (system admin) ?org=."""
    user: Any = request.user
    if not may(user, Action.CREATE, Kind.TRACE):
        raise PermissionDenied(_("Nhật ký sản xuất dành cho cán bộ quản lý hợp tác xã."))
    pk = user.organisation_id or request.GET.get("org") or request.POST.get("org")
    return get_object_or_404(Organisation.objects.editable_by(user), pk=pk)


def _forms(organisation: Organisation, data: Any = None, which: str = "") -> dict[str, Any]:
    plots = Plot.objects.filter(organisation=organisation).order_by("name")
    crops = Crop.objects.filter(plot__organisation=organisation).order_by("name")
    products = Product.objects.filter(organisation=organisation).order_by("name")

    def bound(name: str) -> Any:
        return data if which == name else None

    return {
        "product": ProductForm(bound("product"), prefix="product", initial={"public": True}),
        "plot": PlotForm(
            bound("plot"),
            prefix="plot",
            province=organisation.province_id,
            initial={"public": True},
        ),
        "crop": CropForm(bound("crop"), prefix="crop", plots=plots),
        "treatment": TreatmentForm(bound("treatment"), prefix="treatment", crops=crops),
        "harvest": HarvestForm(bound("harvest"), prefix="harvest", crops=crops, products=products),
        "pack": PackForm(bound("pack"), prefix="pack", products=products),
        "transform": TransformForm(bound("transform"), prefix="transform", products=products),
        "ship": ShipForm(bound("ship"), prefix="ship"),
        "associate": AssociateForm(bound("associate"), prefix="associate"),
    }


_WRITES = (
    "product",
    "plot",
    "crop",
    "treatment",
    "harvest",
    "pack",
    "transform",
    "ship",
    "associate",
)


def _page(request: HttpRequest, organisation: Organisation, forms: dict, status: int = 200) -> Any:
    context = {
        "organisation": organisation,
        "forms": forms,
        "products": Product.objects.filter(organisation=organisation).order_by("name"),
        "plots": Plot.objects.filter(organisation=organisation)
        .select_related("commune")
        .order_by("name"),
        "treatments": Treatment.objects.filter(crop__plot__organisation=organisation)
        .select_related("crop__plot")
        .order_by("-applied_on", "-pk")[:50],
        "harvests": Harvest.objects.filter(crop__plot__organisation=organisation)
        .select_related("crop__plot", "product")
        .order_by("-harvested_on", "-pk")[:50],
        "events": [
            (event, step_label(event.biz_step))
            for event in Event.objects.filter(organisation=organisation).order_by(
                "-event_time", "-pk"
            )[:50]
        ],
    }
    return render(request, "traceability/diary.html", context, status=status)


@login_required
@require_GET
def diary(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request)
    return _page(request, organisation, _forms(organisation))


def _write(form: Any, name: str, organisation: Organisation, user: Any) -> Any:
    d = form.cleaned_data
    writes: dict[str, Callable[[], Any]] = {
        "product": lambda: services.create_product(
            user, organisation.pk, d["name"], d["gtin"].strip(),
            description=d["description"], certificates=form.certificates(), public=d["public"],
        ),
        "plot": lambda: services.create_plot(
            user, organisation.pk, d["commune"], d["name"], int(d["area_m2"]),
            gln=d["gln"].strip(), public=d["public"],
        ),
        "crop": lambda: services.add_crop(
            user, int(d["plot"]), d["name"], d["kind"], d["started_on"], d["commodity"]
        ),
        "treatment": lambda: services.add_treatment(
            user, int(d["crop"]), d["product_name"], d["dose"], d["applied_on"],
            int(d["phi_days"]),
        ),
        "harvest": lambda: services.record_harvest(
            user, int(d["crop"]), int(d["product"]), d["lot"].strip(), d["harvested_on"],
            int(d["quantity_kg"]),
        ),
        "pack": lambda: services.pack(
            user, organisation.pk, d["sscc"].strip(),
            [(_gtin(organisation, d["product"]), d["lot"].strip(), int(d["quantity_kg"]))]
            if d.get("product") else [],
            _at(d["happened_on"]), cases=d["case_list"],
        ),
        "transform": lambda: services.transform(
            user, organisation.pk,
            [(_gtin(organisation, d["input_product"]), d["input_lot"].strip(), int(d["input_kg"]))],
            [(_gtin(organisation, d["output_product"]), d["output_lot"].strip(),
              int(d["output_kg"]))],
            _at(d["happened_on"]),
        ),
        "ship": lambda: services.ship(
            user, organisation.pk, [services.canonical(d["code"])], _at(d["happened_on"]),
            step=d["step"], location_gln=d["location_gln"].strip(),
        ),
        "associate": lambda: devices.associate(
            user, organisation.pk, d["device"], d["target"], _at(d["happened_on"]),
            attach=d["action"] == "attach", temperature=d["temperature"], humidity=d["humidity"],
        ),
    }  # fmt: skip
    return writes[name]()


def _gtin(organisation: Organisation, product_id: str) -> str:
    return get_object_or_404(Product, organisation=organisation, pk=product_id).gtin


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, 8))


@login_required
@require_POST
def diary_write(request: HttpRequest, what: str) -> HttpResponse:
    organisation = _organisation(request)
    if what not in _WRITES:
        raise PermissionDenied(_("Thao tác không hợp lệ."))
    forms = _forms(organisation, request.POST, what)
    form = forms[what]
    if form.is_valid():
        try:
            _write(form, what, organisation, request.user)
        except ValidationError as exc:
            found = exc.error_dict if hasattr(exc, "error_dict") else {"": exc.error_list}
            for field, errors in found.items():
                for error in errors:
                    text = error.message % error.params if error.params else error.message
                    form.add_error(field if field in form.fields else None, str(text))
        else:
            messages.success(request, _("Đã ghi vào nhật ký."))
            target = redirect("traceability:diary")
            if not getattr(request.user, "organisation_id", None):
                target["Location"] += f"?org={organisation.pk}"
            return target
    return _page(request, organisation, forms, status=422)


@login_required
@require_POST
def labels_printed(request: HttpRequest, gtin: str, lot: str) -> HttpResponse:
    """The cooperative says the lot's QR labels are printed: its harvest leaves the inbox
    (audited `label`). Whoever sees the product but may not edit it is refused (403)."""
    product = get_object_or_404(Product.objects.visible_to(request.user), gtin=gtin)
    if not may(request.user, Action.EDIT, product):
        raise PermissionDenied(_("Chỉ hợp tác xã của sản phẩm được đánh dấu đã in tem."))
    if services.mark_labelled(request.user, product, lot):
        messages.success(request, _("Đã ghi nhận lô %(lot)s đã in tem QR.") % {"lot": lot})
    else:
        messages.info(
            request, _("Lô %(lot)s không có lần thu hoạch nào chờ in tem.") % {"lot": lot}
        )
    target = redirect("traceability:diary")
    if not getattr(request.user, "organisation_id", None):
        target["Location"] += f"?org={product.organisation_id}"
    return target


def _recall_allowed(request: HttpRequest) -> None:
    if not may(request.user, Action.EXPORT, Kind.TRACE):
        raise PermissionDenied(_("Truy xuất thu hồi dành cho cơ quan quản lý."))


@login_required
@require_GET
def recall(request: HttpRequest) -> HttpResponse:
    """From a lot (or a unit), everything downstream and upstream, and the events."""
    _recall_allowed(request)
    form = RecallForm(request.GET or None)
    found = None
    if form.is_valid():
        epc = services.canonical(form.cleaned_data["epc"])
        found = query.recall(epc, Event.objects.scoped(request.user, Action.EXPORT))
    context = {"form": form, "found": found, "step_label": step_label}
    return render(request, "traceability/recall.html", context)


@login_required
@require_GET
def recall_csv(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The recall as CSV for the authorities (audited: who exported which lot's chain)."""
    _recall_allowed(request)
    form = RecallForm(request.GET)
    if not form.is_valid():
        return redirect("traceability:recall")
    epc = services.canonical(form.cleaned_data["epc"])
    found = query.recall(epc, Event.objects.scoped(request.user, Action.EXPORT))
    record(request.user, "export", None, about=("traceability.recall", epc), about_id=epc[:64])
    header = [
        _("Hướng"), _("Số bước"), _("Thời điểm"), _("Bước"), _("Loại sự kiện"),
        _("Tổ chức"), _("Mã số thuế"), _("Địa điểm"), _("Mã sự kiện"),
    ]  # fmt: skip
    reached = {
        **{k: ("up", v) for k, v in found.upstream.items()},
        **{k: ("down", v) for k, v in found.downstream.items()},
    }
    rows = []
    for event in found.events:
        epcs = [e for e, _role in query.identifiers_of(event) if e in reached]
        direction, depth = reached[epcs[0]] if epcs else ("", 0)
        rows.append([
            _("xuôi") if direction == "down" else _("ngược"), depth,
            event.event_time.isoformat(), step_label(event.biz_step), event.type,
            event.organisation.name, event.organisation.tax_code or "",
            event.biz_location or event.read_point, event.event_id,
        ])  # fmt: skip
    response = StreamingHttpResponse(csv_stream(header, rows), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="thu-hoi.csv"'
    return response

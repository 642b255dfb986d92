"""Forms of the production diary and the packing/shipping pages (the UI kit's fields: numbers,
dates the Vietnamese way). Choices are the organisation's own plots, crops and products."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from htxso.core import facts
from htxso.core.forms import DateField, NumberField, StyledForm
from htxso.core.units import commune_names

from .models import CropKind


class ProductForm(StyledForm):
    name = forms.CharField(label=_("Tên sản phẩm"), max_length=200)
    gtin = forms.CharField(label=_("GTIN (mã vạch)"), max_length=14)
    description = forms.CharField(label=_("Mô tả"), required=False, max_length=2000)
    ocop_stars = NumberField(label=_("OCOP (số sao)"), required=False, min_value=3, max_value=5)
    vietgap = forms.CharField(label=_("Số chứng nhận VietGAP"), required=False, max_length=60)
    public = forms.BooleanField(label=_("Công khai trên trang truy xuất"), required=False)

    def certificates(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.cleaned_data.get("ocop_stars"):
            out.append({"kind": "OCOP", "stars": int(self.cleaned_data["ocop_stars"])})
        if self.cleaned_data.get("vietgap"):
            out.append({"kind": "VietGAP", "number": self.cleaned_data["vietgap"]})
        return out


class PlotForm(StyledForm):
    name = forms.CharField(label=_("Tên thửa/vùng trồng"), max_length=200)
    commune = forms.ChoiceField(label=_("Xã/phường"))
    area_m2 = NumberField(label=_("Diện tích (m²)"), min_value=1)
    gln = forms.CharField(label=_("GLN (nếu có)"), required=False, max_length=13)
    public = forms.BooleanField(label=_("Công khai trên trang truy xuất"), required=False)

    def __init__(self, *args: Any, province: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "—"), *commune_names(province)]  # type: ignore[attr-defined]


def _choices(rows: Any) -> list[tuple[str, str]]:
    return [("", "—"), *((str(row.pk), str(row)) for row in rows)]


class CropForm(StyledForm):
    plot = forms.ChoiceField(label=_("Thửa/vùng"))
    name = forms.CharField(label=_("Cây trồng/vật nuôi"), max_length=200)
    kind = forms.ChoiceField(label=_("Loại"), choices=CropKind.choices)
    started_on = DateField(label=_("Ngày xuống giống"))
    commodity = forms.ChoiceField(
        label=_("Theo lịch thời vụ của"),
        required=False,
        help_text=_("Trang chủ sẽ nhắc việc cần làm mỗi tháng theo lịch thời vụ này."),
    )

    def __init__(self, *args: Any, plots: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["plot"].choices = _choices(plots)  # type: ignore[attr-defined]
        self.fields["commodity"].choices = [  # type: ignore[attr-defined]
            ("", _("Không gắn")),
            *facts.commodities(),
        ]


class TreatmentForm(StyledForm):
    crop = forms.ChoiceField(label=_("Cây trồng/vật nuôi"))
    product_name = forms.CharField(label=_("Vật tư/thuốc"), max_length=200)
    dose = forms.CharField(label=_("Liều lượng"), max_length=100)
    applied_on = DateField(label=_("Ngày sử dụng"))
    phi_days = NumberField(label=_("Thời gian cách ly (ngày)"), min_value=0, max_value=365)

    def __init__(self, *args: Any, crops: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crop"].choices = _choices(crops)  # type: ignore[attr-defined]


class HarvestForm(StyledForm):
    crop = forms.ChoiceField(label=_("Cây trồng/vật nuôi"))
    product = forms.ChoiceField(label=_("Sản phẩm"))
    lot = forms.CharField(label=_("Số lô"), max_length=20)
    harvested_on = DateField(label=_("Ngày thu hoạch"))
    quantity_kg = NumberField(label=_("Sản lượng (kg)"), min_value=1)

    def __init__(self, *args: Any, crops: Any = (), products: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["crop"].choices = _choices(crops)  # type: ignore[attr-defined]
        self.fields["product"].choices = _choices(products)  # type: ignore[attr-defined]


class ShipForm(StyledForm):
    step = forms.ChoiceField(
        label=_("Bước"),
        choices=[
            ("shipping", _("Xuất hàng")),
            ("receiving", _("Nhận hàng")),
            ("retail_selling", _("Bán lẻ")),
        ],
    )
    code = forms.CharField(
        label=_("Mã lô hoặc SSCC"),
        max_length=512,
        help_text=_("SSCC 18 số, hoặc GTIN/số lô dạng 8930000000019/LO-01"),
    )
    happened_on = DateField(label=_("Ngày"))
    location_gln = forms.CharField(label=_("GLN nơi nhận (nếu có)"), required=False, max_length=13)


class PackForm(StyledForm):
    """A lot packed into a case, or cases stacked onto a pallet (or both at once)."""

    sscc = forms.CharField(label=_("SSCC của thùng/pallet"), max_length=18)
    product = forms.ChoiceField(label=_("Sản phẩm"), required=False)
    lot = forms.CharField(label=_("Số lô"), max_length=20, required=False)
    quantity_kg = NumberField(label=_("Khối lượng (kg)"), min_value=1, required=False)
    cases = forms.CharField(
        label=_("SSCC các thùng xếp lên pallet"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Mỗi dòng một SSCC 18 số (để trống nếu chỉ đóng lô vào thùng)"),
    )
    happened_on = DateField(label=_("Ngày đóng gói"))

    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["product"].choices = _choices(products)  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lot_given = [bool(data.get(f)) for f in ("product", "lot", "quantity_kg")]
        data["case_list"] = [c for c in (data.get("cases") or "").replace(",", " ").split() if c]
        if any(lot_given) and not all(lot_given):
            self.add_error(None, _("Đóng một lô cần đủ sản phẩm, số lô và khối lượng."))
        if not any(lot_given) and not data["case_list"]:
            self.add_error(None, _("Chọn một lô để đóng thùng, hoặc nhập SSCC các thùng."))
        return data


class AssociateForm(StyledForm):
    """A device (GIAI) attached to a case, pallet or lot, or detached, with its readings."""

    action = forms.ChoiceField(
        label=_("Thao tác"), choices=[("attach", _("Gắn thiết bị")), ("detach", _("Tháo thiết bị"))]
    )
    device = forms.CharField(
        label=_("GIAI của thiết bị"),
        max_length=30,
        help_text=_("Mã tài sản GS1 (AI 8004), ví dụ 8930000NHIETKE01 cho một nhiệt kế tự ghi"),
    )
    target = forms.CharField(
        label=_("Gắn với (SSCC hoặc GTIN/số lô)"),
        max_length=512,
        help_text=_("SSCC 18 số của thùng/pallet, hoặc GTIN/số lô dạng 8930000000019/LO-01"),
    )
    happened_on = DateField(label=_("Ngày"))
    temperature = NumberField(label=_("Nhiệt độ (°C, nếu có)"), required=False, decimals=True)
    humidity = NumberField(label=_("Độ ẩm tương đối (%, nếu có)"), required=False, decimals=True)


class TransformForm(StyledForm):
    """Lots processed into a new lot (drying, roasting, milling, packaging…)."""

    input_product = forms.ChoiceField(label=_("Sản phẩm đầu vào"))
    input_lot = forms.CharField(label=_("Số lô đầu vào"), max_length=20)
    input_kg = NumberField(label=_("Khối lượng đầu vào (kg)"), min_value=1)
    output_product = forms.ChoiceField(label=_("Sản phẩm đầu ra"))
    output_lot = forms.CharField(label=_("Số lô mới"), max_length=20)
    output_kg = NumberField(label=_("Khối lượng đầu ra (kg)"), min_value=1)
    happened_on = DateField(label=_("Ngày chế biến"))

    def __init__(self, *args: Any, products: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("input_product", "output_product"):
            self.fields[name].choices = _choices(products)  # type: ignore[attr-defined]


class RecallForm(StyledForm):
    epc = forms.CharField(
        label=_("Mã cần truy xuất"),
        max_length=512,
        help_text=_("Đường dẫn GS1 Digital Link, mã EPC, SSCC hoặc GTIN/số lô"),
    )

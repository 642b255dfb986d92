"""The marketplace's forms (the UI kit's fields: `core.forms`)."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from htxso.core import facts
from htxso.core.forms import DateField, MoneyField, NumberField, StyledForm
from htxso.core.models import Commune
from htxso.core.units import province_names

from .models import Category, Payment, Unit


class ProductForm(StyledForm):
    name = forms.CharField(label=_("Tên sản phẩm"), max_length=200)
    description = forms.CharField(label=_("Mô tả"), required=False, widget=forms.Textarea)
    category = forms.ChoiceField(label=_("Danh mục"), choices=Category.choices)
    unit = forms.ChoiceField(label=_("Đơn vị tính"), choices=Unit.choices)
    price = MoneyField(label=_("Giá bán lẻ"), min_value=1)
    wholesale_price = MoneyField(label=_("Giá bán buôn"), required=False, min_value=1)
    wholesale_from = NumberField(label=_("Bán buôn từ (số lượng)"), required=False, min_value=2)
    stock = NumberField(label=_("Tồn kho ban đầu"), required=False, min_value=0, max_value=10**9)
    ocop_stars = forms.TypedChoiceField(
        label=_("Sao OCOP"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("Không có")), *[(str(n), str(n)) for n in range(1, 6)]],
    )
    ocop_certificate = forms.CharField(
        label=_("Số giấy chứng nhận OCOP"), required=False, max_length=40
    )
    ocop_expires_on = DateField(label=_("Giấy chứng nhận hết hạn"), required=False)
    origin = forms.CharField(label=_("Mã xã/phường xuất xứ"), required=False, max_length=10)
    photo = forms.FileField(label=_("Ảnh (JPEG hoặc PNG)"), required=False)
    listed = forms.BooleanField(label=_("Đang bán"), required=False, initial=True)
    price_commodity = forms.ChoiceField(
        label=_("Mặt hàng trong bảng giá nông sản"),
        required=False,
        help_text=_("Giá bán của sản phẩm được tính vào giá trung vị trên sàn của mặt hàng này."),
    )
    kg_per_unit = NumberField(
        label=_("Mỗi đơn vị nặng (kg)"),
        required=False,
        decimals=True,
        help_text=_("Cần khi bán theo thùng, bao, gói…: ví dụ 1 bao = 50 kg."),
    )

    gtin = forms.CharField(
        label=_("GTIN (mã vạch, nếu có)"),
        required=False,
        max_length=20,
        help_text=_("Mã GS1 8, 12, 13 hoặc 14 số in dưới mã vạch, ví dụ 8930000000019."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["price_commodity"].choices = [  # type: ignore[attr-defined]
            ("", _("Không gắn")),
            *facts.commodities(),
        ]

    def clean_origin(self) -> str | None:
        code = (self.cleaned_data.get("origin") or "").strip()
        if code and not Commune.objects.filter(pk=code).exists():
            raise forms.ValidationError(_("Không có xã/phường mã %(code)s.") % {"code": code})
        return code or None

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("photo", None)
        data["origin_id"] = data.pop("origin", None)
        data["ocop_certificate"] = data.get("ocop_certificate") or ""
        return data


class StockForm(StyledForm):
    change = NumberField(label=_("Thêm (+) hoặc bớt (−) hàng"), min_value=-(10**9), max_value=10**9)


class ShopForm(StyledForm):
    description = forms.CharField(label=_("Giới thiệu"), required=False, widget=forms.Textarea)
    bank_bin = forms.CharField(label=_("Mã ngân hàng (BIN, 6 số)"), required=False, max_length=6)
    account_number = forms.CharField(label=_("Số tài khoản"), required=False, max_length=19)
    account_name = forms.CharField(label=_("Tên chủ tài khoản"), required=False, max_length=70)


class CheckoutForm(StyledForm):
    recipient = forms.CharField(label=_("Người nhận"), max_length=120)
    phone = forms.CharField(label=_("Điện thoại"), max_length=20)
    province = forms.ChoiceField(label=_("Tỉnh/thành phố"))
    commune = forms.CharField(label=_("Mã xã/phường"), max_length=10)
    street = forms.CharField(label=_("Số nhà, đường, thôn"), max_length=255)
    payment = forms.ChoiceField(
        label=_("Thanh toán"), choices=Payment.choices, widget=forms.RadioSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = [("", "—"), *province_names()]  # type: ignore[attr-defined]


class PasteForm(StyledForm):
    payload = forms.CharField(label=_("Chuỗi VietQR"), max_length=600, widget=forms.Textarea)


class SignupForm(StyledForm):
    username = forms.CharField(label=_("Tên đăng nhập"), max_length=60)
    email = forms.EmailField(label=_("Thư điện tử"))
    password = forms.CharField(label=_("Mật khẩu"), widget=forms.PasswordInput)

    def clean_password(self) -> str:
        from django.contrib.auth.password_validation import validate_password

        password: str = self.cleaned_data.get("password") or ""
        validate_password(password)
        return password

"""Forms of the registry's editing pages. They validate input; the services write."""

from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import DateField, MoneyField, StyledForm, style
from htxso.core.units import commune_names, province_names

from .choices import MemberKind, Status
from .models import Organisation

EDITABLE = [
    "kind",
    "tax_code",
    "name",
    "name_en",
    "short_name",
    "sector",
    "vsic_code",
    "is_agricultural",
    "agricultural_type",
    "street",
    "legacy_address",
    "established_on",
    "registered_on",
    "charter_capital",
    "legal_representative",
    "phone",
    "email",
    "website",
    "is_high_tech",
    "in_value_chain",
    "classification",
]


class OrganisationForm(forms.ModelForm):
    province = forms.ChoiceField(label=_("Tỉnh/thành phố"))
    commune = forms.ChoiceField(label=_("Xã/phường"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    # Typed and shown the Vietnamese way (core.forms): 769.000.000 đồng, dd/mm/yyyy.
    charter_capital = MoneyField(label=_("Vốn điều lệ"), required=False)  # "đồng" beside it
    website = forms.URLField(
        label=capfirst(Organisation._meta.get_field("website").verbose_name),
        max_length=200,
        required=False,
        assume_scheme="https",  # "htx.vn" is https://htx.vn
    )

    class Meta:
        model = Organisation
        fields = EDITABLE
        field_classes = {"established_on": DateField, "registered_on": DateField}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        province = self.data.get("province") or self.instance.province_id or ""
        choices = {
            "province": [("", "—"), *province_names()],
            "commune": [("", "—"), *(commune_names(province) if province else ())],
        }
        for name, values in choices.items():
            field = self.fields[name]
            assert isinstance(field, forms.ChoiceField)
            field.choices = values
        if self.instance.pk:
            self.initial.setdefault("province", self.instance.province_id)
            self.initial.setdefault("commune", self.instance.commune_id or "")
            self.initial.setdefault("version", self.instance.version)
        self.fields["tax_code"].validators = []  # the service normalises and validates it
        style(self)

    def _post_clean(self) -> None:
        """Model-level checks (uniqueness, constraints) are the service's, with its messages."""

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data.get(name) for name in EDITABLE}
        data["province_id"] = self.cleaned_data["province"]
        data["commune_id"] = self.cleaned_data.get("commune") or None
        return data


class StatusChangeForm(StyledForm):
    status = forms.ChoiceField(label=_("Tình trạng mới"), choices=Status.choices)
    effective_on = DateField(label=_("Ngày hiệu lực"))
    reason = forms.CharField(label=_("Lý do"), max_length=255, required=False)
    document_no = forms.CharField(label=_("Số văn bản"), max_length=60, required=False)


class MembershipForm(StyledForm):
    """A member is a person identified by CCCD, name and birth date (services.identity), or —
    for a union — an HTX by tax code."""

    cccd = forms.CharField(label=_("Số CCCD của thành viên"), max_length=20, required=False)
    full_name = forms.CharField(
        label=_("Họ và tên (như trên thẻ CCCD)"), max_length=120, required=False
    )
    birth_date = DateField(label=_("Ngày sinh (như trên thẻ CCCD)"), required=False)
    member_tax_code = forms.CharField(
        label=_("Mã số thuế của HTX thành viên (với liên hiệp HTX)"), max_length=20, required=False
    )
    kind = forms.ChoiceField(label=_("Loại thành viên"), choices=MemberKind.choices)
    joined_on = DateField(label=_("Ngày gia nhập"))
    capital_contributed = MoneyField(label=_("Vốn góp"), required=False)

    organisation: Organisation  # set by the view: the organisation a member joins

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if bool(data.get("cccd")) == bool(data.get("member_tax_code")):
            raise forms.ValidationError(
                _("Nhập số CCCD của cá nhân hoặc mã số thuế của HTX thành viên (một trong hai).")
            )
        return data


class EndMembershipForm(StyledForm):
    left_on = DateField(label=_("Ngày chấm dứt"))


class ContactForm(StyledForm):
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    address = forms.CharField(label=_("Địa chỉ"), max_length=255, required=False)

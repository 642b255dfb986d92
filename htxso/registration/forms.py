"""The applicant's and the office's forms (fields only: the services validate and write)."""

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from htxso.core.forms import DateField, MoneyField, StyledForm
from htxso.core.personal import masked
from htxso.core.units import province_names
from htxso.registry.choices import MemberKind, OrganisationKind, Sector

from . import leaving, rules
from .models import Purpose


class StartForm(StyledForm):
    kind = forms.ChoiceField(label=_("Loại hình tổ chức"), choices=OrganisationKind.choices)
    province = forms.ChoiceField(label=_("Tỉnh/thành phố nơi đặt trụ sở"), choices=())
    name = forms.CharField(label=_("Tên dự kiến"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["province"].choices = list(province_names())  # type: ignore[attr-defined]


class DraftForm(StyledForm):
    name = forms.CharField(label=_("Tên dự kiến"), max_length=255, required=False)
    sector = forms.ChoiceField(
        label=_("Ngành nghề chính"), choices=[("", "—"), *Sector.choices], required=False
    )
    commune = forms.ChoiceField(label=_("Xã/phường nơi đặt trụ sở"), required=False, choices=())
    street = forms.CharField(label=_("Số nhà, đường, thôn"), max_length=255, required=False)
    charter_capital = MoneyField(label=_("Vốn điều lệ"), required=False)
    legal_representative = forms.CharField(
        label=_("Người đại diện theo pháp luật"), max_length=120, required=False
    )
    phone = forms.CharField(label=_("Điện thoại"), max_length=20, required=False)
    email = forms.EmailField(label=_("Thư điện tử nhận thông báo"), required=False)
    statement = forms.CharField(
        label=_("Lý do giải thể"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        communes: list[tuple[str, str]],
        purpose: str = "register",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["commune"].choices = [("", "—"), *communes]  # type: ignore[attr-defined]
        if purpose == Purpose.DISSOLVE:  # the registered facts stay; the reason and contacts
            keep = {"statement", "phone", "email"}
            for name in [n for n in self.fields if n not in keep]:
                del self.fields[name]
            self.fields["statement"].required = True
        else:
            del self.fields["statement"]
        if purpose == Purpose.CHANGE:
            self.fields["name"].label = _("Tên tổ chức")


class MemberForm(StyledForm):
    cccd = forms.CharField(label=_("Số CCCD"), max_length=20)
    full_name = forms.CharField(label=_("Họ và tên"), max_length=120)
    birth_date = DateField(label=_("Ngày sinh"))
    kind = forms.ChoiceField(label=_("Loại thành viên"), choices=MemberKind.choices)
    capital_contributed = MoneyField(label=_("Vốn góp"), required=False)


class LeavingForm(StyledForm):
    """A current member who leaves: picked from the organisation's members, or by CCCD."""

    membership = forms.TypedChoiceField(
        label=_("Thành viên ra khỏi"), coerce=int, empty_value=None, required=False, choices=()
    )
    cccd = forms.CharField(label=_("hoặc số CCCD của thành viên"), max_length=20, required=False)
    left_on = DateField(label=_("Ngày ra khỏi"))
    reason = forms.CharField(label=_("Lý do ra khỏi"), max_length=255, required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["membership"].choices = [("", "—"), *members]  # type: ignore[attr-defined]
        if not members:  # too many to list: by CCCD
            del self.fields["membership"]
            self.fields["cccd"].label = _("Số CCCD của thành viên ra khỏi")

    @classmethod
    def of(cls, application: Any, data: Any = None) -> "LeavingForm":
        """The form for `application`, offering its organisation's current members (CCCD
        masked; by CCCD only when they are too many to list)."""
        offered = list(leaving.current(application.organisation_id)[: leaving.OFFERED + 1])
        members = [
            (
                m.pk,
                " — ".join(
                    part
                    for part in (
                        leaving.member_name(m),
                        masked("cccd", m.person.cccd) if m.person and m.person.cccd else "",
                        gettext("gia nhập %(day)s") % {"day": m.joined_on.strftime("%d/%m/%Y")},
                    )
                    if part
                ),
            )
            for m in offered
        ]
        return cls(data, members=members if len(offered) <= leaving.OFFERED else [])


class UploadForm(StyledForm):
    document = forms.ChoiceField(label=_("Giấy tờ"), choices=())
    file = forms.FileField(label=_("Tệp (PDF, JPEG, PNG)"))

    def __init__(self, *args: Any, kind: str, purpose: str = "register", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [  # type: ignore[attr-defined]
            (d.code, d.label) for d in rules.load().for_kind(kind, purpose).documents
        ]


class ChangeForm(StyledForm):
    """A change or a dissolution of an organisation the founder registered."""

    organisation = forms.TypedChoiceField(label=_("Tổ chức"), coerce=int, choices=())
    purpose = forms.ChoiceField(
        label=_("Đề nghị"),
        choices=[(p.value, p.label) for p in (Purpose.CHANGE, Purpose.DISSOLVE)],
    )

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class NoteForm(StyledForm):
    note = forms.CharField(label=_("Nội dung"), widget=forms.Textarea(attrs={"rows": 3}))

"""The columns of each importable file of the registry: one definition read by the importer, the
templates and the exports, so the three can never disagree (`htxso.tabular.columns` is what a
column is; `htxso.core.values` parses numbers, yes/no and dates).
"""

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from htxso.core.values import parse_date, parse_integer, parse_money
from htxso.registry.choices import (
    AgriculturalType,
    Classification,
    Gender,
    MemberKind,
    OrganisationKind,
    Sector,
    Status,
)
from htxso.tabular.columns import Column, Layout, choice_parser

from .synonyms import bool_in_words, words

ORGANISATIONS, MEMBERS = "organisations", "members"


_ID = re.compile(r"^\d{1,18}$")


def parse_id(value: Any) -> int:
    """An organisation's id on HTX Số: a whole number, typed as text or into a number cell."""
    if isinstance(value, bool):
        raise ValidationError(_("Mã tổ chức phải là số."))
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    if not _ID.match(text):
        raise ValidationError(_("Mã tổ chức phải là số."))
    return int(text)


def sector_label(value: str, label: Any) -> str:
    """How a sector is shown in templates and exports: "A - Nông nghiệp, …"."""
    return f"{value} - {label}"


def parse_members(value: Any) -> int:
    """A member count: a whole number, not negative."""
    number = parse_integer(value)
    if number < 0:
        raise ValidationError(_("Số thành viên không được âm."))
    return number


# The whole address in one cell ("Xã Tân Cương, TP Thái Nguyên, Thái Nguyên"): read into the
# address columns it stands for (`core.addresses.split_address`), never beside them.
ADDRESS = Column(
    "address",
    gettext_lazy("Địa chỉ (một ô)"),
    note=gettext_lazy(
        "Thay cho các cột địa chỉ: “xã/phường, tỉnh” hoặc địa chỉ cũ “xã, huyện, tỉnh”."
    ),
    width=40,
)
ADDRESS_PARTS = ("province", "legacy_district", "commune", "street")


def _address_columns(required: bool) -> list[Column]:
    return [
        Column(
            "province",
            gettext_lazy("Tỉnh/thành phố"),
            required=required,
            example="Thái Nguyên",
            dropdown="province",
            note=gettext_lazy("Tên hiện hành (34 đơn vị) hoặc tỉnh cũ khi ghi địa chỉ cũ."),
            aliases=("tinh", "tinh thanh", "tinh/thanh pho", "tinh thanh pho"),
        ),
        Column(
            "legacy_district",
            gettext_lazy("Quận/huyện (địa chỉ cũ)"),
            example="",
            note=gettext_lazy(
                "Chỉ ghi khi địa chỉ theo đơn vị hành chính trước 1/7/2025; "
                "hệ thống tự chuyển sang xã/phường mới."
            ),
            aliases=("huyen", "quan huyen", "quan/huyen"),
        ),
        Column(
            "commune",
            gettext_lazy("Xã/phường"),
            example="Phường Phan Đình Phùng",
            aliases=("xa", "phuong", "xa phuong", "xa/phuong", "xa phuong thi tran"),
            width=24,
        ),
        Column(
            "street",
            gettext_lazy("Số nhà, đường, thôn"),
            example="Tổ 5",
            aliases=("dia chi chi tiet", "thon xom"),
            width=22,
        ),
    ]


ORGANISATION_LAYOUT = Layout(
    name=ORGANISATIONS,
    title=gettext_lazy("Danh sách tổ chức kinh tế tập thể"),
    keys=("tax_code", "organisation_id"),
    columns=[
        Column(
            "tax_code",
            gettext_lazy("Mã số thuế"),
            example="4600123459",
            note=gettext_lazy(
                "Bắt buộc với hợp tác xã, liên hiệp; dùng để đối chiếu khi cập nhật."
            ),
            aliases=("mst", "ma so thue hop tac xa", "ma so doanh nghiep"),
            width=14,
        ),
        Column(
            "kind",
            gettext_lazy("Loại hình"),
            parse=choice_parser(OrganisationKind, words=words("kind")),
            required=True,
            example=OrganisationKind.COOPERATIVE.label,
            choices=OrganisationKind,
            aliases=("loai hinh to chuc",),
        ),
        Column(
            "name",
            gettext_lazy("Tên tổ chức"),
            required=True,
            example="Hợp tác xã Chè Tân Cương",
            aliases=("ten", "ten hop tac xa", "ten htx"),
            width=36,
        ),
        Column("short_name", gettext_lazy("Tên viết tắt"), example="HTX Chè Tân Cương"),
        Column("name_en", gettext_lazy("Tên tiếng Anh"), example="Tan Cuong Tea Cooperative"),
        Column(
            "sector",
            gettext_lazy("Ngành kinh tế (VSIC)"),
            parse=choice_parser(Sector, sector_label, words("sector")),
            required=True,
            example=sector_label(Sector.A.value, Sector.A.label),
            choices=Sector,
            label=sector_label,
            aliases=("nganh", "nganh nghe"),
            width=30,
        ),
        Column("vsic_code", gettext_lazy("Mã ngành chi tiết"), example="01271", width=10),
        Column(
            "agricultural_type",
            gettext_lazy("Loại hình nông nghiệp"),
            parse=choice_parser(AgriculturalType),
            example=AgriculturalType.CROPS.label,
            choices=AgriculturalType,
        ),
        *_address_columns(required=True),
        Column(
            "established_on",
            gettext_lazy("Ngày thành lập"),
            parse=parse_date,
            required=True,
            example="15/03/2012",
            note=gettext_lazy("dd/mm/yyyy"),
            width=12,
        ),
        Column("registered_on", gettext_lazy("Ngày đăng ký"), parse=parse_date, width=12),
        Column(
            "charter_capital",
            gettext_lazy("Vốn điều lệ (đồng)"),
            parse=parse_money,
            example="1.500.000.000",
            aliases=("von dieu le",),
            width=16,
        ),
        Column(
            "legal_representative",
            gettext_lazy("Người đại diện theo pháp luật"),
            example="Nguyễn Văn An",
            aliases=("nguoi dai dien", "giam doc"),
        ),
        Column("phone", gettext_lazy("Điện thoại"), example="0208 3855 123", width=14),
        Column("email", gettext_lazy("Thư điện tử"), aliases=("email",)),
        Column("website", gettext_lazy("Trang web"), aliases=("website",)),
        Column(
            "is_high_tech",
            gettext_lazy("Ứng dụng công nghệ cao"),
            parse=bool_in_words(),
            example="Không",
            dropdown="bool",
            width=10,
        ),
        Column(
            "in_value_chain",
            gettext_lazy("Tham gia chuỗi giá trị"),
            parse=bool_in_words(),
            example="Có",
            dropdown="bool",
            width=10,
        ),
        Column(
            "classification",
            gettext_lazy("Xếp loại"),
            parse=choice_parser(Classification),
            choices=Classification,
            width=10,
        ),
        Column(
            "status",
            gettext_lazy("Tình trạng"),
            parse=choice_parser(Status, words=words("status")),
            example=Status.ACTIVE.label,
            choices=Status,
            note=gettext_lazy("Để trống khi thêm mới: tổ chức mới đang hoạt động."),
        ),
        Column(
            "status_since",
            gettext_lazy("Tình trạng từ ngày"),
            parse=parse_date,
            note=gettext_lazy("Bắt buộc khi ghi tình trạng khác tình trạng hiện tại."),
            width=12,
        ),
        # Last, where exports have always put it: an exported file keeps its column order.
        Column(
            "organisation_id",
            gettext_lazy("Mã tổ chức trên HTX Số"),
            parse=parse_id,
            note=gettext_lazy(
                "Để trống khi thêm mới. Tệp xuất có sẵn mã này; dùng để đối chiếu khi cập nhật, "
                "nhất là tổ hợp tác chưa có mã số thuế."
            ),
            aliases=("ma to chuc", "ma htx so", "id"),
            width=10,
        ),
    ],
    # Read from provinces' own files, not in the template or exports.
    extra=[
        ADDRESS,
        Column(
            "farming",
            gettext_lazy("Lĩnh vực nông nghiệp"),
            parse=bool_in_words("farming"),
            note=gettext_lazy(
                "“Nông nghiệp” hoặc “Phi nông nghiệp”; không ghi thì theo ngành và loại hình "
                "nông nghiệp."
            ),
            aliases=("nong nghiep",),
            width=12,
        ),
        Column(
            "members_declared",
            gettext_lazy("Số thành viên"),
            parse=parse_members,
            note=gettext_lazy(
                "Số thành viên theo hồ sơ (liên hiệp: số hợp tác xã thành viên); được đối chiếu "
                "với số tối thiểu và với danh sách thành viên trên HTX Số."
            ),
            width=10,
        ),
    ],
    instructions=(
        gettext_lazy("Mỗi dòng là một tổ chức; dòng 1 là tiêu đề, đừng đổi tên cột."),
        gettext_lazy("Cột có dấu * là bắt buộc. Ngày ghi dd/mm/yyyy; số tiền ghi bằng đồng."),
        gettext_lazy(
            "Đối chiếu theo mã tổ chức trên HTX Số, rồi theo mã số thuế: tổ chức đã có thì "
            "cập nhật, chưa có thì thêm mới. Dòng không có cả hai mã mà trùng tên và loại hình "
            "với một tổ chức của cùng tỉnh/thành phố (trong cơ sở dữ liệu hoặc ở dòng trên) bị "
            "báo lỗi, không thêm bản thứ hai."
        ),
        gettext_lazy(
            "Khi cập nhật, ô để trống là giữ nguyên giá trị đã có; xã/phường để trống cũng vậy, "
            "trừ khi dòng chuyển tổ chức sang tỉnh/thành phố khác (xã/phường cũ bị bỏ)."
        ),
        gettext_lazy(
            "Địa chỉ cũ (trước 1/7/2025): ghi tỉnh cũ, quận/huyện và xã cũ; hệ thống chuyển "
            "sang xã/phường mới và giữ nguyên văn địa chỉ cũ."
        ),
    ),
)


MEMBER_LAYOUT = Layout(
    name=MEMBERS,
    title=gettext_lazy("Danh sách thành viên"),
    keys=("organisation_tax_code", "organisation_id"),
    columns=[
        Column(
            "organisation_tax_code",
            gettext_lazy("Mã số thuế của tổ chức"),
            example="4600123459",
            note=gettext_lazy("Hoặc ghi mã tổ chức trên HTX Số (cột bên cạnh)."),
            aliases=("ma so thue to chuc", "ma so thue htx", "mst htx"),
            width=14,
        ),
        Column(
            "organisation_id",
            gettext_lazy("Mã tổ chức trên HTX Số"),
            note=gettext_lazy("Dùng cho tổ hợp tác chưa có mã số thuế."),
            aliases=("ma to chuc",),
            width=10,
        ),
        Column(
            "cccd",
            gettext_lazy("Số CCCD"),
            required=True,
            example="019185000123",
            note=gettext_lazy("12 chữ số; nên định dạng ô là Văn bản để giữ số 0 ở đầu."),
            aliases=("cccd", "so can cuoc", "so can cuoc cong dan", "so dinh danh"),
            width=14,
        ),
        Column(
            "full_name",
            gettext_lazy("Họ và tên"),
            required=True,
            example="Trần Thị Bình",
            aliases=("ho ten", "ten thanh vien"),
            width=24,
        ),
        Column(
            "gender",
            gettext_lazy("Giới tính"),
            parse=choice_parser(Gender),
            example=Gender.FEMALE.label,
            choices=Gender,
            note=gettext_lazy("Để trống: lấy theo số CCCD."),
            width=8,
        ),
        Column(
            "birth_date",
            gettext_lazy("Ngày sinh"),
            parse=parse_date,
            example="02/09/1985",
            width=12,
        ),
        Column("phone", gettext_lazy("Điện thoại"), example="0912345678", width=14),
        Column("email", gettext_lazy("Thư điện tử"), aliases=("email",)),
        *_address_columns(required=False),
        Column(
            "member_kind",
            gettext_lazy("Loại thành viên"),
            parse=choice_parser(MemberKind, words=words("member_kind")),
            required=True,
            example=MemberKind.OFFICIAL.label,
            choices=MemberKind,
            width=26,
        ),
        Column(
            "joined_on",
            gettext_lazy("Ngày gia nhập"),
            parse=parse_date,
            required=True,
            example="01/06/2015",
            width=12,
        ),
        Column(
            "left_on",
            gettext_lazy("Ngày chấm dứt"),
            parse=parse_date,
            note=gettext_lazy(
                "Để trống khi còn là thành viên. Ghi ngày để chấm dứt tư cách thành viên "
                "hoặc nhập tư cách đã chấm dứt."
            ),
            aliases=("ngay ra khoi", "ngay cham dut tu cach thanh vien"),
            width=12,
        ),
        Column(
            "capital_contributed",
            gettext_lazy("Vốn góp (đồng)"),
            parse=parse_money,
            example="20.000.000",
            aliases=("von gop",),
            width=14,
        ),
    ],
    extra=[ADDRESS],
    instructions=(
        gettext_lazy(
            "Mỗi dòng là một tư cách thành viên: một người (theo số CCCD) trong một tổ chức."
        ),
        gettext_lazy("Một người là thành viên của nhiều tổ chức thì ghi nhiều dòng, cùng số CCCD."),
        gettext_lazy(
            "Tổ chức được nhận theo mã số thuế hoặc mã trên HTX Số; tổ chức phải có sẵn trong "
            "cơ sở dữ liệu."
        ),
        gettext_lazy("Cột có dấu * là bắt buộc. Ngày ghi dd/mm/yyyy; số tiền ghi bằng đồng."),
        gettext_lazy("Nơi cư trú có thể ghi theo địa chỉ cũ (tỉnh cũ, quận/huyện, xã cũ)."),
    ),
)

LAYOUTS = {ORGANISATIONS: ORGANISATION_LAYOUT, MEMBERS: MEMBER_LAYOUT}

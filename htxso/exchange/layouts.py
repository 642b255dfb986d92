"""The columns of each importable file: one definition read by the importer, the templates and
the exports, so the three can never disagree.

A column has a stable key (the service's field name), a Vietnamese header (what the template
shows and what a file is matched on), aliases seen in provincial files, and a parser that turns
a cell into a value or raises ValidationError with a Vietnamese message.
"""

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from htxso.core.text import search_key
from htxso.registry.choices import (
    AgriculturalType,
    Classification,
    Gender,
    MemberKind,
    OrganisationKind,
    Sector,
    Status,
)

ORGANISATIONS, MEMBERS = "organisations", "members"
MAX_TEXT = 255


def header_key(text: Any) -> str:
    """How headers are compared: no diacritics, case, punctuation, asterisks or notes."""
    return search_key(re.sub(r"\(.*?\)|\*", " ", str(text or "")))


# --- cell parsers ------------------------------------------------------------------------


_SPACE_RUNS = re.compile(r"\s{2,}|[\t\r\n\u00a0]")


def parse_text(value: Any, limit: int = MAX_TEXT) -> str:
    text = str(value).strip()
    if "\x00" in text:
        raise ValidationError(_("Ô có ký tự NUL, không hợp lệ."))
    if _SPACE_RUNS.search(text):
        text = re.sub(r"\s+", " ", text)
    if len(text) > limit:
        raise ValidationError(_("Dài quá %(limit)s ký tự.") % {"limit": limit})
    return text


_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_date(value: Any) -> dt.date:
    """dd/mm/yyyy (also with . or -), yyyy-mm-dd, an Excel date cell or an Excel serial number."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80_000 and float(value).is_integer():
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValidationError(_("Không phải ngày hợp lệ (dd/mm/yyyy)."))
    text = str(value).strip()
    match = _DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        iso = _ISO.match(text)
        if not iso:
            raise ValidationError(_("Không phải ngày hợp lệ (dd/mm/yyyy)."))
        year, month, day = (int(g) for g in iso.groups())
    try:
        day_value = dt.date(year, month, day)
    except ValueError:
        raise ValidationError(_("Ngày không tồn tại trong lịch.")) from None
    if day_value.year < 1900:
        raise ValidationError(_("Năm phải từ 1900 trở đi."))
    return day_value


_GROUPED = re.compile(r"^\d{1,3}([., ]\d{3})+$")


def parse_money(value: Any) -> int:
    """Whole đồng: 1500000, 1.500.000, 1,500,000 or 1 500 000; never negative."""
    if isinstance(value, bool):
        raise ValidationError(_("Không phải số tiền hợp lệ."))
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(_("Số tiền phải là số nguyên (đồng)."))
        number = int(value)
    else:
        text = str(value).strip().replace("\u00a0", " ")
        text = re.sub(r"\s*(đ|đồng|vnd|vnđ)$", "", text, flags=re.IGNORECASE)
        if _GROUPED.match(text):
            text = re.sub(r"[., ]", "", text)
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Không phải số tiền hợp lệ.")) from None
        if amount != amount.to_integral_value():
            raise ValidationError(_("Số tiền phải là số nguyên (đồng)."))
        number = int(amount)
    if number < 0:
        raise ValidationError(_("Số tiền không được âm."))
    if number >= 10**15:
        raise ValidationError(_("Số tiền quá lớn."))
    return number


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


_TRUE = {"co", "x", "1", "true", "yes", "dung"}
_FALSE = {"khong", "0", "false", "no", "sai", ""}


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    key = search_key(str(value))
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValidationError(_("Chỉ nhận “Có” hoặc “Không”."))


def choice_parser(choices: Any) -> Callable[[Any], str]:
    """Accept the Vietnamese label, the English label or the code, ignoring case and accents."""
    index: dict[str, str] = {}

    def build() -> None:
        from django.utils import translation

        for language in ("vi", "en"):
            with translation.override(language):
                for value, label in choices.choices:
                    index.setdefault(search_key(value), value)
                    index.setdefault(search_key(str(label)), value)
                    index.setdefault(search_key(f"{value} {label}"), value)  # "A - Nông nghiệp…"

    @lru_cache(maxsize=4096)
    def lookup(text: str) -> str | None:
        if not index:
            build()
        return index.get(search_key(text))

    def parse(cell: Any) -> str:
        found = lookup(str(cell))
        if found is None:
            catalogue = "; ".join(str(label) for _v, label in choices.choices)
            near = nearest(str(cell), [str(label) for _v, label in choices.choices])
            if near is not None:
                raise ValidationError(
                    _("Giá trị không có trong danh mục. Có phải “%(near)s”? Danh mục: %(all)s.")
                    % {"near": near, "all": catalogue}
                )
            raise ValidationError(_("Giá trị không có trong danh mục: %s.") % catalogue)
        return found

    return parse


def nearest(text: str, labels: list[str]) -> str | None:
    """The label a person most likely meant: the only one the text begins (or is begun by),
    word for word, or else the closest spelling (accents and case ignored)."""
    import difflib

    key = search_key(text)
    if not key:
        return None
    keys = {search_key(label): label for label in labels}
    prefixed = [
        label
        for k, label in keys.items()
        if (k + " ").startswith(key + " ") or (key + " ").startswith(k + " ")
    ]
    if len(prefixed) == 1:
        return prefixed[0]
    close = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.75)
    return keys[close[0]] if close else None


def sector_label(value: str, label: Any) -> str:
    return f"{value} - {label}"


# --- layouts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: Any  # lazy Vietnamese text
    parse: Callable[[Any], Any] = parse_text
    required: bool = False
    example: Any = ""
    note: Any = ""
    choices: Any = None  # a TextChoices class, for the template's dropdown
    dropdown: str = ""  # "province" for the province list
    aliases: tuple[str, ...] = ()
    width: int = 18

    def dropdown_values(self) -> list[str]:
        if self.choices is not None:
            if self.choices is Sector:
                return [sector_label(v, label) for v, label in Sector.choices]
            return [str(label) for _v, label in self.choices.choices]
        if self.dropdown == "province":
            from htxso.core.units import province_names

            return [name for _code, name in province_names()]
        if self.dropdown == "bool":
            return [str(_("Có")), str(_("Không"))]
        return []


@dataclass(frozen=True)
class Layout:
    name: str
    title: Any
    columns: Sequence[Column]
    keys: tuple[str, ...]  # columns that identify a record (one of them must be filled)
    instructions: Sequence[Any] = field(default_factory=tuple)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def match_headers(self, headers: Sequence[Any]) -> tuple[dict[int, Column], list[str]]:
        """File column index → Column, and the headers nobody recognises.

        A header is recognised in the active language (with the key and the aliases), and in
        every other language of the interface: a template downloaded in English imports too,
        whatever language the import runs in. The active language wins a clash."""
        index: dict[str, Column] = {}
        for column in self.columns:
            for text in (column.key, str(column.header), *column.aliases):
                index.setdefault(header_key(text), column)
        for code, _name in settings.LANGUAGES:
            with translation.override(code):
                for column in self.columns:
                    index.setdefault(header_key(_translated(column.header)), column)
        mapping: dict[int, Column] = {}
        unknown: list[str] = []
        taken: set[str] = set()
        for position, header in enumerate(headers):
            key = header_key(header)
            if not key:
                continue
            found = index.get(key)
            if found is None or found.key in taken:
                unknown.append(str(header))
                continue
            taken.add(found.key)
            mapping[position] = found
        return mapping, unknown


def _translated(header: Any) -> str:
    """A header in the active language: lazy text is rendered, plain text looked up."""
    if isinstance(header, Promise):
        return str(header)
    return translation.gettext(str(header)) if header else ""


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
            parse=choice_parser(OrganisationKind),
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
            parse=choice_parser(Sector),
            required=True,
            example=sector_label(Sector.A.value, Sector.A.label),
            choices=Sector,
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
            parse=parse_bool,
            example="Không",
            dropdown="bool",
            width=10,
        ),
        Column(
            "in_value_chain",
            gettext_lazy("Tham gia chuỗi giá trị"),
            parse=parse_bool,
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
            parse=choice_parser(Status),
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
            parse=choice_parser(MemberKind),
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

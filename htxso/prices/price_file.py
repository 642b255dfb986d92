"""Prices from a file (XLSX, or CSV in UTF-8 / Windows-1258 / TCVN3 / VNI, read by
`htxso.tabular.sources`): one price per row — the day, the commodity, the province, the market,
the price type, the price in đồng and its unit, and optionally its source (a provincial
department's price bulletin; "reported" otherwise). One layout (`LAYOUT`) for the importer and
its template, so the two cannot disagree.

Every row passes the rules of a price reported on the page (`services.check_price`, the
actor's right to import prices of its province), except that a file may carry history (from
`OLDEST`). The run is one transaction: a dry run, or any row with an error, writes nothing; a
commit re-checks and writes everything (`services.write_prices`: outliers flagged against each
series' history, one audit entry for the file). A row already in the database (same series,
day and price) is left as it is, so importing a file twice changes nothing."""

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from htxso.core.addresses import province_code
from htxso.core.scoping import Action
from htxso.core.units import province_names
from htxso.core.values import format_number, parse_date, parse_number
from htxso.tabular.columns import Column, Layout, choice_parser, code_digits, parse_text
from htxso.tabular.findings import ROW_LEVEL, Findings, Severity, error_messages
from htxso.tabular.sources import open_table

from . import services
from .forms import REPORTED_TYPES
from .models import Commodity, Unit

OLDEST = dt.date(2000, 1, 1)
MAX_ROWS = 100_000


class _Choices:
    """A catalogue as `choice_parser` and the template's dropdown read it (`.choices`)."""

    def __init__(self, pairs: Callable[[], list[tuple[str, Any]]]) -> None:
        self._pairs = pairs

    @property
    def choices(self) -> list[tuple[str, Any]]:
        return self._pairs()


def _commodities() -> list[tuple[str, Any]]:
    return list(Commodity.objects.order_by("name").values_list("code", "name"))


COMMODITIES = _Choices(_commodities)
PRICE_TYPES = _Choices(lambda: list(REPORTED_TYPES))


_PARSERS: dict[str, Callable[[Any], str]] = {}


class _Frozen:
    """Choices read once (`.choices`)."""

    def __init__(self, choices: list[tuple[str, Any]]) -> None:
        self.choices = choices


def parse_commodity(cell: Any) -> str:
    """A commodity by its name or code in the catalogue (case and accents ignored); the
    catalogue is data, read once per run (`run` clears the parser)."""
    if "commodity" not in _PARSERS:
        _PARSERS["commodity"] = choice_parser(_Frozen(_commodities()))
    return _PARSERS["commodity"](cell)


def parse_province(cell: Any) -> str:
    """A province by its name (34 current units) or its two-digit code."""
    code = code_digits(cell, 2)
    if code.isdigit() and code in dict(province_names()):
        return code
    found = province_code(str(cell))
    if found is None:
        raise ValidationError(_("Không tìm thấy tỉnh/thành phố “%s” (34 đơn vị hiện hành).") % cell)
    return found


def parse_source(cell: Any) -> str:
    return parse_text(cell, 120)


def parse_market(cell: Any) -> str:
    return parse_text(cell, 120)


LAYOUT = Layout(
    name="prices",
    title=gettext_lazy("Giá nông sản"),
    columns=(
        Column("period", gettext_lazy("Ngày"), parse_date, True, "05/11/2025", width=12),
        Column(
            "commodity",
            gettext_lazy("Mặt hàng"),
            parse_commodity,
            True,
            "Cà phê Robusta (nhân xô)",
            choices=COMMODITIES,
            aliases=("san pham", "hang hoa"),
            width=28,
        ),
        Column(
            "province",
            gettext_lazy("Tỉnh/thành phố"),
            parse_province,
            True,
            "Đắk Lắk",
            dropdown="province",
            aliases=("tinh", "tinh thanh"),
        ),
        Column("market", gettext_lazy("Chợ, điểm thu mua"), parse_market, example="Buôn Ma Thuột"),
        Column(
            "price_type",
            gettext_lazy("Loại giá"),
            choice_parser(PRICE_TYPES),
            True,
            "giá tại vườn (thu mua)",
            choices=PRICE_TYPES,
            width=24,
        ),
        Column(
            "value",
            gettext_lazy("Giá (đồng)"),
            parse_number,
            True,
            "118.500",
            aliases=("gia", "don gia"),
        ),
        Column("unit", gettext_lazy("Đơn vị"), choice_parser(Unit), True, "kg", choices=Unit),
        Column(
            "source",
            gettext_lazy("Nguồn"),
            parse_source,
            example="Sở Công Thương Đắk Lắk",
            note=gettext_lazy("Để trống: giá thành viên, cán bộ báo."),
            width=28,
        ),
    ),
    keys=("commodity",),
    instructions=(
        gettext_lazy("Mỗi dòng một giá bằng đồng, cho một mặt hàng, một nơi, một ngày."),
        gettext_lazy("Giá khác thường được ghi và đánh dấu để kiểm tra, không bị bỏ."),
        gettext_lazy("Nhập lại cùng tệp không ghi thêm gì: giá đã có được bỏ qua."),
    ),
)
REQUIRED = [c for c in LAYOUT.columns if c.required]


def run(
    actor: Any,
    path: str | Path,
    filename: str,
    commit: bool,
    progress: Callable[[str, float], None] | None = None,
    on_success: Callable[[Findings], None] | None = None,
) -> Findings:
    """Check (and when `commit`, write) a price file; its findings. Nothing is written unless
    `commit` is set and no row has an error (one transaction)."""
    found = Findings()
    _PARSERS.clear()  # the catalogue as it is now
    lookups = services.Lookups.load()
    table = open_table(path, filename)  # FileError: the job is refused with its message
    found.encoding = table.encoding
    mapping, unknown = LAYOUT.match_headers(table.headers)
    for header in unknown:
        found.add(1, header, header, _("Cột không có trong tệp mẫu, bỏ qua."), Severity.WARNING)
    present = {c.key for c in mapping.values()}
    missing = [c for c in REQUIRED if c.key not in present]
    for column in missing:
        found.add(1, column, "", _("Thiếu cột bắt buộc “%s”.") % column.header)
    if missing:
        found.message = _("Tệp thiếu cột bắt buộc; hãy dùng tệp mẫu.")
        return found
    prices: list[tuple[int, services.Price, str]] = []
    with transaction.atomic():
        for number, cells in table.rows:
            if found.rows >= MAX_ROWS:
                found.message = _("Tệp có quá %(max)s dòng: hãy chia thành nhiều tệp.") % {
                    "max": format_number(MAX_ROWS)
                }
                found.add(number, ROW_LEVEL, "", found.message)
                break
            found.rows += 1
            row = _row(actor, number, cells, mapping, found, lookups)
            if row is not None:
                prices.append(row)
            if progress is not None and found.rows % 500 == 0:
                progress("read", table.position())
        if found.rows == 0:
            found.add(2, ROW_LEVEL, "", _("Tệp không có dòng dữ liệu nào."))
        if found.has_errors:
            transaction.set_rollback(True)
            return found
        found.summary, flagged = services.write_prices(actor, prices, filename, commit)
        for line, note in flagged:
            message = _("Giá bất thường (%(note)s): vẫn được ghi, có đánh dấu để kiểm tra.")
            found.add(line, LAYOUT.column("value"), "", message % {"note": note}, Severity.WARNING)
        if commit:
            if on_success is not None:
                on_success(found)
        else:
            transaction.set_rollback(True)
    return found


def _row(
    actor: Any,
    number: int,
    cells: list[Any],
    mapping: dict[int, Column],
    found: Findings,
    lookups: services.Lookups,
) -> tuple[int, services.Price, str] | None:
    values: dict[str, Any] = {}
    ok = True
    for position, column in mapping.items():
        cell = cells[position] if position < len(cells) else None
        if cell is None or str(cell).strip() == "":
            if column.required:
                found.add(number, column, "", _("Ô bắt buộc, không được để trống."))
                ok = False
            continue
        try:
            values[column.key] = column.parse(cell)
        except ValidationError as exc:
            found.add(number, column, cell, exc.messages[0])
            ok = False
    if not ok:
        return None
    try:
        price = services.check_price(
            actor,
            values["commodity"],
            values["province"],
            values["price_type"],
            values["value"],
            values["unit"],
            values["period"],
            values.get("market", ""),
            oldest=OLDEST,
            action=Action.IMPORT,
            lookups=lookups,
        )
    except PermissionDenied as exc:
        found.add(number, LAYOUT.column("province"), values["province"], str(exc))
        return None
    except ValidationError as exc:
        for field, message in error_messages(exc):
            named = field in {c.key for c in LAYOUT.columns}
            found.add(
                number, LAYOUT.column(field) if named else ROW_LEVEL, values.get(field, ""), message
            )
        return None
    return number, price, values.get("source") or services.REPORTED

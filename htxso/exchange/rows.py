"""Reading the rows of a registry file: cells parsed by the layout's columns, codes given back
their leading zeros, addresses placed in current units (legacy ones converted), every finding
kept in the run's `ImportFindings`."""

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from htxso.core import addresses
from htxso.tabular.columns import Column, Layout, code_digits, header_key
from htxso.tabular.findings import ROW_LEVEL, Aborted, Findings, Severity, error_messages

from .layouts import ADDRESS_PARTS

Progress = Callable[[str, float], None]


@dataclass
class ImportFindings(Findings):
    """The findings of a registry import, with what the identity checks learnt."""

    mismatched_people: list[int] = field(default_factory=list)  # registry.writes.identity
    linked_unseen: int = 0  # registered people the importer could not see, facts verified


REMEMBERED = 10_000  # distinct cells remembered per column (free text is rarely repeated)
_IMMUTABLE = (str, int, float, bool, dt.date, Decimal, type(None))


def _plain(value: Any) -> bool:
    """A parsed value that rows may share (never changed in place)."""
    return isinstance(value, _IMMUTABLE)


CODE_WIDTHS = {"cccd": 12, "tax_code": 10, "organisation_tax_code": 10, "phone": 10}


class RowReader:
    """Turns a file's cells into {column key: value}, reporting each cell that does not parse."""

    def __init__(
        self,
        layout: Layout,
        headers: list[Any],
        report: ImportFindings,
        header_row: int = 1,
        synonyms: dict[str, str] | None = None,
        keys: list[str] | None = None,
    ) -> None:
        """`keys`: the field of each column as a person confirmed it ("" for one left out);
        without them, headers are matched by name (`Layout.match_headers`)."""
        self.layout, self.report = layout, report
        if keys is not None:
            known = {c.key: c for c in layout.readable}
            self.mapping = {i: known[k] for i, k in enumerate(keys) if k in known}
            unknown = [
                str(h) for i, h in enumerate(headers) if i not in self.mapping and header_key(h)
            ]
        else:
            self.mapping, unknown = layout.match_headers(headers, synonyms)
        for header in unknown:
            report.add(
                header_row, header, header, _("Cột không được nhận dạng, bỏ qua."), Severity.WARNING
            )
        present = {c.key for c in self.mapping.values()}
        if "address" in present:  # the one-cell address holds the address columns
            present |= set(ADDRESS_PARTS)
        missing = [c for c in layout.columns if c.required and c.key not in present]
        if not any(k in present for k in layout.keys):
            missing.extend(c for c in layout.columns if c.key == layout.keys[0])
        if missing:
            for column in missing:
                report.add(header_row, column, "", _("Thiếu cột bắt buộc “%s”.") % column.header)
            raise Aborted(
                _(
                    "Tệp thiếu cột bắt buộc (dòng tiêu đề là dòng %(row)s): %(columns)s. Hãy đổi "
                    "tên cột cho đúng tệp mẫu hoặc thêm cột."
                )
                % {"row": header_row, "columns": ", ".join(f"“{c.header}”" for c in missing)}
            )
        self.required = [c for c in self.mapping.values() if c.required]
        self.raw: dict[str, Any] = {}  # the last row's cells as the file has them, for the report
        self.items = [
            (position, column, CODE_WIDTHS.get(column.key))
            for position, column in self.mapping.items()
        ]
        # Each column's distinct cells parsed once: {position: {cell: (parsed, value/message)}}
        # (a national file repeats a few kinds, sectors, dates and yes/no thousands of times).
        self.parsed: dict[int, dict[str, tuple[bool, Any]]] = {p: {} for p in self.mapping}

    def read(self, number: int, cells: list[Any]) -> dict[str, Any] | None:
        values: dict[str, Any] = {}
        self.raw = {}
        ok = True
        for position, column, width in self.items:
            raw = cells[position] if position < len(cells) else None
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                continue
            self.raw[column.key] = raw
            if width:
                raw = code_digits(raw, width)
            seen = self.parsed[position]
            known = seen.get(raw) if isinstance(raw, str) else None
            if known is None:
                try:
                    known = (True, column.parse(raw))
                except ValidationError as exc:
                    known = (False, exc.messages[0])
                if isinstance(raw, str) and len(seen) < REMEMBERED and _plain(known[1]):
                    seen[raw] = known
            if known[0]:
                values[column.key] = known[1]
            else:
                self.report.add(number, column, raw, known[1])
                ok = False
                values[column.key] = None  # reported: not "missing" as well
        if values.get("address"):
            for key, part in addresses.split_address(values.pop("address")).items():
                if part and not values.get(key):
                    values[key] = part
        for column in self.required:
            if column.key not in values or values[column.key] == "":
                self.report.add(number, column, "", _("Thiếu giá trị bắt buộc."))
                ok = False
        return values if ok else None

    def cell(self, column: Column, raw: Any) -> tuple[bool, Any]:
        """What `read` makes of one cell on its own: (acceptable, value); a blank cell is None,
        acceptable unless the column is required."""
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return not column.required, None
        width = CODE_WIDTHS.get(column.key)
        try:
            value = column.parse(code_digits(raw, width) if width else raw)
        except ValidationError:
            return False, None
        return not (column.required and value == ""), value

    def column(self, key: str) -> Column:
        return self.layout.column(key)

    def report_errors(
        self, number: int, exc: ValidationError, aliases: dict[str, str] | None = None
    ) -> None:
        """A service's ValidationError on the row: each message under its file column (the
        service's field name, or its alias), or on the whole row when no column matches."""
        keys = {c.key for c in self.layout.readable}
        for name, message in error_messages(exc):
            key = (aliases or {}).get(name, name)
            column = self.layout.column(key) if key in keys else ROW_LEVEL
            self.report.add(number, column, self.raw.get(key, ""), message)


def place_of(values: dict[str, Any]) -> addresses.Place | None:
    """The row's address in current units (converted from a legacy address when the row names
    a district); None without a province; AddressError when it cannot be placed."""
    province = values.get("province")
    if not province:
        return None
    district, commune = values.get("legacy_district", ""), values.get("commune", "")
    if district:
        return addresses.convert_legacy(province, district, commune)
    return addresses.resolve_current(province, commune)


def report_conversion(
    report: ImportFindings, reader: RowReader, number: int, old: str, new: str
) -> None:
    Conversions(reader).report(report, number, old, new)


class Conversions:
    """`report_conversion` for many rows: the column's header and the message translated once
    (twice a conversion cost about 1 s for a national list's 20,000)."""

    def __init__(self, reader: RowReader) -> None:
        self.header = str(reader.column("commune").header)
        self.message = _("Địa chỉ cũ “%(old)s” → “%(new)s”.")

    def report(self, report: ImportFindings, number: int, old: str, new: str) -> None:
        message = self.message % {"old": old, "new": new}
        report.add(number, self.header, old, message, Severity.CONVERSION)


def place_row(
    reader: RowReader, number: int, values: dict[str, Any], report: ImportFindings
) -> addresses.Place | None:
    """`place_of`, with the conversion or the error in the report."""
    try:
        place = place_of(values)
    except addresses.AddressError as exc:
        district, commune = values.get("legacy_district", ""), values.get("commune", "")
        column = reader.column("commune" if commune else "province")
        shown = ", ".join(p for p in (commune, district, values["province"]) if p)
        report.add(number, column, shown, exc)
        return addresses.Place("", None)  # reported; the caller skips the row
    if place is not None and place.legacy_text:
        report_conversion(report, reader, number, place.legacy_text, place.converted_to)
    return place


def checked_rows(
    rows: Iterable[tuple[int, list[Any]]],
    reader: RowReader,
    report: ImportFindings,
    tick: Callable[[], None],
) -> Iterator[tuple[int, dict[str, Any], addresses.Place | None]]:
    """The rows whose cells parse and whose address places: (number, values, place)."""
    for number, cells in rows:
        report.rows += 1
        tick()
        values = reader.read(number, cells)
        if values is None:
            continue
        place = place_row(reader, number, values, report)
        if place is not None and not place.province_id:
            continue
        yield number, values, place

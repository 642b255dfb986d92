"""Reporting periods: "2025" (a year) and "2025S1" / "2025S2" (half-years).

A period is a value, not a table: its code is what reports, cube cells, releases and SDMX
(as "2025-S1") carry.
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

YEAR = "year"
HALF = "half"
_CODE = re.compile(r"^([0-9]{4})(?:S([12]))?$")


@dataclass(frozen=True, order=True)
class Period:
    year: int
    half: int | None = None  # None: the whole year

    @classmethod
    def parse(cls, code: str) -> "Period":
        match = _CODE.match(("" if code is None else str(code)).strip().upper())
        if not match or not 1990 <= int(match.group(1)) <= 2100:
            raise ValidationError(
                _("Kỳ báo cáo “%(code)s” không hợp lệ: dùng dạng 2025 (năm) hoặc 2025S1, 2025S2.")
                % {"code": code}
            )
        half = match.group(2)
        return cls(int(match.group(1)), int(half) if half else None)

    @classmethod
    def containing(cls, day: dt.date, periodicity: str) -> "Period":
        if periodicity == YEAR:
            return cls(day.year)
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def last_ended(cls, periodicity: str, today: dt.date | None = None) -> "Period":
        """The latest period that has ended (the one being reported on)."""
        return cls.containing(today or timezone.localdate(), periodicity).previous()

    @property
    def code(self) -> str:
        return f"{self.year}" if self.half is None else f"{self.year}S{self.half}"

    @property
    def periodicity(self) -> str:
        return YEAR if self.half is None else HALF

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 7 if self.half == 2 else 1, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, 6, 30) if self.half == 1 else dt.date(self.year, 12, 31)

    def deadline(self, days_after_end: int) -> dt.date:
        """15 days after 31/12 is 15/01: the yearly report's legal deadline."""
        return self.end + dt.timedelta(days=days_after_end)

    def previous(self) -> "Period":
        if self.half is None:
            return Period(self.year - 1)
        return Period(self.year, 1) if self.half == 2 else Period(self.year - 1, 2)

    def next(self) -> "Period":
        if self.half is None:
            return Period(self.year + 1)
        return Period(self.year, 2) if self.half == 1 else Period(self.year + 1, 1)

    def halves(self) -> tuple["Period", ...]:
        return (Period(self.year, 1), Period(self.year, 2)) if self.half is None else ()

    @property
    def label(self) -> str:
        if self.half is None:
            return _("Năm %(year)s") % {"year": self.year}
        return _("6 tháng %(half)s %(year)s") % {
            "half": _("đầu năm") if self.half == 1 else _("cuối năm"),
            "year": self.year,
        }

    def __str__(self) -> str:
        return self.code


def span(first: Period, last: Period) -> list[Period]:
    """Every period from `first` to `last` (same periodicity), in order."""
    if first.periodicity != last.periodicity:
        raise ValueError(f"span of a {first.periodicity} and a {last.periodicity}: {first}–{last}")
    out: list[Period] = []
    period = first
    while period <= last and len(out) < 1000:
        out.append(period)
        period = period.next()
    return out


def validate_code(code: str) -> None:
    Period.parse(code)

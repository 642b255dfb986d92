"""The working-day calendar, one for every app: weekends and the public holidays of
`fixtures/holidays.json` (Tết included; a new year's holidays are a new file version, never an
`if`), read once per process. Registration counts its legal deadlines with it; tasks move a
deadline that falls on a day off to the next working day (Civil Code 2015, art. 148(4))."""

import datetime as dt
import json
from functools import cache
from pathlib import Path

HOLIDAYS_FILE = Path(__file__).with_name("fixtures") / "holidays.json"


@cache
def holidays(path: Path = HOLIDAYS_FILE) -> dict[dt.date, str]:
    """The listed public holidays: date → name."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return {dt.date.fromisoformat(h["date"]): h["name"] for h in data["holidays"]}


def is_working_day(day: dt.date, days_off: dict[dt.date, str] | None = None) -> bool:
    listed = holidays() if days_off is None else days_off
    return day.weekday() < 5 and day not in listed


def add_working_days(
    start: dt.date, days: int, days_off: dict[dt.date, str] | None = None
) -> dt.date:
    """The date `days` working days after `start` (counting from the next working day);
    `days` 0 is `start` itself."""
    day, remaining = start, days
    while remaining > 0:
        day += dt.timedelta(days=1)
        if is_working_day(day, days_off):
            remaining -= 1
    return day


def subtract_working_days(
    end: dt.date, days: int, days_off: dict[dt.date, str] | None = None
) -> dt.date:
    """The working day `days` working days before `end`."""
    day, remaining = end, days
    while remaining > 0:
        day -= dt.timedelta(days=1)
        if is_working_day(day, days_off):
            remaining -= 1
    return day


def working_days_between(
    start: dt.date, end: dt.date, days_off: dict[dt.date, str] | None = None
) -> int:
    """Working days after `start` up to and including `end` (0 when `end` ≤ `start`)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day, days_off):
            count += 1
    return count


def on_or_after(day: dt.date, days_off: dict[dt.date, str] | None = None) -> dt.date:
    """`day` if it is a working day, else the next working day (a deadline falling on a day
    off ends at the end of the next working day)."""
    while not is_working_day(day, days_off):
        day += dt.timedelta(days=1)
    return day

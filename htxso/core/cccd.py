"""Citizen identity numbers (căn cước công dân, CCCD): 12 digits `PPP G YY RRRRRR`.

PPP is the birth-registration province in the *legacy* 63-province codes with a leading zero
(001 Hà Nội … 096 Cà Mau) or a country code; G encodes gender and century; YY the birth year.
There is no check digit. PPP does not follow the 2025 merger, so it is decoded with the legacy
province table shipped by `vietnamadminunits`.
"""

import datetime
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CCCD = re.compile(r"^[0-9]{12}$")
MALE, FEMALE = "male", "female"


@dataclass(frozen=True)
class CitizenId:
    number: str
    province_code: str | None  # legacy 2-digit code, None for a country code
    province_name: str | None
    gender: str
    birth_year: int


@lru_cache(maxsize=1)
def legacy_province_names() -> dict[str, str]:
    """Legacy 2-digit province code -> name, from the package's data set."""
    from vietnamadminunits.database import get_data

    rows = get_data(["provinceCode", "province"], table="admin_units_legacy")
    return {row["provinceCode"]: row["province"] for row in rows}


def decode_cccd(value: str, today: datetime.date | None = None) -> CitizenId:
    """Validate and decode a CCCD number, or raise ValidationError in Vietnamese."""
    # NFKC reads full-width digits as ASCII; any other script's digits are then rejected.
    number = re.sub(r"[\s.-]", "", unicodedata.normalize("NFKC", value or ""))
    if not number:
        raise ValidationError(_("Số CCCD không được để trống."), code="required")
    if not _CCCD.match(number):
        raise ValidationError(_("Số CCCD phải gồm đúng 12 chữ số."), code="format")
    place = number[:3]
    gender_century = int(number[3])
    year = 1900 + 100 * (gender_century // 2) + int(number[4:6])
    today = today or datetime.date.today()
    if year > today.year:
        raise ValidationError(
            _("Số CCCD không hợp lệ: năm sinh %(year)s nằm trong tương lai."),
            code="birth_year",
            params={"year": year},
        )
    province_code: str | None = None
    province_name: str | None = None
    if place.startswith("0"):
        names = legacy_province_names()
        if place[1:] not in names:
            raise ValidationError(
                _("Số CCCD không hợp lệ: mã nơi đăng ký khai sinh %(code)s không tồn tại."),
                code="province",
                params={"code": place},
            )
        province_code, province_name = place[1:], names[place[1:]]
    return CitizenId(
        number=number,
        province_code=province_code,
        province_name=province_name,
        gender=MALE if gender_century % 2 == 0 else FEMALE,
        birth_year=year,
    )


def validate_cccd(value: str) -> None:
    decode_cccd(value)


def encode_cccd(province_code: str, gender: str, birth_year: int, serial: int) -> str:
    """Build a CCCD number (used by the demo-data generator and tests)."""
    century = (birth_year - 1900) // 100
    digit = 2 * century + (1 if gender == FEMALE else 0)
    return f"0{province_code}{digit}{birth_year % 100:02d}{serial:06d}"

"""Agencies as reference data: the ministries and ministerial-level bodies (after the 2025
restructuring) and the people's committee of each of the 34 provinces (`core.Province`), plus
the Vietnam Cooperative Alliance. `ensure_agencies()` writes what is missing (idempotent:
`htxso load_agencies`, also run by the demo); names may be edited in the admin."""

from typing import Any

from django.core.cache import cache
from django.db import transaction

from htxso.core.models import Province

from .models import Agency, AgencyKind

MINISTRIES = (
    ("bo-nnmt", "Bộ Nông nghiệp và Môi trường"),
    ("bo-tc", "Bộ Tài chính"),
    ("bo-ct", "Bộ Công Thương"),
    ("bo-khcn", "Bộ Khoa học và Công nghệ"),
    ("bo-tp", "Bộ Tư pháp"),
    ("bo-nv", "Bộ Nội vụ"),
    ("bo-xd", "Bộ Xây dựng"),
    ("bo-gddt", "Bộ Giáo dục và Đào tạo"),
    ("bo-yt", "Bộ Y tế"),
    ("bo-vhttdl", "Bộ Văn hóa, Thể thao và Du lịch"),
    ("bo-dttg", "Bộ Dân tộc và Tôn giáo"),
    ("nhnn", "Ngân hàng Nhà nước Việt Nam"),
    ("vpcp", "Văn phòng Chính phủ"),
)
OTHERS = (("lmhtx", "Liên minh Hợp tác xã Việt Nam"),)
AGENCIES_KEY = "tasks:agency-choices"  # the filters' cached choice list


@transaction.atomic
def ensure_agencies() -> int:
    """Create the agencies not yet there; returns how many were created."""
    existing = set(Agency.objects.values_list("code", flat=True))
    rows = [Agency(code=code, name=name, kind=AgencyKind.MINISTRY) for code, name in MINISTRIES] + [
        Agency(code=code, name=name, kind=AgencyKind.OTHER) for code, name in OTHERS
    ]
    taken = set(Agency.objects.filter(province__isnull=False).values_list("province_id", flat=True))
    for province in Province.objects.order_by("code"):
        if province.code not in taken:
            rows.append(
                Agency(
                    code=f"ubnd-{province.code}",
                    name=f"UBND {province.name}",
                    kind=AgencyKind.PROVINCE,
                    province=province,
                )
            )
    new = [a for a in rows if a.code not in existing]
    Agency.objects.bulk_create(new)
    if new:
        forget_agencies()
    return len(new)


def forget_agencies(**_: Any) -> None:
    """Drop the cached choice list of agencies (a filter's; see `filters.agency_choices`)."""
    cache.delete(AGENCIES_KEY)

"""The rules of identities and memberships as plain functions (no database): the page and API
services, the row-by-row import and (as SQL) the set-wise import all apply these."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from htxso.core.cccd import decode_cccd

from ..choices import AGRICULTURAL_SECTOR, MemberKind, OrganisationKind
from .common import check_not_future

MEMBER_KINDS = frozenset(MemberKind.values)


def is_agricultural(sector: str | None, agricultural_type: str | None) -> bool:
    """The one rule of the agricultural flag: sector A (agriculture, forestry, fisheries) or an
    agricultural type (a cooperative of another sector that farms). The services derive the
    flag with it whenever an organisation is created or its sector or type changes and the
    caller did not set the flag; a caller who sets it (the editing page's checkbox, the API's
    `is_agricultural`) overrides it — an officer may know better than the code. Imports and
    the generator derive it with this function."""
    return sector == AGRICULTURAL_SECTOR or bool(agricultural_type)


def check_founding_before_status(established_on: dt.date, status_since: dt.date) -> None:
    """The one rule of an organisation's dates: founded on or before the date of its status
    (and so of every status change). The page, the API and the import all reach it through
    the services (`create_organisation`, `update_organisation`, `change_status`)."""
    if established_on > status_since:
        raise ValidationError(
            {
                "established_on": _(
                    "Ngày thành lập (%(founded)s) không được sau ngày của tình trạng (%(since)s)."
                )
                % {
                    "founded": established_on.strftime("%d/%m/%Y"),
                    "since": status_since.strftime("%d/%m/%Y"),
                }
            }
        )


# The least number of members each kind must have (Law on Cooperatives 2023: an HTX 5 official
# members; a union 3 member HTX — marked "open" in the domain notes, so a setting). An HTX
# below its minimum is an error; a union or a group below theirs, a warning.
DEFAULT_MINIMUM_MEMBERS = {
    OrganisationKind.COOPERATIVE: 5,
    OrganisationKind.COOPERATIVE_UNION: 3,
    OrganisationKind.COOPERATIVE_GROUP: 2,
}
MINIMUM_IS_ERROR = frozenset({OrganisationKind.COOPERATIVE})


def minimum_members(kind: str) -> int:
    """The kind's least number of members: `settings.MINIMUM_MEMBERS` (kind → number) or the
    law's (`DEFAULT_MINIMUM_MEMBERS`); 0 when none applies."""
    configured: dict[str, int] = getattr(settings, "MINIMUM_MEMBERS", None) or {}
    defaults = {str(k): n for k, n in DEFAULT_MINIMUM_MEMBERS.items()}
    return int(configured.get(kind, defaults.get(kind, 0)))


def member_count_problem(kind: str, count: int) -> tuple[bool, str] | None:
    """Whether a declared member count is below the kind's minimum: (an error?, message), or
    None when it is not."""
    least = minimum_members(kind)
    if not least or count >= least:
        return None
    if kind == OrganisationKind.COOPERATIVE_UNION:
        message = _(
            "Liên hiệp hợp tác xã có %(count)s hợp tác xã thành viên, ít hơn mức tối thiểu "
            "%(least)s."
        )
    else:
        message = _("Có %(count)s thành viên, ít hơn mức tối thiểu %(least)s của loại hình này.")
    return kind in MINIMUM_IS_ERROR, message % {"count": count, "least": least}


def check_identity(
    cccd: str, gender: str | None = None, birth_year: int | None = None
) -> tuple[str, str, int]:
    """A CCCD number checked against the gender and birth year given with it:
    (number, gender, birth year), or ValidationError keyed by field."""
    try:
        decoded = decode_cccd(cccd)
    except ValidationError as exc:
        raise ValidationError({"cccd": exc.error_list}) from None
    if gender and gender != decoded.gender:
        raise ValidationError({"gender": _("Giới tính không khớp với số CCCD.")})
    if birth_year and birth_year != decoded.birth_year:
        raise ValidationError({"birth_year": _("Năm sinh không khớp với số CCCD.")})
    return decoded.number, decoded.gender, decoded.birth_year


def age_on(birth_date: dt.date | None, birth_year: int | None, day: dt.date) -> int:
    """Exact age when the birth date is known; by birth year otherwise (CCCD gives the year)."""
    if birth_date:
        return (
            day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))
        )
    if birth_year:
        return day.year - birth_year
    return 18  # unknown: the registering officer vouches for it


def check_membership(
    organisation_kind: str,
    established_on: dt.date,
    kind: str,
    joined_on: dt.date,
    capital_contributed: int = 0,
    member_age: int | None = None,
    member_organisation_kind: str | None = None,
    left_on: dt.date | None = None,
) -> None:
    """The rules of a new membership (Law on Cooperatives 2023), shared by the page service and
    the bulk import (which may bring one that has already ended: `left_on`); ValidationError
    keyed by field."""
    check_not_future(joined_on, "joined_on")
    if joined_on < established_on:
        raise ValidationError(
            {"joined_on": _("Ngày gia nhập không được trước ngày thành lập tổ chức.")}
        )
    if organisation_kind == OrganisationKind.HOUSEHOLD_BUSINESS:
        raise ValidationError(_("Hộ kinh doanh không có thành viên."))
    if member_organisation_kind is not None:
        if organisation_kind != OrganisationKind.COOPERATIVE_UNION:
            raise ValidationError(_("Chỉ liên hiệp HTX mới có thành viên là hợp tác xã."))
        if member_organisation_kind != OrganisationKind.COOPERATIVE:
            raise ValidationError(_("Thành viên của liên hiệp HTX phải là hợp tác xã."))
    if member_age is not None and member_age < 18:
        raise ValidationError({"person": _("Thành viên là cá nhân phải đủ 18 tuổi khi gia nhập.")})
    if kind not in MEMBER_KINDS:
        raise ValidationError({"kind": _("Loại thành viên không hợp lệ.")})
    if kind == MemberKind.ASSOCIATE and capital_contributed:
        raise ValidationError(
            {"capital_contributed": _("Thành viên liên kết không góp vốn không có vốn góp.")}
        )
    if left_on is not None:
        check_not_future(left_on, "left_on")
        if left_on < joined_on:
            raise ValidationError({"left_on": _("Ngày chấm dứt không được trước ngày gia nhập.")})


def membership_passes_sql(
    organisation_kind: str,
    established_on: str,
    kind: str,
    joined_on: str,
    capital_contributed: str,
    member_age: str,
    left_on: str = "NULL",
) -> str:
    """`check_membership` for a person as one SQL predicate over these SQL expressions (and the
    parameter %(today)s): true exactly when check_membership would pass. The set-wise member
    import proves rows with it; a row it does not prove goes through check_membership itself.
    registry/tests/test_membership_sql.py holds the two equal."""
    kinds = ", ".join(f"'{k}'" for k in sorted(MEMBER_KINDS))
    return (
        f"({joined_on} <= %(today)s AND {joined_on} >= {established_on} "
        f"AND {organisation_kind} <> '{OrganisationKind.HOUSEHOLD_BUSINESS.value}' "
        f"AND {member_age} >= 18 AND {kind} IN ({kinds}) "
        f"AND NOT ({kind} = '{MemberKind.ASSOCIATE.value}' AND {capital_contributed} <> 0) "
        f"AND ({left_on} IS NULL OR ({left_on} <= %(today)s AND {left_on} >= {joined_on})))"
    )

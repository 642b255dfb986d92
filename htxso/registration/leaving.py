"""Members leaving through a change application: the applicant lists current members of the
organisation who leave (picked from its members, or by CCCD checked as the registry checks it),
each with the leaving date and a reason; the office reviews them (CCCD masked); approval ends
their memberships through `registry.services.end_membership` in the decision's transaction
(`changes.apply`). An HTX may not fall under the law's least number of members: refused at
submit (`changes.missing`) and checked again on approval, after the writes, against the
registry as it then is."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from htxso.registry import services as registry
from htxso.registry.models import Membership, Organisation
from htxso.registry.writes.rules import MINIMUM_IS_ERROR, minimum_members

from .models import Application, LeavingMember, Purpose
from .workflow import locked, remove_part, require_editable, today, touch

# At most this many current members are offered to pick from on the page (beyond: by CCCD).
OFFERED = 300


def _day(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def current(organisation_id: int | None) -> QuerySet[Membership]:
    """The organisation's current (open) memberships, by name."""
    return (
        Membership.objects.filter(organisation_id=organisation_id or 0, left_on__isnull=True)
        .select_related("person", "member_organisation")
        .order_by("person__full_name", "member_organisation__name", "id")
    )


def member_name(membership: Membership) -> str:
    if membership.person is not None:
        return membership.person.full_name
    return membership.member_organisation.name if membership.member_organisation else ""


def _membership(application: Application, membership_id: int | None, cccd: str) -> Membership:
    """The current membership the applicant means: picked from the list, or by CCCD."""
    rows = current(application.organisation_id)
    name = application.organisation.name if application.organisation else ""
    number = ""
    if (cccd or "").strip():
        number, _gender, _year = registry.check_identity(cccd.strip())
    if membership_id is not None:
        membership = rows.filter(pk=membership_id).first()
        if membership is None:
            raise ValidationError(
                {
                    "membership": _(
                        "Người được chọn không phải là thành viên hiện tại của “%(name)s”."
                    )
                    % {"name": name}
                }
            )
        if number and (membership.person is None or membership.person.cccd != number):
            raise ValidationError({"cccd": _("Số CCCD không khớp với thành viên đã chọn.")})
        return membership
    if not number:
        raise ValidationError(
            {"membership": _("Chọn thành viên ra khỏi hoặc nhập số CCCD của thành viên.")}
        )
    membership = rows.filter(person__cccd=number).first()
    if membership is None:
        raise ValidationError(
            {
                "cccd": _("Người có số CCCD này không phải là thành viên hiện tại của “%(name)s”.")
                % {"name": name}
            }
        )
    return membership


@transaction.atomic
def add_leaving(
    actor: Any,
    application_id: int,
    expected_version: int,
    left_on: dt.date | None,
    membership_id: int | None = None,
    cccd: str = "",
    reason: str = "",
) -> LeavingMember:
    """A current member of the organisation who leaves it, on `left_on` (not before they
    joined, not after today: the decision cannot date a leaving still to come)."""
    application = locked(actor, application_id, expected_version)
    require_editable(actor, application)
    if application.purpose != Purpose.CHANGE:
        raise ValidationError(_("Chỉ hồ sơ đăng ký thay đổi mới ghi thành viên ra khỏi."))
    membership = _membership(application, membership_id, cccd)
    if left_on is None:
        raise ValidationError({"left_on": _("Nhập ngày ra khỏi tổ chức.")})
    if left_on > today():
        raise ValidationError(
            {
                "left_on": _("Ngày ra khỏi không được sau ngày hôm nay (%(today)s).")
                % {"today": _day(today())}
            }
        )
    if left_on < membership.joined_on:
        raise ValidationError(
            {
                "left_on": _("Ngày ra khỏi không được trước ngày gia nhập (%(joined)s).")
                % {"joined": _day(membership.joined_on)}
            }
        )
    if application.leaving.filter(membership=membership).exists():
        raise ValidationError({"membership": _("Thành viên này đã có trong danh sách ra khỏi.")})
    number = (membership.person.cccd or "") if membership.person is not None else ""
    if number and application.members.filter(cccd=number).exists():
        raise ValidationError(
            {
                "membership": _(
                    "Người này có trong danh sách thành viên kết nạp; một người không vừa kết "
                    "nạp vừa ra khỏi trong cùng hồ sơ."
                )
            }
        )
    reason = " ".join((reason or "").split())
    if len(reason) > 255:
        raise ValidationError({"reason": _("Lý do ra khỏi dài quá 255 ký tự.")})
    row = LeavingMember.objects.create(
        application=application,
        membership=membership,
        cccd=number,
        full_name=member_name(membership),
        left_on=left_on,
        reason=reason,
    )
    touch(actor, application, "add_leaving", row)
    return row


@transaction.atomic
def remove_leaving(
    actor: Any, application_id: int, expected_version: int, leaving_id: int
) -> Application:
    return remove_part(
        actor, application_id, expected_version, "leaving", leaving_id, "remove_leaving"
    )


def _below(kind: str, count: int) -> tuple[bool, str] | None:
    """(refused?, message) when `count` members fall under the kind's least number."""
    least = minimum_members(kind)
    if not least or count >= least:
        return None
    message = _(
        "Sau khi các thành viên ra khỏi, tổ chức chỉ còn %(count)s thành viên, ít hơn mức "
        "tối thiểu %(least)s của loại hình này."
    ) % {"count": count, "least": least}
    return kind in MINIMUM_IS_ERROR, message


def minimum_problem(application: Application) -> tuple[bool, str] | None:
    """Whether the change would leave the organisation under its least number of members
    (counted from the registry now: its current members, plus those admitted, minus those
    leaving); only asked of a change in which members leave."""
    if application.purpose != Purpose.CHANGE or not application.leaving.exists():
        return None
    organisation = application.organisation
    assert organisation is not None
    count = (
        Organisation.objects.values_list("members_count", flat=True).get(pk=organisation.pk)
        + application.members.count()
        - application.leaving.count()
    )
    return _below(organisation.kind, count)


def apply(writer: Any, application: Application, organisation: Organisation) -> list[str]:
    """End the listed memberships (inside the decision's transaction; `writer` as the registry
    sees it) and check the minimum again, on the registry as it now stands; the names of those
    who left. Any refusal raises, and the decision's transaction undoes every write."""
    names = []
    for row in application.leaving.order_by("id"):
        if row.membership_id is None:
            raise ValidationError(
                _(
                    "Không ghi được việc %(name)s ra khỏi tổ chức: sổ đăng ký không còn tư cách "
                    "thành viên này."
                )
                % {"name": row.full_name}
            )
        try:
            registry.end_membership(writer, row.membership_id, row.left_on)
        except ValidationError as exc:
            raise ValidationError(
                _("Không ghi được việc %(name)s ra khỏi tổ chức: %(why)s")
                % {"name": row.full_name, "why": " ".join(exc.messages)}
            ) from exc
        names.append(row.full_name)
    if names:
        count = Organisation.objects.values_list("members_count", flat=True).get(pk=organisation.pk)
        problem = _below(organisation.kind, count)
        if problem is not None and problem[0]:
            raise ValidationError(problem[1])
    return names

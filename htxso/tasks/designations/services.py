"""The only writes of designations: the secretariat or the system admin names a user to a
function (`designate`) and ends it (`end`). Permission from `core.scoping.TABLE`
(Kind.DESIGNATION), Vietnamese errors, the version check, the audit entry, one transaction
each; every write makes the cached designations of users stale (`core.scoping`)."""

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import User
from htxso.core.roles import Role
from htxso.core.scoping import Action, Kind, designations_changed, may, role_of
from htxso.core.versions import check_version

from ..models import Agency, AgencyKind
from .models import Designation, Function


def _today() -> dt.date:
    return timezone.localdate()


def _changed() -> None:
    designations_changed()
    transaction.on_commit(designations_changed)


def _rules(user: User, function: str, agency: Agency | None) -> dict[str, str]:
    """Who may hold what: the secretariat and a ministry's focal points are central officers;
    a province's officer may be named the contact of its own province's people's committee
    (it is its focal point by role already) or a member of the committee."""
    role, errors = role_of(user), {}
    if function == Function.SECRETARIAT and role != Role.CENTRAL_OFFICER:
        errors["user"] = _("Văn phòng Ban Chỉ đạo gồm cán bộ trung ương.")
    elif function == Function.COMMITTEE and role not in (
        Role.CENTRAL_OFFICER,
        Role.PROVINCIAL_OFFICER,
    ):
        errors["user"] = _("Thành viên Ban Chỉ đạo là cán bộ trung ương hoặc cán bộ tỉnh.")
    elif function == Function.FOCAL_POINT:
        if agency is None:
            errors["agency"] = _("Hãy chọn cơ quan mà cán bộ làm đầu mối.")
        elif agency.kind == AgencyKind.PROVINCE:
            if role != Role.PROVINCIAL_OFFICER or user.province_id != agency.province_id:
                errors["user"] = _("Đầu mối của UBND tỉnh là cán bộ của chính tỉnh đó.")
        elif role != Role.CENTRAL_OFFICER:
            errors["user"] = _("Đầu mối của bộ, ngành là cán bộ trung ương.")
    return errors


@transaction.atomic
def designate(
    actor: Any,
    user_id: int,
    function: str,
    agency_id: int | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    note: str = "",
) -> Designation:
    if not may(actor, Action.CREATE, Kind.DESIGNATION):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được phân công vai trò."))
    errors: dict[str, str] = {}
    # One write at a time per user: the check for a designation already in force holds.
    user = User.objects.select_for_update().filter(pk=user_id, is_active=True).first()
    if user is None:
        errors["user"] = _("Không có tài khoản đang hoạt động này.")
    if function not in Function.values:
        errors["function"] = _("Vai trò không hợp lệ.")
    agency = None
    if function == Function.FOCAL_POINT and agency_id is not None:
        agency = Agency.objects.filter(pk=agency_id).first()
        if agency is None:
            errors["agency"] = _("Không có cơ quan này.")
    elif function != Function.FOCAL_POINT and agency_id is not None:
        errors["agency"] = _("Chỉ đầu mối mới gắn với một cơ quan.")
    starts_on = starts_on or _today()
    if ends_on is not None and ends_on <= starts_on:
        errors["ends_on"] = _("Ngày kết thúc phải sau ngày hiệu lực.")
    if not errors and user is not None:
        errors = _rules(user, function, agency)
    if not errors and user is not None:
        overlapping = Designation.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__gt=starts_on),
            user=user,
            function=function,
            agency=agency,
        )
        if ends_on is not None:
            overlapping = overlapping.filter(starts_on__lt=ends_on)
        if overlapping.exists():
            errors["user"] = _("Cán bộ này đã được phân công vai trò này.")
    if errors:
        raise ValidationError(errors)
    assert user is not None
    found = Designation.objects.create(
        user=user,
        function=function,
        agency=agency,
        starts_on=starts_on,
        ends_on=ends_on,
        note=note.strip()[:300],
        assigned_by=actor if getattr(actor, "pk", None) else None,
    )
    record(actor, "create", found, None, snapshot(found))
    _changed()
    return found


@transaction.atomic
def end(actor: Any, pk: int, expected_version: int, note: str = "") -> Designation:
    """Ends a designation today (it no longer counts from today)."""
    seen = Designation.objects.all() if actor is None else Designation.objects.visible_to(actor)
    found = seen.select_for_update().get(pk=pk)  # 404 outside one's view
    if not may(actor, Action.EDIT, found):
        raise PermissionDenied(_("Chỉ Văn phòng Ban Chỉ đạo được kết thúc phân công."))
    check_version(found, expected_version)
    today = _today()
    if found.ends_on is not None and found.ends_on <= today:
        raise ValidationError(_("Phân công này đã kết thúc."))
    if (
        found.function == Function.SECRETARIAT
        and found.user_id == getattr(actor, "pk", None)
        and role_of(actor) != Role.SYSTEM_ADMIN
    ):
        raise ValidationError(
            _(
                "Không tự kết thúc phân công Văn phòng của mình: nhờ một cán bộ khác của"
                " Văn phòng hoặc quản trị hệ thống."
            )
        )
    before = snapshot(found)
    found.ends_on = max(today, found.starts_on)
    found.ended_by = actor if getattr(actor, "pk", None) else None
    if note.strip():
        found.note = (f"{found.note} — {note.strip()}" if found.note else note.strip())[:300]
    found.version += 1
    found.save()
    record(actor, "update", found, before, snapshot(found))
    _changed()
    return found

"""The roles of DESIGN.md. Scoping by role lives in model managers (`visible_to`, `editable_by`)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")
    CENTRAL_OFFICER = "central_officer", _("Cán bộ trung ương")
    PROVINCIAL_OFFICER = "provincial_officer", _("Cán bộ cấp tỉnh")
    ALLIANCE_ADVISER = "alliance_adviser", _("Tư vấn viên Liên minh HTX")
    COOPERATIVE_MANAGER = "cooperative_manager", _("Quản lý HTX")
    MEMBER = "member", _("Thành viên")
    PUBLIC = "public", _("Công chúng")


NATIONAL_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.CENTRAL_OFFICER})


def personal_scope(queryset, user):
    """Rows about memberships (personal data) a user may see: all for national roles, a
    province's for its officer, an organisation's for its manager, a member's own.

    The query set's model must have `province_id`, `organisation_id` and `person_id`.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_national:
        return queryset.all()
    if user.role == Role.PROVINCIAL_OFFICER and user.province_id:
        return queryset.filter(province_id=user.province_id)
    if user.role == Role.COOPERATIVE_MANAGER and user.organisation_id:
        return queryset.filter(organisation_id=user.organisation_id)
    if user.role == Role.MEMBER and user.person_id:
        return queryset.filter(person_id=user.person_id)
    return queryset.none()

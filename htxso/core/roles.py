"""The roles of DESIGN.md. What each role may do to which rows is `core.scoping.TABLE`."""

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
    # A citizen applying to register an organisation (a founder): their own applications.
    APPLICANT = "applicant", _("Người nộp hồ sơ đăng ký")
    # A self-registered account of the marketplace: browses, orders, pays their own orders.
    BUYER = "buyer", _("Người mua")
    # The registration office of a commune: the applications its commune decides.
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ cấp xã")


# The roles that work on the whole country (`User.is_national`).
NATIONAL_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.CENTRAL_OFFICER})

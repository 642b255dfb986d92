"""The demo's follow-up accounts and their designations (again: nothing new): the demo central
officer `trunguong` and `vanphongbcd` are the secretariat, `bancd` a member of the committee
(reads everything, writes nothing), `daumoi.botc` the Ministry of Finance's focal point;
`tinh.thainguyen` is Thái Nguyên's focal point by role (and named its contact)."""

from htxso.core.models import User
from htxso.core.roles import Role
from htxso.registry.demo import DEMO_PASSWORD

from ..models import Agency
from . import services
from .models import Designation, Function

ACCOUNTS = (
    ("vanphongbcd", "Văn phòng Ban Chỉ đạo", Function.SECRETARIAT, None),
    ("trunguong", "", Function.SECRETARIAT, None),
    ("bancd", "Thành viên Ban Chỉ đạo", Function.COMMITTEE, None),
    ("daumoi.botc", "Đầu mối Bộ Tài chính", Function.FOCAL_POINT, "bo-tc"),
    ("tinh.thainguyen", "", Function.FOCAL_POINT, "ubnd-19"),
)


def demo_designations() -> dict[str, User]:
    """The accounts by username (the ones that exist: `trunguong` and `tinh.thainguyen` come
    from `demo_users`)."""
    found: dict[str, User] = {}
    for username, name, function, code in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None and name:
            user = User(username=username, role=Role.CENTRAL_OFFICER, first_name=name)
            user.set_password(DEMO_PASSWORD)
            user.save()
        if user is None:
            continue
        found[username] = user
        agency = Agency.objects.filter(code=code).first() if code else None
        if code and agency is None:
            continue
        held = Designation.objects.filter(
            user=user, function=function, agency=agency, ends_on__isnull=True
        )
        if not held.exists():
            services.designate(None, user.pk, function, agency.pk if agency else None)
    return found

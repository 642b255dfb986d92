"""One demo login per role (printed by `htxso demo_users`). Never run this on a real system."""

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef

from htxso.core.audit import record
from htxso.core.models import Commune, User
from htxso.core.roles import Role

from .choices import OrganisationKind, Status
from .models import Membership, Organisation

DEMO_PASSWORD = "htxso-demo"


@transaction.atomic
def create_demo_users() -> list[tuple[str, str, str]]:
    organisation = (
        Organisation.objects.filter(
            kind=OrganisationKind.COOPERATIVE, name="HTX Chè Tân Cương"
        ).first()
        # An active cooperative with a current member, so the manager's home, the shop and
        # the reports demo something alive.
        or Organisation.objects.filter(
            Exists(
                Membership.objects.filter(
                    organisation=OuterRef("pk"), person__isnull=False, left_on__isnull=True
                )
            ),
            kind=OrganisationKind.COOPERATIVE,
            status=Status.ACTIVE,
        )
        .order_by("id")
        .first()
        or Organisation.objects.filter(kind=OrganisationKind.COOPERATIVE).order_by("id").first()
    )
    member = (
        Membership.objects.filter(
            organisation=organisation, person__isnull=False, left_on__isnull=True
        )
        .order_by("id")
        .first()
        if organisation
        else None
    )
    specs: list[tuple[str, Role, dict[str, Any], str]] = [
        ("admin", Role.SYSTEM_ADMIN, {"is_staff": True, "is_superuser": True}, "Quản trị hệ thống"),
        ("trunguong", Role.CENTRAL_OFFICER, {"is_staff": True}, "Cán bộ Bộ Tài chính"),
        (
            "tinh.thainguyen",
            Role.PROVINCIAL_OFFICER,
            {"province_id": "19"},
            "Cán bộ Sở Tài chính Thái Nguyên",
        ),
        ("tuvan", Role.ALLIANCE_ADVISER, {}, "Tư vấn viên Liên minh HTX"),
        (
            "quanly.htx",
            Role.COOPERATIVE_MANAGER,
            {
                "organisation_id": organisation.pk if organisation else None,
                "province_id": organisation.province_id if organisation else None,
            },
            "Giám đốc HTX",
        ),
        (
            "thanhvien",
            Role.MEMBER,
            {"person_id": member.person_id if member else None},
            "Thành viên HTX",
        ),
        # A founder applying to register (htxso/registration): their own applications.
        ("nophoso", Role.APPLICANT, {"email": "nophoso@example.vn"}, "Người nộp hồ sơ đăng ký"),
        # The registration office of the first commune of Thái Nguyên (the demo applications').
        (
            "xa.thainguyen",
            Role.COMMUNE_OFFICER,
            {
                "province_id": "19",
                "commune": Commune.objects.filter(province_id="19").order_by("code").first(),
            },
            "Cán bộ đăng ký cấp xã",
        ),
    ]
    created = []
    for username, role, extra, label in specs:
        user, new = User.objects.update_or_create(
            username=username,
            # A demo reset also lifts a lock left by wrong passwords.
            defaults={
                "role": role,
                "first_name": label,
                "locked_at": None,
                "failed_logins": 0,
                **extra,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        record(None, "create" if new else "reset_demo_user", user, None, {"role": str(role)})
        created.append((username, str(role.label), label))
    return created

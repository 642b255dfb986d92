"""Demo applications in every state, so `make demo` shows a live queue: the demo founder's
(`nophoso`) in Thái Nguyên (the demo officer's province) and a few of other founders, written
through the services (the system deciding), with one approved and its certificate, and a
change of it waiting (a member admitted, one leaving). Never run this on a real system."""

import datetime as dt
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.test.utils import override_settings

from htxso.core.cccd import encode_cccd
from htxso.core.models import Commune, User
from htxso.core.roles import Role

from . import changes, decisions, leaving, rules, services
from .models import Application, Purpose, Status

PDF = b"%PDF-1.4\n% HTX So demo\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NAMES = [
    ("cooperative", "Hợp tác xã Chè Sông Cầu", Status.DRAFT),
    ("cooperative", "Hợp tác xã Nông nghiệp Phú Lương", Status.SUBMITTED),
    ("cooperative_group", "Tổ hợp tác Rau an toàn Đồng Hỷ", Status.IN_REVIEW),
    ("household_business", "Hộ kinh doanh Miến Dong Việt Cường", Status.NEEDS_CORRECTION),
    ("cooperative", "Hợp tác xã Dịch vụ Nông nghiệp Đại Từ", Status.RESUBMITTED),
    ("cooperative", "Hợp tác xã Chè Tân Cương Xanh", Status.APPROVED),
    ("cooperative_group", "Tổ hợp tác Mây tre đan Phổ Yên", Status.REFUSED),
    ("household_business", "Hộ kinh doanh Cơm lam Định Hóa", Status.WITHDRAWN),
    ("cooperative_union", "Liên hiệp HTX Chè Thái Nguyên", Status.SUBMITTED),
]


def _fill(founder: User, kind: str, name: str, commune: Commune, serial: int) -> Application:
    application = services.start(
        founder,
        kind,
        commune.province_id,
        name=name,
        sector="A",
        commune_id=commune.pk,
        street="Xóm Trung Tâm",
        charter_capital=300_000_000,
        legal_representative="Nguyễn Văn An",
        email=founder.email,
    )
    rule = rules.load().for_kind(kind)
    if rule.founding_members:
        for i in range(max(rule.min_members, 1)):
            application.refresh_from_db()
            services.add_member(
                founder,
                application.pk,
                application.version,
                encode_cccd("19", "female" if i % 2 else "male", 1970 + i, serial * 10 + i),
                f"Thành viên sáng lập {i + 1} {name.split()[-1]}",
                dt.date(1970 + i, 1 + i, 1 + i),
            )
    for document in rule.documents:
        application.refresh_from_db()
        services.upload(
            founder,
            application.pk,
            application.version,
            document.code,
            ContentFile(PDF),
            f"{document.code}.pdf",
        )
    application.refresh_from_db()
    return application


def _advance(founder: User, application: Application, target: str) -> None:
    def again() -> Any:
        application.refresh_from_db()
        return application.version

    if target == Status.DRAFT:
        return
    if target == Status.WITHDRAWN:
        services.withdraw(founder, application.pk, again(), "Gia đình đổi kế hoạch kinh doanh.")
        return
    services.submit(founder, application.pk, again())
    if target == Status.SUBMITTED:
        return
    decisions.take(None, application.pk, again())
    if target in (Status.NEEDS_CORRECTION, Status.RESUBMITTED):
        decisions.ask_corrections(
            None, application.pk, again(), "Bổ sung chữ ký của các thành viên vào điều lệ."
        )
        if target == Status.RESUBMITTED:
            services.submit(founder, application.pk, again())
    elif target == Status.APPROVED:
        decisions.approve(None, application.pk, again())
    elif target == Status.REFUSED:
        decisions.refuse(None, application.pk, again(), "Tên dự kiến trùng với tổ chức đã đăng ký.")


def _change_with_leaving(founder: User) -> None:
    """A change of the approved cooperative waiting in the queue: it admits a member and one
    founder leaves (so the HTX keeps the law's five)."""
    approved = Application.objects.get(purpose=Purpose.REGISTER, status=Status.APPROVED)
    assert approved.organisation_id is not None
    change = changes.start_change(founder, approved.organisation_id, Purpose.CHANGE)
    services.add_member(
        founder,
        change.pk,
        change.version,
        encode_cccd("19", "male", 1985, 99_900),
        "Lò Văn Mới",
        dt.date(1985, 6, 15),
    )
    change.refresh_from_db()
    member = leaving.current(approved.organisation_id)[0]
    leaving.add_leaving(
        founder, change.pk, change.version, member.joined_on, member.pk, reason="Chuyển đi xa."
    )
    for document in rules.load().for_kind(change.kind, Purpose.CHANGE).documents:
        change.refresh_from_db()
        services.upload(
            founder, change.pk, change.version, document.code, ContentFile(PDF), "thay-doi.pdf"
        )
    change.refresh_from_db()
    services.submit(founder, change.pk, change.version)


def create_demo_applications() -> int:
    """The demo applications (none when some exist already: safe to run again). Demo founders
    get no e-mail: the notices go out when the transaction commits (`workflow.notify`), and the
    console backend of `make demo` would print 18 of them."""
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return _create()


@transaction.atomic
def _create() -> int:
    if Application.objects.exists():
        return 0
    founder, _new = User.objects.get_or_create(
        username="nophoso",
        defaults={"role": Role.APPLICANT, "email": "nophoso@example.vn"},
    )
    communes = list(Commune.objects.filter(province_id="19").order_by("code")[: len(NAMES)])
    for i, (kind, name, target) in enumerate(NAMES):
        application = _fill(founder, kind, name, communes[i % len(communes)], 99_000 + i)
        _advance(founder, application, target)
    _change_with_leaving(founder)
    return len(NAMES) + 1

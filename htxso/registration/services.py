"""The applicant's write path: start an application, fill it in over several visits, list the
founding members (CCCD checked as the registry checks it), upload the dossier's files, submit
(twice is once), withdraw. Every write: permission from `core.scoping`, the version check, an
audit entry, in one transaction. The office's decisions are `decisions.py`."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import Commune
from htxso.core.scoping import Action, Kind, may
from htxso.core.uploads import store_document
from htxso.registry.choices import MemberKind, OrganisationKind
from htxso.registry.writes.identity import check_facts

from . import changes, rules
from .models import Application, DossierFile, Event, FoundingMember, Status
from .tax_authority import next_number
from .workflow import (
    locked,
    remove_part,
    require_applicant,
    require_editable,
    start_clock,
    step,
    today,
    touch,
)

# The fields an applicant fills in (`start` and `save_draft`).
DRAFT_FIELDS = frozenset(
    {
        "name",
        "sector",
        "province_id",
        "commune_id",
        "street",
        "charter_capital",
        "legal_representative",
        "phone",
        "email",
        "statement",
    }
)


def _clean(application: Application, fields: dict[str, Any]) -> None:
    unknown = set(fields) - DRAFT_FIELDS
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    if (
        application.purpose != "register"
        and "province_id" in fields
        and fields["province_id"] != application.province_id
    ):
        raise ValidationError(
            {"province_id": _("Hồ sơ thay đổi không chuyển tổ chức sang tỉnh/thành phố khác.")}
        )
    for name, value in fields.items():
        setattr(application, name, value.strip() if isinstance(value, str) else value)
    if application.charter_capital is not None and application.charter_capital < 0:
        raise ValidationError({"charter_capital": _("Vốn điều lệ không được âm.")})
    if application.commune_id:
        commune = Commune.objects.filter(pk=application.commune_id).first()
        if commune is None or commune.province_id != application.province_id:
            raise ValidationError(
                {"commune_id": _("Xã/phường không thuộc tỉnh/thành phố đã chọn.")}
            )
    rule = rules.load().for_kind(application.kind, application.purpose)
    # The office that decides: the seat's commune for a commune-level kind (the rules' data).
    application.office_commune_id = application.commune_id if rule.authority == "commune" else None
    application.full_clean(exclude=["applicant", "number", "status"])


@transaction.atomic
def start(actor: Any, kind: str, province_id: str, **fields: Any) -> Application:
    """A new draft of `actor`'s (an applicant)."""
    if actor is None or not may(actor, Action.CREATE, Kind.APPLICATION):
        raise PermissionDenied(_("Chỉ tài khoản người nộp hồ sơ mới lập được hồ sơ đăng ký."))
    if kind not in OrganisationKind.values or kind not in rules.load().kinds:
        raise ValidationError({"kind": _("Loại hình tổ chức không hợp lệ.")})
    application = Application(
        kind=kind, applicant=actor, province_id=province_id, rules_version=rules.load().version
    )
    _clean(application, fields)
    application.save()
    Event.objects.create(application=application, actor=actor, action="start", status=Status.DRAFT)
    record(actor, "create", application, None, snapshot(application))
    return application


@transaction.atomic
def save_draft(
    actor: Any, application_id: int, expected_version: int, **fields: Any
) -> Application:
    application = locked(actor, application_id, expected_version)
    require_editable(actor, application)
    before = snapshot(application)
    _clean(application, fields)
    application.version += 1
    application.save()
    record(actor, "update", application, before, snapshot(application))
    return application


@transaction.atomic
def add_member(
    actor: Any,
    application_id: int,
    expected_version: int,
    cccd: str,
    full_name: str,
    birth_date: dt.date | None,
    kind: str = MemberKind.OFFICIAL,
    capital_contributed: int = 0,
) -> FoundingMember:
    """A founding member by the facts on their CCCD (the registry's check: a valid number, a
    name, a birth date agreeing with the number's year; at least 18 when they found)."""
    application = locked(actor, application_id, expected_version)
    require_editable(actor, application)
    if not rules.load().for_kind(application.kind, application.purpose).founding_members:
        raise ValidationError(_("Loại hình này không kê khai thành viên sáng lập."))
    number, _gender, _year = check_facts(cccd, full_name, birth_date)
    assert birth_date is not None
    if kind not in MemberKind.values:
        raise ValidationError({"kind": _("Loại thành viên không hợp lệ.")})
    if capital_contributed < 0:
        raise ValidationError({"capital_contributed": _("Vốn góp không được âm.")})
    eighteen = dt.date(birth_date.year + 18, birth_date.month, min(birth_date.day, 28))
    if eighteen > today():
        raise ValidationError({"birth_date": _("Thành viên sáng lập phải đủ 18 tuổi.")})
    if application.members.filter(cccd=number).exists():
        raise ValidationError({"cccd": _("Người này đã có trong danh sách thành viên.")})
    if application.leaving.filter(cccd=number).exists():
        raise ValidationError(
            {"cccd": _("Người này có trong danh sách thành viên ra khỏi, không kết nạp lại được.")}
        )
    member = FoundingMember.objects.create(
        application=application,
        cccd=number,
        full_name=" ".join(full_name.split()),
        birth_date=birth_date,
        kind=kind,
        capital_contributed=capital_contributed,
    )
    touch(actor, application, "add_member", member)
    return member


@transaction.atomic
def remove_member(
    actor: Any, application_id: int, expected_version: int, member_id: int
) -> Application:
    return remove_part(
        actor, application_id, expected_version, "members", member_id, "remove_member"
    )


@transaction.atomic
def upload(
    actor: Any,
    application_id: int,
    expected_version: int,
    document: str,
    content: Any,
    filename: str,
) -> DossierFile:
    """A file of the dossier (PDF, JPEG or PNG by its bytes; `core.uploads`), replacing the one
    uploaded before for the same document. A refused file leaves nothing stored."""
    application = locked(actor, application_id, expected_version)
    require_editable(actor, application)
    if rules.load().for_kind(application.kind, application.purpose).document(document) is None:
        raise ValidationError({"document": _("Loại giấy tờ không có trong hồ sơ này.")})
    stored = store_document(
        content,
        filename,
        upload_to="registration/%Y/%m/",
        max_bytes=settings.REGISTRATION_MAX_FILE_BYTES,
    )
    try:
        old = application.files.filter(document=document).first()
        if old is not None:
            old_name = old.file.name
            old.delete()
            transaction.on_commit(lambda: old.file.storage.delete(old_name))
        dossier_file = DossierFile.objects.create(
            application=application,
            document=document,
            file=stored.name,
            filename=stored.filename,
            sha256=stored.sha256,
            size=stored.size,
            content_kind=stored.kind,
        )
        touch(actor, application, "upload", dossier_file)
    except BaseException:
        DossierFile.file.field.storage.delete(stored.name)
        raise
    return dossier_file


def missing(application: Application) -> list[str]:
    """What the dossier still lacks before it can be submitted (Vietnamese, one line each)."""
    rule = rules.load().for_kind(application.kind, application.purpose)
    problems = changes.missing(application) if application.purpose != "register" else []
    if not application.name:
        problems.append(_("Chưa có tên dự kiến của tổ chức."))
    if not application.sector:
        problems.append(_("Chưa chọn ngành nghề kinh doanh chính."))
    if rule.authority == "commune" and not application.commune_id:
        problems.append(_("Chưa chọn xã/phường nơi đặt trụ sở."))
    if rule.founding_members:
        count = application.members.count()
        if count < rule.min_members:
            problems.append(
                _("Cần ít nhất %(min)s thành viên sáng lập (đã có %(n)s).")
                % {"min": rule.min_members, "n": count}
            )
    uploaded = set(application.files.values_list("document", flat=True))
    for document in rule.documents:
        if document.required and document.code not in uploaded:
            problems.append(_("Thiếu giấy tờ: %(label)s.") % {"label": document.label})
    return problems


@transaction.atomic
def submit(actor: Any, application_id: int, expected_version: int) -> Application:
    """Submit a draft, or a corrected dossier; a second submit of the same version (a double
    click, a retried request) answers the submitted application and changes nothing."""
    application = locked(actor, application_id, None)
    require_applicant(actor, application)
    if (
        application.status in (Status.SUBMITTED, Status.RESUBMITTED)
        and application.version == expected_version + 1
    ):
        return application  # already done by the same request
    if application.version != expected_version:
        locked(actor, application_id, expected_version)  # raises StaleEdit
    problems = missing(application)
    if problems:
        raise ValidationError(problems)
    on = today()
    if application.status == Status.NEEDS_CORRECTION:
        return step(actor, application, "resubmit", **start_clock(application, on))
    number = application.number or next_number("application", f"DK{on.year}-")
    return step(actor, application, "submit", number=number, **start_clock(application, on))


@transaction.atomic
def withdraw(
    actor: Any, application_id: int, expected_version: int, reason: str = ""
) -> Application:
    """The applicant withdraws the application before a decision."""
    application = locked(actor, application_id, expected_version)
    require_applicant(actor, application)
    return step(actor, application, "withdraw", reason.strip(), due_on=None)

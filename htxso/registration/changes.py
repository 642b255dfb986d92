"""Changes after registration and dissolution: applications of their own, filled in, submitted
and decided as a registration is (`services`, `decisions`), about an organisation the founder
registered. A change carries the organisation's facts as they should read (prefilled from the
registry), the members it admits and those who leave (`leaving`); a dissolution its reason.
Approval applies them to the registry through `registry.services` (the audit trail dates a
change; a dissolution is a dated status) and supersedes the current certificate: by a new one
for a change, by none for a dissolution — never deleted."""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from htxso.core.audit import record, snapshot
from htxso.core.scoping import Action, Kind, may
from htxso.registry import services as registry
from htxso.registry.choices import CLOSED_STATUSES
from htxso.registry.choices import Status as OrganisationStatus
from htxso.registry.models import Organisation, can_create_organisations

from . import leaving, rules
from .models import DECIDED, Application, Certificate, Event, Purpose, Status
from .tax_authority import next_number

# The registered facts a change may touch (Application field → Organisation field: the same).
FACTS = (
    "name",
    "sector",
    "commune_id",
    "street",
    "charter_capital",
    "legal_representative",
    "phone",
    "email",
)


# How the timeline names what a change altered.
LABELS = {
    "name": gettext_lazy("tên"),
    "sector": gettext_lazy("ngành nghề"),
    "commune_id": gettext_lazy("địa chỉ trụ sở (xã/phường)"),
    "street": gettext_lazy("địa chỉ trụ sở"),
    "charter_capital": gettext_lazy("vốn điều lệ"),
    "legal_representative": gettext_lazy("người đại diện theo pháp luật"),
    "phone": gettext_lazy("điện thoại"),
    "email": gettext_lazy("thư điện tử"),
}


def registry_actor(actor: Any, province_id: str) -> Any:
    """Who the registry's services see writing: the deciding officer where the registry lets
    them write (a provincial officer, the system admin); otherwise the system — a commune's
    office decides by its right to review the application (`core.scoping`), and the decision's
    own audit entry and timeline name the officer."""
    return actor if can_create_organisations(actor, province_id) else None


def founders(application: Application) -> list[registry.MemberFacts]:
    """The members an application lists, as the registry adds them (all at once)."""
    return [
        registry.MemberFacts(m.kind, m.cccd, m.full_name, m.birth_date, m.capital_contributed)
        for m in application.members.order_by("id")
    ]


def organisations_of(actor: Any) -> Any:
    """The organisations `actor` registered and that still exist (a change or a dissolution
    may be asked for them)."""
    return (
        Organisation.objects.filter(
            registration_applications__applicant_id=getattr(actor, "pk", None),
            registration_applications__purpose=Purpose.REGISTER,
            registration_applications__status=Status.APPROVED,
        )
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("name")
    )


@transaction.atomic
def start_change(actor: Any, organisation_id: int, purpose: str) -> Application:
    """A draft change or dissolution of an organisation `actor` registered, prefilled with its
    registered facts."""
    if actor is None or not may(actor, Action.CREATE, Kind.APPLICATION):
        raise PermissionDenied(_("Chỉ tài khoản người nộp hồ sơ mới lập được hồ sơ đăng ký."))
    if purpose not in (Purpose.CHANGE, Purpose.DISSOLVE):
        raise ValidationError({"purpose": _("Nội dung đề nghị không hợp lệ.")})
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None or not organisations_of(actor).filter(pk=organisation_id).exists():
        raise ValidationError(
            {"organisation": _("Bạn chỉ đề nghị thay đổi, giải thể tổ chức do bạn đăng ký.")}
        )
    busy = (
        Application.objects.filter(organisation=organisation)
        .exclude(status__in=DECIDED)
        .exclude(purpose=Purpose.REGISTER)
    )
    if busy.exists():
        raise ValidationError(
            _("Tổ chức này đang có hồ sơ %(number)s chưa giải quyết xong.")
            % {"number": busy.first()}
        )
    rule = rules.load().for_kind(organisation.kind, purpose)
    application = Application(
        kind=organisation.kind,
        purpose=purpose,
        applicant=actor,
        organisation=organisation,
        province_id=organisation.province_id,
        rules_version=rules.load().version,
        **{name: getattr(organisation, name) for name in FACTS},
    )
    for name in ("phone", "email", "street", "legal_representative", "name", "sector"):
        setattr(application, name, getattr(application, name) or "")
    application.office_commune_id = application.commune_id if rule.authority == "commune" else None
    application.full_clean(exclude=["applicant", "number", "status"])
    application.save()
    Event.objects.create(application=application, actor=actor, action="start", status=Status.DRAFT)
    record(actor, "create", application, None, snapshot(application))
    return application


def differences(application: Application) -> dict[str, Any]:
    """The facts a change application alters (field → new value)."""
    organisation = application.organisation
    assert organisation is not None
    return {
        name: getattr(application, name)
        for name in FACTS
        if (getattr(application, name) or None) != (getattr(organisation, name) or None)
    }


def missing(application: Application) -> list[str]:
    """What a change or a dissolution lacks beyond the dossier's files."""
    if application.purpose == Purpose.DISSOLVE and not application.statement.strip():
        return [_("Chưa ghi lý do giải thể.")]
    if (
        application.purpose == Purpose.CHANGE
        and not differences(application)
        and not application.members.exists()
        and not application.leaving.exists()
    ):
        return [_("Hồ sơ chưa có nội dung nào thay đổi so với đăng ký hiện tại.")]
    problem = leaving.minimum_problem(application)
    if problem is not None and problem[0]:
        return [problem[1]]
    return []


def apply(actor: Any, application: Application) -> str:
    """The approved change or dissolution written to the registry (inside the decision's
    transaction); the note of the timeline."""
    from .decisions import issue_certificate  # the registration's certificate, shared

    organisation = Organisation.objects.select_for_update().get(pk=application.organisation_id)
    if organisation.status in CLOSED_STATUSES:
        raise ValidationError(_("Tổ chức đã giải thể hoặc phá sản, không thay đổi được nữa."))
    writer = registry_actor(actor, organisation.province_id)
    on = timezone.localdate()
    current = Certificate.objects.filter(
        organisation=organisation, superseded_at__isnull=True
    ).first()
    if application.purpose == Purpose.DISSOLVE:
        registry.change_status(
            writer,
            organisation.pk,
            OrganisationStatus.DISSOLVED,
            on,
            reason=application.statement[:255],
            document_no=application.number or "",
        )
        Certificate.objects.filter(organisation=organisation, superseded_at__isnull=True).update(
            superseded_at=timezone.now()
        )
        return _("Đã ghi giải thể vào sổ đăng ký.")
    changes = differences(application)
    if changes:
        organisation = registry.update_organisation(
            writer, organisation.pk, organisation.version, **changes
        )
    admitted = founders(application)
    registry.add_person_members(writer, organisation.pk, on, admitted)
    left = leaving.apply(writer, application, organisation)
    code = organisation.tax_code or (
        current.code
        if current is not None
        else next_number(f"code-{organisation.province_id}", f"{organisation.province_id}-")
    )
    issue_certificate(application, organisation, code)
    changed = sorted(str(LABELS[name]) for name in changes)
    if admitted:
        changed.append(_("kết nạp %(n)s thành viên") % {"n": len(admitted)})
    if left:
        changed.append(
            _("%(n)s thành viên ra khỏi (%(names)s)") % {"n": len(left), "names": ", ".join(left)}
        )
    return _("Đã đăng ký thay đổi: %(what)s. Mã số: %(code)s") % {
        "what": ", ".join(changed),
        "code": code,
    }

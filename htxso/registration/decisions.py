"""The registration office's write path: take a case, ask for corrections (the clock stops),
refuse with a reason, approve. An approval is one transaction: the organisation, its people
and memberships through the registry's services, its code (the tax code an HTX, a union or a
household business is given by `tax_authority`; a tổ hợp tác's own registration code), the
certificate; any refusal on the way (a member's facts, the tax code range) leaves nothing.
An application is decided once: a decided one refuses every further step."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.registry import aggregates
from htxso.registry import services as registry
from htxso.registry.models import Organisation

from . import changes, rules
from .models import Application, Certificate, Purpose
from .tax_authority import issuer, next_number
from .workflow import check_step, locked, require_office, step, stop_clock, today


def _office_case(actor: Any, application_id: int, expected_version: int) -> Application:
    application = locked(actor, application_id, expected_version)
    require_office(actor, application)
    return application


@transaction.atomic
def take(actor: Any, application_id: int, expected_version: int) -> Application:
    application = _office_case(actor, application_id, expected_version)
    return step(actor, application, "take", handled_by_id=getattr(actor, "pk", None))


@transaction.atomic
def ask_corrections(
    actor: Any, application_id: int, expected_version: int, corrections: str
) -> Application:
    """Return the dossier with the list of what to fix; the deadline's clock stops."""
    application = _office_case(actor, application_id, expected_version)
    corrections = (corrections or "").strip()
    if not corrections:
        raise ValidationError({"corrections": _("Hãy ghi rõ những nội dung cần sửa đổi, bổ sung.")})
    check_step(application, "ask_corrections")
    return step(
        actor,
        application,
        "ask_corrections",
        corrections,
        corrections=corrections,
        **stop_clock(application, today()),
    )


@transaction.atomic
def refuse(actor: Any, application_id: int, expected_version: int, reason: str) -> Application:
    application = _office_case(actor, application_id, expected_version)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Hãy ghi rõ lý do từ chối.")})
    return step(
        actor,
        application,
        "refuse",
        reason,
        decision_reason=reason,
        decided_at=timezone.now(),
        due_on=None,
    )


@transaction.atomic
def approve(actor: Any, application_id: int, expected_version: int) -> Application:
    application = _office_case(actor, application_id, expected_version)
    check_step(application, "approve")
    # The registry's figures of the province are refreshed once, when the writes are done
    # (not once per founding member), still inside the decision's transaction.
    with aggregates.deferred():
        return _approve(actor, application)


def _approve(actor: Any, application: Application) -> Application:
    if application.purpose != Purpose.REGISTER:  # a change or a dissolution (`changes`)
        note = changes.apply(actor, application)
        return step(actor, application, "approve", note, decided_at=timezone.now(), due_on=None)
    rule = rules.load().for_kind(application.kind)
    on = today()
    tax_code = issuer().issue(application) if rule.issues_tax_code else None
    writer = changes.registry_actor(actor, application.province_id)
    organisation = registry.create_organisation(
        writer,
        kind=application.kind,
        name=application.name,
        sector=application.sector,
        province_id=application.province_id,
        commune_id=application.commune_id,
        street=application.street,
        established_on=on,
        registered_on=on,
        charter_capital=application.charter_capital,
        legal_representative=application.legal_representative,
        phone=application.phone,
        email=application.email,
        tax_code=tax_code,
    )
    founders = changes.founders(application)
    registry.add_person_members(writer, organisation.pk, on, founders)
    code = tax_code or next_number(
        f"code-{application.province_id}", f"{rule.code_prefix}{application.province_id}-"
    )
    issue_certificate(application, organisation, code, new_members=len(founders))
    return step(
        actor,
        application,
        "approve",
        _("Mã số: %(code)s") % {"code": code},
        organisation=organisation,
        decided_at=timezone.now(),
        due_on=None,
    )


def issue_certificate(
    application: Application,
    organisation: Organisation,
    code: str,
    new_members: int | None = None,
) -> Certificate:
    """A new certificate of `organisation`; the ones issued before are superseded (kept).
    `new_members`: the founders of an organisation created in this transaction — it has no
    certificate and no approved change yet, so neither is asked of the database (two round
    trips fewer per approval)."""
    now = timezone.now()
    new = new_members is not None
    if new:
        members = new_members
    elif application.purpose == Purpose.REGISTER:
        members = application.members.count()
    else:
        members = Organisation.objects.values_list("members_count", flat=True).get(
            pk=organisation.pk
        )
    if not new:
        Certificate.objects.filter(organisation=organisation, superseded_at__isnull=True).update(
            superseded_at=now
        )
    address = ", ".join(
        part
        for part in (
            organisation.street,
            organisation.commune.name if organisation.commune is not None else "",
            organisation.province.name,
        )
        if part
    )
    return Certificate.objects.create(
        serial=next_number("certificate", f"GCN{now.year}-"),
        application=application,
        organisation=organisation,
        code=code,
        facts={
            "name": organisation.name,
            "kind": organisation.get_kind_display(),
            "address": address,
            "representative": organisation.legal_representative,
            "capital": organisation.charter_capital,
            "members": members,
            "registered_on": organisation.registered_on.isoformat()
            if organisation.registered_on
            else "",
            "changes": 0
            if new
            else Application.objects.filter(
                organisation=organisation, purpose=Purpose.CHANGE, status="approved"
            ).count()
            + (application.purpose == Purpose.CHANGE),
            "changed_on": timezone.localdate(now).isoformat()
            if application.purpose == Purpose.CHANGE
            else "",
        },
        issued_at=now,
    )

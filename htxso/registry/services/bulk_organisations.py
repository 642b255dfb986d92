"""New organisations in bulk (an import's new rows, `exchange.organisations_bulk`): the checks,
rows and audit entries of `create_organisation` followed by `change_status`, without a query
per organisation. `prepare_organisation` checks one in Python (the places and permissions it
needs are looked up once per commune and province); `create_organisations` writes a batch:
organisations, their status history, one audit entry per change (`core.audit.record_many`)
and the provinces' aggregates (deferred by the import, refreshed once, signal and cube with
them). Held equal to the services by the import's tests on PostgreSQL."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from htxso.core.audit import changed, record_many, snapshot
from htxso.core.models import Commune

from .. import aggregates
from ..choices import Status
from ..models import Organisation, StatusChange, can_create_organisations
from .common import blank_text, check_not_future, tax_code_or_none
from .organisations import ORGANISATION_ARGUMENTS
from .rules import check_founding_before_status, is_agricultural


@dataclass
class NewOrganisation:
    organisation: Organisation
    status: str | None = None  # a status other than active, as of `since`
    since: dt.date | None = None


@dataclass
class Checker:
    """What `prepare_organisation` looks up once: communes and the actor's provinces."""

    actor: Any
    communes: dict[str, tuple[str, str]] = field(default_factory=dict)
    provinces: dict[str, bool] = field(default_factory=dict)

    def commune(self, code: str) -> tuple[str, str]:
        if code not in self.communes:
            commune = Commune.objects.only("province_id", "name").get(pk=code)
            self.communes[code] = (commune.province_id, commune.name)
        return self.communes[code]

    def may_create(self, province_id: str) -> bool:
        if self.actor is None:
            return True
        if province_id not in self.provinces:
            self.provinces[province_id] = can_create_organisations(self.actor, province_id)
        return self.provinces[province_id]


def _full_clean(organisation: Organisation) -> None:
    """`full_clean` without its queries: the places are checked by the caller, the tax code's
    uniqueness by the import's matcher (a known code updates its organisation); the check
    constraints in Python."""
    errors: dict[str, Any] = {}
    try:
        organisation.full_clean(
            exclude=["province", "commune"], validate_unique=False, validate_constraints=False
        )
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    for constraint in Organisation._meta.constraints:
        condition = getattr(constraint, "condition", None)
        if constraint.name == "org_cooperative_has_tax_code":
            broken = organisation.kind == "cooperative" and organisation.tax_code is None
            fields: tuple[str, ...] = ("kind", "tax_code")
        elif constraint.name == "org_capital_not_negative":
            capital = organisation.charter_capital
            broken, fields = capital is not None and capital < 0, ("charter_capital",)
        else:
            continue
        if condition is not None and broken and not any(f in errors for f in fields):
            errors.setdefault(NON_FIELD_ERRORS, []).append(
                ValidationError(constraint.get_violation_error_message())
            )
    if errors:
        raise ValidationError(errors)


def prepare_organisation(
    checker: Checker, fields: dict[str, Any], status: str | None, since: dt.date | None
) -> NewOrganisation:
    """`create_organisation`'s checks and then, for a status other than active,
    `change_status`'s; ValidationError or PermissionDenied as they raise them."""
    unknown = set(fields) - ORGANISATION_ARGUMENTS
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    organisation = Organisation(**fields)
    if "is_agricultural" not in fields:
        organisation.is_agricultural = is_agricultural(
            organisation.sector, organisation.agricultural_type
        )
    organisation.tax_code = tax_code_or_none(organisation.tax_code)
    blank_text(organisation)
    organisation.status = Status.ACTIVE
    organisation.status_since = organisation.established_on
    if organisation.commune_id:
        province_id, name = checker.commune(organisation.commune_id)
        if province_id != organisation.province_id:
            raise ValidationError(
                {
                    "commune": _("Xã/phường %(commune)s không thuộc tỉnh/thành phố đã chọn.")
                    % {"commune": name}
                }
            )
    if not checker.may_create(organisation.province_id or ""):
        raise PermissionDenied(_("Bạn không có quyền tạo tổ chức ở tỉnh/thành phố này."))
    organisation.refresh_keys()
    if organisation.established_on:
        check_not_future(organisation.established_on, "established_on")
    _full_clean(organisation)
    if status is None or status == organisation.status:
        return NewOrganisation(organisation)
    assert since is not None
    if status not in Status.values:
        raise ValidationError({"status": _("Tình trạng không hợp lệ.")})
    check_not_future(since, "effective_on")
    try:
        check_founding_before_status(organisation.established_on, since)
    except ValidationError:
        raise ValidationError(
            {"effective_on": _("Ngày hiệu lực không được trước ngày thành lập.")}
        ) from None
    return NewOrganisation(organisation, status, since)


def create_organisations(actor: Any, batch: list[NewOrganisation]) -> None:
    """Write checked organisations (`prepare_organisation`) as the services would."""
    if not batch:
        return
    by = actor if getattr(actor, "pk", None) else None
    for new in batch:
        if new.status is not None and new.since is not None:  # as it ends up; audited twice
            new.organisation.status, new.organisation.status_since = new.status, new.since
            new.organisation.version = 2
    Organisation.objects.bulk_create([n.organisation for n in batch], batch_size=2000)
    founding = _("Thành lập")
    history = []
    created, moved = [], []
    for new in batch:
        org = new.organisation
        history.append(
            StatusChange(
                organisation=org,
                status=Status.ACTIVE,
                effective_on=org.established_on,
                reason=founding,
                recorded_by=by,
            )
        )
        after = snapshot(org)
        if new.status is not None and new.since is not None:
            history.append(
                StatusChange(
                    organisation=org, status=new.status, effective_on=new.since, recorded_by=by
                )
            )
            first = {"status": str(Status.ACTIVE), "status_since": org.established_on}
            before, now = changed(first, {"status": org.status, "status_since": org.status_since})
            moved.append((org.pk, str(org), before, now))
            after = {**after, **first}
        created.append((org.pk, str(org), None, after))
    StatusChange.objects.bulk_create(history, batch_size=2000)
    label = Organisation._meta.label_lower
    record_many(actor, "create", label, created)
    record_many(actor, "change_status", label, moved)
    aggregates.refresh({n.organisation.province_id for n in batch})

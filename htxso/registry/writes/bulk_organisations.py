"""New organisations in bulk (an import's new rows, `exchange.organisations_bulk`): the checks,
rows and audit entries of `create_organisation` followed by `change_status`, without a query
per organisation. `prepare_organisation` checks one in Python (the places and permissions it
needs are looked up once per commune and province); `create_organisations` writes a batch:
organisations, their status history, one audit entry per change (`core.audit.record_many`)
and the provinces' aggregates (deferred by the import, refreshed once, signal and cube with
them). Held equal to the services by the import's tests on PostgreSQL."""

import datetime as dt
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import connection
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import changed, record_many, snapshot
from htxso.core.bulk import write_rows
from htxso.core.models import Commune

from .. import aggregates
from ..choices import Status
from ..models import Organisation, StatusChange, can_create_organisations
from .common import blank_text, check_not_future, tax_code_or_none
from .organisation_stage import HISTORY_COLUMNS, Stage
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
    # field name → {(type, value): (clean, cleaned value or error list)}: a field's check
    # depends on its value alone (relations aside), and most columns repeat a few values.
    cleaned: dict[str, dict[tuple[type, Any], tuple[bool, Any]]] = field(default_factory=dict)

    def commune(self, code: str) -> tuple[str, str]:
        if not self.communes:  # all of them, once (an import names thousands)
            for pk, province, name in Commune.objects.values_list("code", "province_id", "name"):
                self.communes[pk] = (province, name)
        return self.communes[code]

    def may_create(self, province_id: str) -> bool:
        if self.actor is None:
            return True
        if province_id not in self.provinces:
            self.provinces[province_id] = can_create_organisations(self.actor, province_id)
        return self.provinces[province_id]


# Not cleaned: the places (checked by the caller) and what the service itself sets.
_NOT_CLEANED = [
    "province",
    "commune",
    "id",
    "search_key",
    "name_key",
    "status",
    "status_since",
    "members_count",
    "version",
    "created_at",
    "updated_at",
]


# Fields a caller may leave out: their defaults are valid (required ones are refused as
# missing before), so only the given ones need cleaning.
_DEFAULTED = [
    f.name
    for f in Organisation._meta.concrete_fields
    if f.name not in {"kind", "name", "sector", "established_on", "tax_code", "is_agricultural"}
]


_CLEANED_FIELDS = [
    f for f in Organisation._meta.fields if f.name not in _NOT_CLEANED and not f.generated
]
_REMEMBERED = 10_000  # distinct values remembered per field (free text is rarely repeated)


def _clean_fields(checker: Checker, organisation: Organisation, given: set[str]) -> dict:
    """`Model.clean_fields` (Organisation has no `clean`) of the given and non-defaulted
    fields, each distinct value of a field checked once per import; {field: error list}."""
    errors: dict[str, Any] = {}
    for f in _CLEANED_FIELDS:
        if f.name not in given and f.name in _DEFAULTED:
            continue
        raw = getattr(organisation, f.attname)
        if f.blank and raw in f.empty_values:
            continue
        seen = checker.cleaned.setdefault(f.name, {})
        key = (type(raw), raw)
        try:
            known = seen.get(key) if not f.is_relation else None
        except TypeError:  # unhashable
            known = None
        if known is None:
            try:
                known = (True, f.clean(raw, organisation))
            except ValidationError as exc:
                known = (False, exc.error_list)
            if not f.is_relation and len(seen) < _REMEMBERED:
                with suppress(TypeError):
                    seen[key] = known
        if known[0]:
            setattr(organisation, f.attname, known[1])
        else:
            errors[f.name] = known[1]
    return errors


def _full_clean(checker: Checker, organisation: Organisation, given: set[str]) -> None:
    """`full_clean` without its queries: the places are checked by the caller, the tax code's
    uniqueness by the import's matcher (a known code updates its organisation); the check
    constraints in Python."""
    errors: dict[str, Any] = {}
    found = _clean_fields(checker, organisation, given)
    if found:
        errors = ValidationError(found).update_error_dict(errors)
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


_FIELDS = Organisation._meta.concrete_fields
# A field's position by attname (and by name, for a field that is not a relation).
_POSITION = {
    **{f.name: i for i, f in enumerate(_FIELDS) if not f.is_relation},
    **{f.attname: i for i, f in enumerate(_FIELDS)},
}


def _new_organisation(fields: dict[str, Any]) -> Organisation:
    """`Organisation(**fields)` by position: the same object, without `Model.__init__`'s
    keyword matching (a tenth of an import's time)."""
    if not fields.keys() <= _POSITION.keys():
        return Organisation(**fields)
    values = [f.get_default() for f in _FIELDS]
    for name, value in fields.items():
        values[_POSITION[name]] = value
    return Organisation(*values)


def prepare_organisation(
    checker: Checker, fields: dict[str, Any], status: str | None, since: dt.date | None
) -> NewOrganisation:
    """`create_organisation`'s checks and then, for a status other than active,
    `change_status`'s; ValidationError or PermissionDenied as they raise them."""
    unknown = set(fields) - ORGANISATION_ARGUMENTS
    if unknown:
        raise ValidationError(_("Trường không hợp lệ: %s") % ", ".join(sorted(unknown)))
    organisation = _new_organisation(fields)
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
    _full_clean(checker, organisation, {name.removesuffix("_id") for name in fields})
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


def _insert(
    model: type[Model], objects: list[Any], with_ids: bool, stage: Stage | None = None
) -> None:
    """`bulk_create`, by COPY on PostgreSQL: ids drawn from the table's sequence in one query
    when the caller needs them, the timestamps set as `save` sets them."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objects, batch_size=2000)
        return
    table = model._meta.db_table
    if with_ids:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
    fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
    now = timezone.now()
    stamped = [
        f.attname for f in fields if getattr(f, "auto_now", 0) or getattr(f, "auto_now_add", 0)
    ]
    for obj in objects:
        for name in stamped:
            setattr(obj, name, now)
    # The values as the model holds them: text, numbers, dates, ids and timestamps, which
    # COPY adapts itself (no field here needs a conversion of its own).
    names = [f.attname for f in fields]
    rows = (tuple([getattr(obj, name) for name in names]) for obj in objects)
    (stage.write if stage is not None else write_rows)(table, [f.column for f in fields], rows)


def create_organisations(
    actor: Any, batch: list[NewOrganisation], stage: Stage | None = None
) -> None:
    """Write checked organisations (`prepare_organisation`) as the services would; with a
    `stage` (PostgreSQL), the organisations and their history wait in it for `Stage.flush`."""
    if not batch:
        return
    by = actor if getattr(actor, "pk", None) else None
    for new in batch:
        if new.status is not None and new.since is not None:  # as it ends up; audited twice
            new.organisation.status, new.organisation.status_since = new.status, new.since
            new.organisation.version = 2
    _insert(Organisation, [n.organisation for n in batch], with_ids=True, stage=stage)
    founding, now = str(_("Thành lập")), timezone.now()
    by_id = getattr(by, "pk", None)
    history: list[tuple] = []  # StatusChange's HISTORY_COLUMNS
    created, moved = [], []
    for new in batch:
        org = new.organisation
        history.append((org.pk, str(Status.ACTIVE), org.established_on, founding, "", now, by_id))
        after = snapshot(org)
        if new.status is not None and new.since is not None:
            history.append((org.pk, new.status, new.since, "", "", now, by_id))
            first = {"status": str(Status.ACTIVE), "status_since": org.established_on}
            before, now_ = changed(first, {"status": org.status, "status_since": org.status_since})
            moved.append((org.pk, str(org), before, now_))
            after = {**after, **first}
        created.append((org.pk, str(org), None, after))
    if connection.vendor == "postgresql":
        (stage.write if stage is not None else write_rows)(
            StatusChange._meta.db_table, HISTORY_COLUMNS, history
        )
    else:
        StatusChange.objects.bulk_create(
            [StatusChange(**dict(zip(HISTORY_COLUMNS, row, strict=True))) for row in history]
        )
    label = Organisation._meta.label_lower
    record_many(actor, "create", label, created)
    record_many(actor, "change_status", label, moved)
    aggregates.refresh({n.organisation.province_id for n in batch})

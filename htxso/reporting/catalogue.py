"""Reporting's catalogue, written through here: form versions (data, never code), released
periods and the reference data (forms, indicators, sourced targets). Re-exported by
`services.py`, the app's one write path; each write checks permission and leaves an audit entry.
"""

from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.scoping import Action, Kind, may

from . import statistics
from .definitions import Definition
from .models import FormVersion, IndicatorCell, Release, ReportForm, released_periods
from .periods import Period

_M = TypeVar("_M", bound=Model)

_parsed: dict[tuple[int, Any], Definition] = {}


def definition_of(version: FormVersion) -> Definition:
    """A version's parsed definition, once per process (versions are never changed: a change
    is a new version). Keyed by id and creation time, so a rolled-back row is not confused
    with a later one that got the same id."""
    key = (version.pk, version.created_at)
    found = _parsed.get(key)
    if found is None:
        found = _parsed[key] = Definition(version.definition)
    return found


def version_for(form: ReportForm, period: Period) -> FormVersion:
    """The form version in force for a period: the latest that began at or before it."""
    versions = [v for v in form.versions.all() if Period.parse(v.valid_from) <= period]
    if not versions:
        raise ValidationError(
            _("Biểu mẫu %(form)s chưa có phiên bản áp dụng cho kỳ %(period)s.")
            % {"form": form.name, "period": period.code}
        )
    return max(versions, key=lambda v: Period.parse(v.valid_from))


def add_form_version(
    actor: Any, form: ReportForm, valid_from: str, definition: dict, note: str = ""
) -> FormVersion:
    """A new version of a form, from a period on: data, no code change. It begins after the
    latest version (numbers and periods go up together)."""
    if not may_release(actor):  # the same national roles
        raise PermissionDenied(_("Chỉ cán bộ trung ương được ban hành phiên bản biểu mẫu."))
    start = Period.parse(valid_from)
    if start.periodicity != form.periodicity:
        raise ValidationError(_("Kỳ bắt đầu không đúng chu kỳ của biểu mẫu."))
    Definition(definition)  # refuses a malformed definition
    with transaction.atomic():
        ReportForm.objects.select_for_update().filter(pk=form.pk).first()  # one issuer at a time
        latest = form.versions.order_by("-number").first()
        if latest is not None and start <= Period.parse(latest.valid_from):
            raise ValidationError(
                _("Phiên bản mới phải áp dụng từ sau kỳ %(period)s (phiên bản %(number)s).")
                % {"period": latest.valid_from, "number": latest.number}
            )
        number = latest.number if latest is not None else 0
        version = FormVersion(
            form=form,
            number=number + 1,
            valid_from=start.code,
            definition=definition,
            note=note,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        try:
            with transaction.atomic():
                version.save()
        except IntegrityError as exc:
            raise ValidationError(_("Đã có phiên bản bắt đầu từ kỳ này.")) from exc
        record(actor, "create", version, None, {"valid_from": start.code, "number": number + 1})
    return version


def may_release(actor: Any) -> bool:
    """Publishing figures and issuing form versions: the national roles (None: the system)."""
    return may(actor, Action.RELEASE, Kind.STATISTICS)


@transaction.atomic
def release(actor: Any, period_code: str, note: str = "") -> Release:
    """Publish a period's figures (a year publishes its half-years too)."""
    if not may_release(actor):
        raise PermissionDenied(_("Chỉ cán bộ trung ương được công bố số liệu."))
    period = Period.parse(period_code)
    if period.end >= timezone.localdate():
        raise ValidationError(_("Chỉ công bố được kỳ đã kết thúc."))
    # The provided figures (the marketplace's) are counted for the half-years this release
    # publishes for the first time; a half-year already published keeps its figures.
    published = released_periods()
    for half in period.halves() or (period,):
        if half.code not in published and not (half.half and str(half.year) in published):
            statistics.rebuild_provided(half)
    obj, created = Release.objects.get_or_create(
        period=period.code,
        defaults={"released_by": actor if getattr(actor, "pk", None) else None, "note": note},
    )
    if not created:
        raise ValidationError(_("Kỳ %s đã được công bố.") % period.code)
    record(actor, "release", obj, None, {"period": period.code})
    return obj


@transaction.atomic
def release_past(actor: Any, note: str = "") -> list[Release]:
    """Publish every ended period that has figures and is not yet published, as an install
    does after its history was loaded: a whole year when it has ended (its half-years with
    it), otherwise its ended half-year. Each through `release` (checked, audited); periods
    already published are left as they are, so a second run publishes nothing."""
    if not may_release(actor):
        raise PermissionDenied(_("Chỉ cán bộ trung ương được công bố số liệu."))
    today = timezone.localdate()
    done = released_periods()
    wanted: set[Period] = set()
    for code in IndicatorCell.objects.values_list("period", flat=True).distinct():
        period = Period.parse(code)
        year = Period(period.year)
        if year.end < today:
            wanted.add(year)
        elif period.end < today:
            wanted.add(period)
    return [
        release(actor, period.code, note) for period in sorted(wanted) if period.code not in done
    ]


def _upsert(model: type[_M], lookup: dict[str, Any], values: dict[str, Any]) -> _M:
    """Create or update one reference row, with an audit entry when something changed (a new
    target or a changed indicator definition leaves a trail; a re-run leaves none)."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        record(None, "load_reference", obj, None, snapshot(obj))
        return obj
    before = snapshot(obj)
    for name, value in values.items():
        setattr(obj, name, value)
    after = snapshot(obj)
    if after != before:
        obj.save()
        record(None, "load_reference", obj, before, after)
    return obj


@transaction.atomic
def load_reference(data: dict[str, Any]) -> dict[str, int]:
    """Load forms (and their versions), indicators and targets; idempotent. Existing form
    versions are never changed (reports point at them): a change is a new version."""
    from .models import NATIONAL, Indicator, Target

    counts = {"forms": 0, "versions": 0, "indicators": 0, "targets": 0}
    for item in data.get("forms", []):
        fields = {k: v for k, v in item.items() if k not in ("code", "versions")}
        form = _upsert(ReportForm, {"code": item["code"]}, fields)
        counts["forms"] += 1
        for version in item.get("versions", []):
            Definition(version["definition"])
            if Period.parse(version["valid_from"]).periodicity != form.periodicity:
                raise ValidationError(
                    _("Phiên bản %(number)s của %(form)s: kỳ bắt đầu không đúng chu kỳ.")
                    % {"number": version["number"], "form": form.code}
                )
            _obj, created = FormVersion.objects.get_or_create(
                form=form,
                number=version["number"],
                defaults={
                    "valid_from": version["valid_from"],
                    "definition": version["definition"],
                    "note": version.get("note", ""),
                },
            )
            counts["versions"] += created
    for item in data.get("indicators", []):
        _upsert(Indicator, {"code": item["code"]}, {k: v for k, v in item.items() if k != "code"})
        counts["indicators"] += 1
    for item in data.get("targets", []):
        if item.get("comparison", ">=") not in (">", ">=", "<", "<="):
            raise ValidationError(
                _("Mục tiêu %(label)s: phép so sánh không hợp lệ.") % {"label": item.get("label")}
            )
        indicator = Indicator.objects.get(code=item["indicator"])
        _upsert(
            Target,
            {
                "indicator": indicator,
                "kind": item["kind"],
                "area": item.get("province") or NATIONAL,
                "year": item["year"],
            },
            {k: v for k, v in item.items() if k not in ("indicator", "kind", "province", "year")},
        )
        counts["targets"] += 1
    return counts

"""The forum's only writes: the secretariat organises an edition (its connection points made
with it, one per province), adds documents, routes recommendations to the competent agency and
turns one into a follow-up task; a province keeps its connection point and registers
delegates; cooperatives, unions and provinces raise recommendations; the competent agency
answers. Permission from `core.scoping.TABLE` (Kind.FORUM), Vietnamese errors, the version
check, the audit entry, one transaction each."""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from htxso.core.audit import record
from htxso.core.models import Province
from htxso.core.roles import Role
from htxso.core.scoping import Action, Kind, may, role_of
from htxso.core.uploads import store_document
from htxso.core.versions import check_version
from htxso.registry.choices import OrganisationKind
from htxso.registry.models import Organisation

from .. import services as tasks
from ..models import Agency
from .models import (
    ANSWER,
    ConnectionPoint,
    Delegate,
    DelegateKind,
    Edition,
    EditionDocument,
    RaisedBy,
    Recommendation,
    RecState,
    Stage,
    Topic,
)

# Recommendations are taken from the day an edition is announced until this many days after it
# (the forum's conclusions are followed up in the months after).
AFTER_DAYS = 90


def _require(actor: Any, action: str, message: str) -> None:
    if not may(actor, action, Kind.FORUM):
        raise PermissionDenied(message)


def _organise(actor: Any) -> None:
    _require(actor, Action.RELEASE, _("Chỉ Văn phòng Ban Chỉ đạo được tổ chức diễn đàn."))


def _text(errors: dict[str, str], field: str, value: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        errors[field] = message
    return value


@transaction.atomic
def create_edition(
    actor: Any, year: int, theme: str, held_on: dt.date, venue: str, programme: str = ""
) -> Edition:
    """An edition and its connection points, one per province (hosted by default by the
    province's people's committee, which the province's officer may change)."""
    _organise(actor)
    errors: dict[str, str] = {}
    theme = _text(errors, "theme", theme, _("Hãy nhập chủ đề diễn đàn."))
    venue = _text(errors, "venue", venue, _("Hãy nhập điểm cầu chính."))
    if not 2000 <= year <= 2100:
        errors["year"] = _("Năm phải từ 2000 đến 2100.")
    elif Edition.objects.filter(year=year).exists():
        errors["year"] = _("Diễn đàn năm %(y)s đã có.") % {"y": year}
    elif held_on.year != year:
        errors["held_on"] = _("Ngày tổ chức phải trong năm %(y)s.") % {"y": year}
    if errors:
        raise ValidationError(errors)
    edition = Edition.objects.create(
        year=year,
        theme=theme,
        held_on=held_on,
        venue=venue,
        programme=programme.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    ConnectionPoint.objects.bulk_create(
        ConnectionPoint(
            edition=edition, province=p, host=_("Ủy ban nhân dân %(p)s") % {"p": p.name}
        )
        for p in Province.objects.order_by("code")
    )
    record(actor, "create", edition, None, tasks.snap(edition))
    return edition


@transaction.atomic
def add_document(
    actor: Any, edition_id: int, title: str, file: Any, filename: str
) -> EditionDocument:
    _organise(actor)
    edition = Edition.objects.get(pk=edition_id)
    errors: dict[str, str] = {}
    title = _text(errors, "title", title, _("Hãy nhập tên tài liệu."))
    if file is None:
        errors["file"] = _("Hãy chọn tệp tài liệu.")
    if errors:
        raise ValidationError(errors)
    stored = store_document(
        file, filename, upload_to="tasks/forum", max_bytes=settings.TASKS_MAX_FILE_BYTES
    )
    document = EditionDocument.objects.create(
        edition=edition, title=title, file=stored.name, filename=stored.filename
    )
    record(actor, "create", document, None, tasks.snap(document))
    return document


@transaction.atomic
def update_point(
    actor: Any, point_id: int, expected_version: int, host: str, place: str, attendance: int | None
) -> ConnectionPoint:
    """The province's officer keeps its connection point: host, place, the attendance counted."""
    points = ConnectionPoint.objects
    point = (
        (points.all() if actor is None else points.visible_to(actor))
        .select_for_update()
        .get(pk=point_id)
    )
    if not may(actor, Action.EDIT, point):
        raise PermissionDenied(_("Chỉ cán bộ của tỉnh được cập nhật điểm cầu của tỉnh."))
    check_version(point, expected_version)
    errors: dict[str, str] = {}
    host = _text(errors, "host", host, _("Hãy nhập đơn vị chủ trì điểm cầu."))
    if attendance is not None and not 0 <= attendance <= 100_000:
        errors["attendance"] = _("Số người dự phải từ 0 đến 100.000.")
    if errors:
        raise ValidationError(errors)
    before = tasks.snap(point)
    point.host, point.place, point.attendance = host, place.strip(), attendance
    point.version += 1
    point.save()
    record(actor, "update", point, before, tasks.snap(point))
    return point


def organisation_of(actor: Any) -> Organisation | None:
    org_id = getattr(actor, "organisation_id", None)
    return Organisation.objects.filter(pk=org_id).first() if org_id else None


@transaction.atomic
def register_delegate(
    actor: Any, point_id: int, name: str, position: str, unit: str = "", kind: str = ""
) -> Delegate:
    """A delegate at a connection point: the province's officer registers anyone for its point;
    a cooperative's manager registers its own people at its province's point."""
    _require(actor, Action.CREATE, _("Bạn không được đăng ký đại biểu."))
    point = ConnectionPoint.objects.select_related("edition").get(pk=point_id)
    organisation = None
    if role_of(actor) == Role.COOPERATIVE_MANAGER:
        organisation = organisation_of(actor)
        if organisation is None or organisation.province_id != point.province_id:
            raise PermissionDenied(_("Hợp tác xã đăng ký đại biểu tại điểm cầu của tỉnh mình."))
        unit = organisation.name
        kind = (
            DelegateKind.UNION
            if organisation.kind == OrganisationKind.COOPERATIVE_UNION
            else DelegateKind.COOPERATIVE
        )
    elif not may(actor, Action.EDIT, point):
        raise PermissionDenied(_("Chỉ cán bộ của tỉnh được đăng ký đại biểu tại điểm cầu này."))
    errors: dict[str, str] = {}
    name = _text(errors, "name", name, _("Hãy nhập họ và tên đại biểu."))
    unit = _text(errors, "unit", unit, _("Hãy nhập đơn vị của đại biểu."))
    if kind not in DelegateKind.values:
        errors["kind"] = _("Hãy chọn thành phần đại biểu.")
    if point.edition.held_on < tasks.today():
        errors["__all__"] = _("Diễn đàn đã diễn ra; không đăng ký thêm đại biểu.")
    if errors:
        raise ValidationError(errors)
    delegate = Delegate.objects.create(
        point=point,
        name=name,
        position=position.strip(),
        unit=unit,
        kind=kind,
        organisation=organisation,
        registered_by=actor,
    )
    record(actor, "create", delegate, None, tasks.snap(delegate))
    return delegate


def _raiser(actor: Any) -> tuple[str, Organisation | None, str, str | None]:
    """(kind, organisation, name, province) of whoever raises a recommendation."""
    role = role_of(actor)
    if role == Role.COOPERATIVE_MANAGER:
        organisation = organisation_of(actor)
        if organisation is None:
            raise PermissionDenied(_("Tài khoản chưa gắn với hợp tác xã nào."))
        kind = (
            RaisedBy.UNION
            if organisation.kind == OrganisationKind.COOPERATIVE_UNION
            else RaisedBy.COOPERATIVE
        )
        return kind, organisation, organisation.name, organisation.province_id
    if role == Role.PROVINCIAL_OFFICER:
        province = Province.objects.get(pk=actor.province_id)
        return (
            RaisedBy.PROVINCE,
            None,
            _("Ủy ban nhân dân %(p)s") % {"p": province.name},
            province.pk,
        )
    return RaisedBy.SECRETARIAT, None, _("Văn phòng Ban Chỉ đạo"), None


@transaction.atomic
def raise_recommendation(
    actor: Any,
    edition_id: int,
    topic: str,
    title: str,
    difficulty: str,
    proposal: str,
    on: dt.date | None = None,
) -> Recommendation:
    _require(actor, Action.CREATE, _("Bạn không được gửi kiến nghị."))
    edition = Edition.objects.get(pk=edition_id)  # 404
    kind, organisation, name, province = _raiser(actor)
    on = on or tasks.today()
    errors: dict[str, str] = {}
    if topic not in Topic.values:
        errors["topic"] = _("Hãy chọn lĩnh vực của kiến nghị.")
    title = _text(errors, "title", title, _("Hãy tóm tắt kiến nghị."))
    difficulty = _text(errors, "difficulty", difficulty, _("Hãy nêu khó khăn, vướng mắc."))
    proposal = _text(errors, "proposal", proposal, _("Hãy nêu đề xuất, kiến nghị."))
    if (on - edition.held_on).days > AFTER_DAYS:
        errors["__all__"] = _(
            "Diễn đàn năm %(y)s chỉ nhận kiến nghị đến %(d)s (%(n)s ngày sau diễn đàn)."
        ) % {
            "y": edition.year,
            "d": (edition.held_on + dt.timedelta(days=AFTER_DAYS)).strftime("%d/%m/%Y"),
            "n": AFTER_DAYS,
        }
    if errors:
        raise ValidationError(errors)
    found = Recommendation.objects.create(
        edition=edition,
        topic=topic,
        title=title,
        difficulty=difficulty,
        proposal=proposal,
        raised_by=actor,
        raiser_kind=kind,
        organisation=organisation,
        raiser_name=name,
        province_id=province,
        stage=Stage.BEFORE if on <= edition.held_on else Stage.AFTER,
        raised_on=on,
    )
    record(actor, "create", found, None, tasks.snap(found))
    return found


def _locked(actor: Any, pk: int) -> Recommendation:
    """The recommendation `actor` sees (the system, None: any), locked; 404 otherwise."""
    seen = (
        Recommendation.objects.all() if actor is None else Recommendation.objects.visible_to(actor)
    )
    # `of=self`: the scope's path through the agency is an outer join, which PostgreSQL will
    # not lock (and need not: the recommendation's row is what the version guards).
    return seen.select_for_update(of=("self",)).get(pk=pk)


def _save(actor: Any, found: Recommendation, before: dict, *fields: str) -> Recommendation:
    found.version += 1
    found.save(update_fields=[*fields, "version", "updated_at"])
    record(actor, "update", found, before, tasks.snap(found))
    return found


@transaction.atomic
def route(actor: Any, pk: int, expected_version: int, agency_id: int) -> Recommendation:
    """The secretariat sends a recommendation to the competent agency (again, while unanswered)."""
    found = _locked(actor, pk)  # 404 outside one's view, then 403, then 409
    _organise(actor)
    check_version(found, expected_version)
    if found.state == RecState.ANSWERED:
        raise ValidationError(_("Kiến nghị đã được trả lời."))
    agency = Agency.objects.filter(pk=agency_id).first()
    if agency is None:
        raise ValidationError({"agency": _("Không có cơ quan này.")})
    before = tasks.snap(found)
    found.agency, found.state = agency, RecState.ROUTED
    return _save(actor, found, before, "agency", "state")


@transaction.atomic
def answer(
    actor: Any, pk: int, expected_version: int, text: str, public: bool = True
) -> Recommendation:
    """The competent agency's answer (its province's officer, or the secretariat for it)."""
    found = _locked(actor, pk)
    if not may(actor, Action.REVIEW, found, scope=ANSWER):
        raise PermissionDenied(_("Chỉ cơ quan được phân công mới trả lời kiến nghị này."))
    check_version(found, expected_version)
    if found.state == RecState.SUBMITTED:
        raise ValidationError(_("Kiến nghị chưa được phân công cơ quan trả lời."))
    if found.state == RecState.ANSWERED:
        raise ValidationError(_("Kiến nghị đã được trả lời."))
    errors: dict[str, str] = {}
    text = _text(errors, "answer", text, _("Hãy nhập nội dung trả lời."))
    if errors:
        raise ValidationError(errors)
    before = tasks.snap(found)
    found.answer, found.public, found.state = text, public, RecState.ANSWERED
    found.answered_by, found.answered_on = actor, tasks.today()
    return _save(actor, found, before, "answer", "public", "state", "answered_by", "answered_on")


def _follow_up(actor: Any, edition: Edition) -> int:
    """The directive the edition's follow-up tasks hang on, made the first time it is needed."""
    if edition.directive_id is None:
        directive = tasks.create_directive(
            actor,
            f"KN-DĐ-{edition.year}",
            tasks.today(),
            _("Ban Chỉ đạo"),
            _("Xử lý kiến nghị tại Diễn đàn Kinh tế hợp tác, hợp tác xã năm %(y)s")
            % {"y": edition.year},
        )
        Edition.objects.filter(pk=edition.pk).update(directive=directive)
        edition.directive = directive
    assert edition.directive_id is not None
    return edition.directive_id


@transaction.atomic
def to_task(
    actor: Any, pk: int, expected_version: int, due_on: dt.date | None, title: str = ""
) -> Recommendation:
    """One action: the recommendation becomes a task given to its agency, under the edition's
    follow-up directive; the raiser then follows the task's progress on the recommendation."""
    found = _locked(actor, pk)  # 404 outside one's view, then 403, then 409
    _organise(actor)
    check_version(found, expected_version)
    if found.task_id is not None:
        raise ValidationError(_("Kiến nghị đã được giao thành nhiệm vụ."))
    if found.agency_id is None:
        raise ValidationError(_("Hãy phân công cơ quan trả lời trước khi giao nhiệm vụ."))
    if due_on is None or due_on < tasks.today():
        raise ValidationError({"due_on": _("Hạn xử lý phải từ hôm nay trở đi.")})
    edition = Edition.objects.select_for_update().get(pk=found.edition_id)
    task = tasks.create_task(
        actor,
        _follow_up(actor, edition),
        (title or "").strip() or found.title,
        found.agency_id,
        due_on=due_on,
        expected_output=(_("Trả lời và xử lý kiến nghị của %(n)s") % {"n": found.raiser_name})[
            :500
        ],
    )
    before = tasks.snap(found)
    found.task = task
    return _save(actor, found, before, "task")

"""After the province's review, its round's results go to the centre (by 21/12, the rule set's
`deadlines.province`): a province's officer sends them once no classification of the year
waits for review; central officers receive them or return them with a reason (the province
may then decide again and send again). The results as sent (grades, excluded, begun but never
submitted) are kept on the `ProvinceRound`; a late sending is allowed and marked late.

While the results are sent or received the province's round of that year is closed: no
submission, adjustment, return or approval (`require_open`, called by the services). The two
sides are serialised on the province's row: the round's steps share it (FOR SHARE), sending
takes it alone (FOR NO KEY UPDATE: foreign keys to the province are not blocked), so nothing
is decided between the check that nothing waits and the sending."""

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from htxso.core.audit import record, snapshot
from htxso.core.models import Province
from htxso.core.scoping import Action, may
from htxso.core.versions import check_version

from .models import (
    CLOSED,
    Classification,
    ClassificationStatus,
    ProvinceRound,
    RoundStatus,
    RuleSetKind,
)

Status = ClassificationStatus


def _share_province(province_id: str) -> None:
    """The round's steps hold the province's row shared until they commit (PostgreSQL; SQLite
    serialises writers anyway)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM core_province WHERE code = %s FOR SHARE", [province_id])


def require_open(province_id: str, year: int) -> None:
    """Refuse a step of a round whose results are with the centre."""
    _share_province(province_id)
    closed = ProvinceRound.objects.filter(province_id=province_id, year=year, status__in=CLOSED)
    if closed.exists():
        raise ValidationError(
            _(
                "Kết quả phân loại năm %(year)s của tỉnh đã gửi trung ương: không nộp, điều "
                "chỉnh hay duyệt được nữa (trừ khi trung ương trả lại)."
            )
            % {"year": year}
        )


def figures(province_id: str, year: int) -> dict[str, int]:
    """The province's results of `year`: approved per grade, excluded, begun but not decided
    (drafts and returned ones), waiting for review, and the total decided."""
    rows = (
        Classification.objects.filter(province_id=province_id, year=year)
        .values_list("status", "grade")
        .annotate(n=Count("id"))
    )
    out: Counter = Counter()
    for status, grade, n in rows:
        if status == Status.APPROVED:
            out[grade] += n
            out["decided"] += n
        elif status == Status.EXCLUDED:
            out["excluded"] += n
            out["decided"] += n
        elif status == Status.SUBMITTED:
            out["waiting"] += n
        else:
            out["pending"] += n
    return dict(out)


def due(year: int) -> dt.date:
    from .services import deadline, rule_set_for

    return deadline(rule_set_for(RuleSetKind.CLASSIFICATION, year), year, "province")


@transaction.atomic
def send(actor: Any, province_id: str, year: int, today: dt.date | None = None) -> ProvinceRound:
    """The province's results of `year` to the centre."""
    if not may(actor, Action.CREATE, ProvinceRound(province_id=province_id, year=year)):
        raise PermissionDenied(_("Bạn không được gửi kết quả phân loại của tỉnh/thành phố này."))
    Province.objects.select_for_update(no_key=True).filter(pk=province_id).first()
    row = ProvinceRound.objects.select_for_update().filter(province_id=province_id, year=year)
    existing = row.first()
    if existing is not None and existing.status in CLOSED:
        raise ValidationError(
            _("Kết quả phân loại năm %(year)s đã gửi trung ương.") % {"year": year}
        )
    counts = figures(province_id, year)
    if counts.get("waiting"):
        raise ValidationError(
            _("Còn %(n)s bản phân loại chờ duyệt: hãy duyệt hoặc trả lại trước khi gửi.")
            % {"n": counts["waiting"]}
        )
    if not counts.get("decided"):
        raise ValidationError(_("Chưa có bản phân loại nào được duyệt để gửi trung ương."))
    day = today or timezone.localdate()
    now, by = timezone.now(), getattr(actor, "pk", None)
    before = snapshot(existing) if existing is not None else None
    sent = existing or ProvinceRound(province_id=province_id, year=year)
    sent.status, sent.counts, sent.late = RoundStatus.SENT, counts, day > due(year)
    sent.sent_at, sent.sent_by_id = now, by
    sent.received_at, sent.received_by_id, sent.return_reason = None, None, ""
    if existing is not None:
        sent.version += 1
    sent.save()
    record(actor, "send", sent, before, snapshot(sent))
    return sent


def _reviewed(actor: Any, pk: int, version: int) -> ProvinceRound:
    if actor is not None and not ProvinceRound.objects.visible_to(actor).filter(pk=pk).exists():
        raise ProvinceRound.DoesNotExist
    row = ProvinceRound.objects.select_for_update().get(pk=pk)
    if not may(actor, Action.REVIEW, row):
        raise PermissionDenied(_("Chỉ cán bộ trung ương tiếp nhận kết quả phân loại của tỉnh."))
    check_version(row, version)
    if row.status != RoundStatus.SENT:
        raise ValidationError(_("Chỉ tiếp nhận hoặc trả lại được kết quả tỉnh đã gửi."))
    return row


@transaction.atomic
def receive(actor: Any, pk: int, version: int) -> ProvinceRound:
    """A central officer receives the province's results."""
    row = _reviewed(actor, pk, version)
    before = snapshot(row)
    row.status, row.received_at = RoundStatus.RECEIVED, timezone.now()
    row.received_by_id, row.version = getattr(actor, "pk", None), row.version + 1
    row.save()
    record(actor, "receive", row, before, snapshot(row))
    return row


@transaction.atomic
def send_back(actor: Any, pk: int, version: int, reason: str) -> ProvinceRound:
    """A central officer returns the results to the province (a reason required): the round
    reopens for the province's review and a new sending."""
    row = _reviewed(actor, pk, version)
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Hãy ghi lý do trả lại tỉnh.")})
    before = snapshot(row)
    row.status, row.return_reason = RoundStatus.RETURNED, reason.strip()
    row.version += 1
    row.save()
    record(actor, "return", row, before, snapshot(row))
    return row

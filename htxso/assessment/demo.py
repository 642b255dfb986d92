"""Demo data of the assessment, so `make demo` shows trends: five past years of approved
classification rounds for the cooperatives and unions (written in bulk as an import of past
rounds would be, the grades improving slowly, the tallies and the registry's current grade
kept as the services keep them), the running year's round in Thái Nguyên (19) in every state
through the services, and the demo adviser (`tuvan`) assigned to a few cooperatives there with
two DX assessments each a year apart, their plans and a visit. Never run on a real system."""

import datetime as dt
import random
from collections import Counter
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from htxso.core.models import User
from htxso.core.pdf import FAMILY, document
from htxso.core.roles import Role
from htxso.registry import services as registry
from htxso.registry.models import Organisation

from . import advice, evidence, rules, services, stamps
from .models import (
    Classification,
    ClassificationStatus,
    DxAssessment,
    GradeTally,
    ProvinceRound,
    RoundStatus,
    RuleSetKind,
)

YEARS = 5


def _scores(rng: random.Random, d: dict[str, Any], level: float) -> dict[str, int]:
    """Scores near `level` (0..1) of each criterion's maximum."""
    return {
        k["code"]: max(0, min(k["max"], round(k["max"] * (level + rng.uniform(-0.25, 0.25)))))
        for k in d["criteria"]
    }


def _history(rng: random.Random, organisations: list[tuple[int, str, dt.date]], now: int) -> int:
    rule_set = services.rule_set_for(RuleSetKind.CLASSIFICATION, now - 1)
    d = rule_set.definition
    rows: list[Classification] = []
    tally: Counter = Counter()
    latest: dict[int, str] = {}
    at = timezone.now()
    made = 0
    for pk, province, founded in organisations:
        base = rng.uniform(0.35, 0.85)
        for i, year in enumerate(range(now - YEARS, now)):
            if founded > dt.date(year - 1, 12, 31):
                continue  # younger than 12 months at the year's end: not classified
            scores = _scores(rng, d, min(0.95, base + 0.02 * i))
            total = sum(scores.values())
            grade = rules.grade_of(d, total)
            rows.append(
                Classification(
                    organisation_id=pk,
                    province_id=province,
                    year=year,
                    rule_set=rule_set,
                    status=ClassificationStatus.APPROVED,
                    scores=scores,
                    total=total,
                    grade=grade,
                    submitted_at=at,
                    decided_at=at,
                )
            )
            tally[(year, province, grade)] += 1
            latest[pk] = grade
        if len(rows) >= 50_000:  # national scale: a million rows, written as they come
            made += len(Classification.objects.bulk_create(rows, batch_size=5000))
            rows = []
    made += len(Classification.objects.bulk_create(rows, batch_size=5000))
    GradeTally.objects.bulk_create(
        GradeTally(year=y, province_id=p, grade=g, count=n) for (y, p, g), n in tally.items()
    )
    registry.set_classifications(None, latest)
    # Every past round went to the centre on time and was received.
    sent: dict[tuple[int, str], dict[str, int]] = {}
    for (year, province, grade), n in tally.items():
        counts = sent.setdefault((year, province), {"decided": 0})
        counts[grade] = n
        counts["decided"] += n
    ProvinceRound.objects.bulk_create(
        ProvinceRound(
            province_id=province,
            year=year,
            status=RoundStatus.RECEIVED,
            counts=counts,
            sent_at=at,
            received_at=at,
        )
        for (year, province), counts in sent.items()
    )
    stamps.bump(p for _y, p, _g in tally)
    return made


def _report(name: str, year: int) -> bytes:
    """A one-page PDF standing in for a cooperative's financial statement."""
    pdf = document()
    pdf.add_page()
    pdf.set_font(FAMILY, size=14)
    pdf.multi_cell(0, 8, f"{name}\nBáo cáo tài chính năm {year} (dữ liệu mẫu)")
    return bytes(pdf.output())


def _this_round(rng: random.Random, now: int, today: dt.date) -> None:
    """The running year's round in Thái Nguyên: drafts, submitted, returned, approved."""
    round_day = min(today, dt.date(now, 12, 14))
    organisations = list(
        Organisation.objects.filter(
            province_id="19", kind__in=("cooperative", "cooperative_union"), status="active"
        ).order_by("id")[:40]
    )
    manager = User.objects.filter(username="quanly.htx").first()
    if manager is not None and manager.organisation_id:
        mine = Organisation.objects.filter(pk=manager.organisation_id).first()
        if mine is not None and mine not in organisations:
            organisations.insert(0, mine)
    for i, org in enumerate(organisations):
        c = services.start(None, org.pk, now, today=round_day)
        if i == 0:
            continue  # the demo manager's own: a draft to finish
        c = services.save_scores(None, c.pk, c.version, _scores(rng, c.rule_set.definition, 0.7))
        if i % 5 == 1:
            continue  # still a draft
        if i % 5 in (3, 4):  # evidence the province reads in review
            c = evidence.attach(
                None, c.pk, c.version, "c01", ContentFile(_report(org.name, now)), "bao-cao.pdf"
            ).classification
        c = services.submit(None, c.pk, c.version, today=round_day)
        if i % 5 == 2:
            services.return_to_manager(None, c.pk, c.version, "Thiếu minh chứng tiêu chí 8.")
        elif i % 5 == 3:
            services.approve(None, c.pk, c.version)


def _advice(rng: random.Random, today: dt.date) -> None:
    adviser = User.objects.filter(role=Role.ALLIANCE_ADVISER, username="tuvan").first()
    if adviser is None:
        return
    organisations = Organisation.objects.filter(
        province_id="19", kind="cooperative", status="active"
    ).order_by("-id")[:8]  # not the round's first 40 (ordered by id) when the province is large
    d = services.rule_set_for(RuleSetKind.DX, today.year).definition
    for org in organisations:
        advice.assign(None, org.pk, adviser.pk, since=today - dt.timedelta(days=420))
        base = rng.randint(0, 2)
        first = advice.assess(
            None,
            org.pk,
            {
                q["code"]: min(5, base + rng.randint(0, 2))
                for p in d["pillars"]
                for q in p["questions"]
            },
            assessed_on=today - dt.timedelta(days=380),
        )
        actions = list(first.actions.order_by("id"))
        advice.record_visit(
            None,
            first.pk,
            today - dt.timedelta(days=200),
            "Đã hướng dẫn mở sổ bán hàng điện tử và tài khoản nhận thanh toán QR.",
            today - dt.timedelta(days=20),
            [a.pk for a in actions[: len(actions) // 2]],
        )
        advice.assess(
            None,
            org.pk,
            {
                q["code"]: min(5, base + 1 + rng.randint(0, 2))
                for p in d["pillars"]
                for q in p["questions"]
            },
            assessed_on=today - dt.timedelta(days=15),
        )


@transaction.atomic
def create_demo_assessments(seed: int = 1) -> int:
    """Safe to run again: nothing is made when classifications exist."""
    if Classification.objects.exists() or DxAssessment.objects.exists():
        return 0
    rng = random.Random(seed)
    today = timezone.localdate()
    organisations = list(
        Organisation.objects.filter(kind__in=("cooperative", "cooperative_union"))
        .exclude(status__in=("dissolved", "bankrupt"))
        .order_by("id")
        .values_list("pk", "province_id", "established_on")
    )
    made = _history(rng, organisations, today.year)
    _this_round(rng, today.year, today)
    _advice(rng, today)
    return made

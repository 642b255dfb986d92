"""`make demo`'s data step (`htxso demo_data`): today's national counts in the plan, and a demo
whose past periods are released as an install would, so that an anonymous visitor sees figures.

The national scale itself is only planned here (in memory), never written: the command runs on
a small registry of a few dozen organisations.
"""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from htxso.core.models import AuditEntry
from htxso.registry.choices import CLOSED_STATUSES, OrganisationKind
from htxso.registry.generator import SCALES, Generator
from htxso.registry.generator.base import OFFICIAL_2024
from htxso.registry.models import Organisation
from htxso.reporting import services
from htxso.reporting.models import Release, Report, released_periods
from htxso.reporting.periods import Period

SMALL = ["--scale", "demo", "--cooperatives", "40", "--groups", "30", "--unions", "2",
         "--households", "5", "--memberships", "600", "--years", "3"]  # fmt: skip


def run(*arguments: str) -> str:
    out = io.StringIO()
    call_command(*arguments, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _body(response) -> bytes:
    return b"".join(c if isinstance(c, bytes) else c.encode() for c in response.streaming_content)


def ended_periods() -> set[str]:
    """What the demo should have released today: the last three years (the history generated)
    and the ended half-year of the running year, if any."""
    today = timezone.localdate()
    wanted = {str(year) for year in range(today.year - 3, today.year)}
    if today > dt.date(today.year, 6, 30):
        wanted.add(f"{today.year}S1")
    return wanted


# -- the national plan ---------------------------------------------------------------------


def test_the_national_scale_plans_the_official_counts(db):
    scale = SCALES["national"]
    assert OFFICIAL_2024["cooperatives"] == 33_335
    assert OFFICIAL_2024["groups"] == 63_650
    assert OFFICIAL_2024["unions"] == 152
    orgs = Generator(scale, 1).plan()
    by_kind: dict[str, int] = {}
    for org in orgs:
        by_kind[org.kind] = by_kind.get(org.kind, 0) + 1
    assert by_kind == {
        OrganisationKind.COOPERATIVE: scale.cooperatives,
        OrganisationKind.COOPERATIVE_GROUP: scale.groups,
        OrganisationKind.COOPERATIVE_UNION: scale.unions,
        OrganisationKind.HOUSEHOLD_BUSINESS: scale.households,
    }
    # What still exists at the end of 2024 is the official count (within 3 %, 5 % for the
    # 152 unions): the dashboard's national cards read like the country.
    end = dt.date(2024, 12, 31)
    closed = {str(s) for s in CLOSED_STATUSES}
    existing: dict[str, int] = {}
    for org in orgs:
        if org.established <= end and not (org.status in closed and org.status_since <= end):
            existing[org.kind] = existing.get(org.kind, 0) + 1
    for kind, official, tolerance in (
        (OrganisationKind.COOPERATIVE, OFFICIAL_2024["cooperatives"], 0.03),
        (OrganisationKind.COOPERATIVE_GROUP, OFFICIAL_2024["groups"], 0.03),
        (OrganisationKind.COOPERATIVE_UNION, OFFICIAL_2024["unions"], 0.05),
    ):
        assert abs(existing[kind] - official) <= tolerance * official, (kind, existing[kind])
    assert len({o.province for o in orgs}) == 34  # spread over every province
    # People and memberships are a sample, not the 6.7 million of the official count.
    assert scale.memberships <= sum(o.members for o in orgs) < 1.01 * scale.memberships
    assert scale.memberships < OFFICIAL_2024["cooperative_members"] / 5


def test_the_generate_command_takes_other_counts_and_refuses_bad_ones(db):
    output = run("generate", "--scale", "demo", "--cooperatives", "12", "--groups", "3",
                 "--unions", "0", "--households", "1", "--memberships", "90")  # fmt: skip
    assert output.startswith("Đã sinh 16 tổ chức")
    assert Organisation.objects.filter(kind=OrganisationKind.COOPERATIVE).count() == 12
    for bad in ("-1", "nhiều"):
        with pytest.raises(CommandError, match="không phải số nguyên không âm"):
            run("generate", "--scale", "demo", "--replace", "--groups", bad)
    assert Organisation.objects.count() == 16  # nothing written by a refused run


# -- the demo command: releases, and what the public sees -------------------------------------


def test_the_demo_releases_the_past_periods_and_the_public_sees_figures(db, client):
    output = run("demo_data", *SMALL)
    assert "Đã công bố" in output
    assert released_periods() >= ended_periods()
    assert {r.period for r in Release.objects.all()} == ended_periods()
    assert all(r.released_by_id is None for r in Release.objects.all())  # the system
    assert AuditEntry.objects.filter(action="release").count() == len(ended_periods())

    response = client.get(reverse("statistics:dashboard"))  # anonymous
    assert response.status_code == 200
    data = response.context["data"]
    assert data["live"] is False
    headline = {(h["code"], h["kind"]): h for h in data["headline"]}
    for key in (("organisations", "_T"), ("members", "_T"), ("revenue", "_T")):
        assert headline[key]["value"], key
    assert all(card["value"] is not None for card in data["cards"])
    assert data["map"]["values"], "the map is coloured"
    years = next(t for t in data["trends"] if t["id"] == "trend-business")["periods"]
    this_year = timezone.localdate().year
    assert years == [str(y) for y in range(this_year - 3, this_year)]

    csv_rows = _body(client.get(reverse("statistics:sdmx-csv"))).decode().splitlines()
    assert len(csv_rows) > 100
    assert any("revenue" in row for row in csv_rows[1:])
    book = load_workbook(io.BytesIO(_body(client.get(reverse("statistics:export-xlsx")))))
    assert book.active.max_row > 100


def test_a_second_demo_run_regenerates_nothing_and_releases_nothing(db):
    run("demo_data", *SMALL)
    counts = (Organisation.objects.count(), Report.objects.count(), Release.objects.count())
    output = run("demo_data", *SMALL)
    assert "bỏ qua" in output
    assert "Không có kỳ nào cần công bố thêm" in output
    assert (Organisation.objects.count(), Report.objects.count(), Release.objects.count()) == counts


# -- releasing: who may, and what is refused ---------------------------------------------------


def test_release_past_is_for_the_national_roles(db, public_user, officer_19):
    for user in (public_user, officer_19):
        with pytest.raises(PermissionDenied):
            services.release_past(user)
    assert not Release.objects.exists()


def test_the_release_command_refuses_what_it_cannot_release(db):
    with pytest.raises(CommandError, match="Hãy nêu kỳ cần công bố"):
        run("release")
    running = Period.containing(timezone.localdate(), "year").code
    with pytest.raises(CommandError, match="Chỉ công bố được kỳ đã kết thúc"):
        run("release", running)
    with pytest.raises(CommandError, match="không hợp lệ"):
        run("release", "năm ngoái")
    last = str(timezone.localdate().year - 1)
    with pytest.raises(CommandError, match="Chỉ công bố được kỳ đã kết thúc"):
        run("release", last, running)  # all or nothing
    assert not Release.objects.exists()
    assert run("release", last).startswith("Đã công bố 1 kỳ")
    with pytest.raises(CommandError, match="đã được công bố"):
        run("release", last)
    assert list(Release.objects.values_list("period", flat=True)) == [last]

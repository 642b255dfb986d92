"""The member import's two lanes give the same answer: for a file the set-wise lane (PostgreSQL,
UTF-8 CSV) reads, the report — every finding, in order — and what lands are those of the
row-by-row lane. Files are built to hit every rule, every cell parser and the odd cells the
set-wise lane must hand over to Python (stray spaces, decomposed accents, blank rows)."""

import contextlib
import datetime as dt
import unicodedata
from typing import Any

import pytest
from django.db import connection, transaction

from htxso.core.cccd import FEMALE
from htxso.exchange import importers, members, setwise
from htxso.exchange.layouts import MEMBER_LAYOUT
from htxso.exchange.tests.test_importers import (
    ROW_ERRORS,
    csv_bytes,
    make_job,
    member,
    table,
)
from htxso.registry import services
from htxso.registry.models import Membership, Person
from htxso.registry.tests.factories import (
    CooperativeGroupFactory,
    OrganisationFactory,
    PersonFactory,
    valid_cccd,
)
from htxso.registry.writes import imports as services_imports

pytestmark = [
    pytest.mark.usefixtures("media"),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="the set-wise lane runs on PostgreSQL"
    ),
]


@pytest.fixture
def org(db):
    return OrganisationFactory()


@pytest.fixture
def lanes(monkeypatch):
    """Counts the rows the set-wise lane vouched for and the files it gave back whole."""
    seen = {"clean": 0, "others": 0, "fallbacks": 0}
    stage_clean, copy_raw = setwise.Lane._stage_clean, setwise._copy_raw

    def spy_stage(self):
        clean, others = stage_clean(self)
        seen["clean"] += clean
        seen["others"] += others
        return clean, others

    def spy_copy(*args):
        done = copy_raw(*args)
        seen["fallbacks"] += not done
        return done

    monkeypatch.setattr(setwise.Lane, "_stage_clean", spy_stage)
    monkeypatch.setattr(setwise, "_copy_raw", spy_copy)
    return seen


def stored_memberships() -> list[tuple]:
    return sorted(
        Membership.objects.values_list(
            "person__cccd",
            "organisation_id",
            "kind",
            "joined_on",
            "left_on",
            "capital_contributed",
            "province_id",
        )
    )


def outcome(data: bytes, actor, commit: bool, set_wise: bool, monkeypatch, strategy="upsert"):
    """(report as plain data, people and memberships after) of one run, rolled back."""
    monkeypatch.setattr(members, "SETWISE", set_wise)
    job = make_job("members", data, actor, strategy)
    with transaction.atomic():
        report = importers.run(job, commit=commit)
        people = sorted(Person.objects.values_list("cccd", *services.PERSON_IMPORT_FIELDS))
        memberships = stored_memberships()
        transaction.set_rollback(True)
    findings = [(f.row, f.column, f.value, f.message, f.severity) for f in report.findings]
    summary = (report.rows, report.total, report.error_rows, report.summary)
    return findings, summary, people, memberships


def both(data: bytes, actor, monkeypatch, commit=True, strategy="upsert"):
    slow = outcome(data, actor, commit, False, monkeypatch, strategy)
    fast = outcome(data, actor, commit, True, monkeypatch, strategy)
    assert fast[0] == slow[0]  # findings, in order
    assert fast[1] == slow[1]  # rows, totals, summary
    assert fast[2:] == slow[2:]  # what landed
    return fast


def odd_but_valid_rows(org) -> list[dict]:
    """Rows the row-by-row lane accepts, many of them only after its parsers tidy a cell."""
    group: Any = CooperativeGroupFactory()  # no tax code: found by its HTX Số id
    existing = PersonFactory()
    other: Any = OrganisationFactory()
    shared = member(org)
    name = "Trần Thị Ánh Tuyết"
    return [
        member(org),
        member(org, full_name="  Lê   Văn   Khoảng  "),  # spaces tidied
        member(org, full_name=unicodedata.normalize("NFD", name)),  # decomposed accents
        member(org, street=" Xóm\u00a0Núi "),
        member(org, phone=" 0912 345 678 ", email="An.Nguyen@Example.vn"),
        member(org, capital_contributed="20000000"),
        member(org, capital_contributed="20,000,000 đ"),
        member(org, capital_contributed=""),
        member(org, joined_on="2020-06-01", birth_date="1/5/1980"),
        member(org, birth_date="", gender=""),
        member(org, sex=FEMALE, born=1992, gender="nu"),
        member(org, member_kind="associate_capital"),
        member(org, member_kind="Thành viên liên kết không góp vốn", capital_contributed="0"),
        member(None, organisation_id=str(group.pk)),
        member(org, cccd=f" {valid_cccd('male', 1975)} ", born=1975, birth_date="02/03/1975"),
        member(
            org,
            province="Tỉnh Thái Nguyên",
            legacy_district="Thành phố Thái Nguyên",
            commune="Xã Tân Cương",
        ),
        member(org, province="", commune="", street=""),
        member(org, cccd=existing.cccd, full_name=existing.full_name, birth_date=""),
        shared,
        member(other, cccd=shared["cccd"], full_name=shared["full_name"]),
        member(org, email=""),
        member(org, left_on="31/12/2022"),  # history
        dict(shared, joined_on="01/06/2016", left_on="2018-12-31"),  # left, then rejoined
    ]


def test_odd_but_valid_rows_land_the_same(org, officer_19, monkeypatch, lanes):
    data = csv_bytes(table(MEMBER_LAYOUT, odd_but_valid_rows(org)))
    findings, summary, people, memberships = both(data, officer_19, monkeypatch)
    assert [f for f in findings if f[4] == "error"] == []
    assert len(memberships) == 23 and summary[0] == 23
    assert len(people) == 21  # one person in two organisations; one already registered
    assert lanes["fallbacks"] == 0
    # Spaces in a name, a street, a phone and a CCCD, and decomposed accents go row by row;
    # the rest — formats of amounts, dates, codes, legacy addresses — were proved in SQL.
    assert (lanes["clean"], lanes["others"]) == (18, 5)


def test_every_row_error_is_reported_the_same(org, officer_19, monkeypatch, lanes):
    rows = [member(org)]
    for overrides, *_expected in ROW_ERRORS.values():
        rows += [member(org, **overrides(org)), member(org)]
    rows += [
        member(org, full_name="Nguyễn " + "Văn " * 30 + "Dài"),  # over 120 characters
        member(org, phone="0912345678 máy lẻ 1234"),  # over 20 characters
        member(org, joined_on=(dt.date.today() + dt.timedelta(days=3)).strftime("%d/%m/%Y")),
        member(org, joined_on="01/01/2000"),  # before the organisation was founded
        member(org, born=2004, birth_date="01/01/2004", joined_on="31/12/2021"),  # 17
        member(org, birth_date="15/05/1981"),  # not the CCCD's year
        member(org, gender="Nữ"),  # not the CCCD's gender
        member(org, joined_on="31/02/2021"),
        member(org, left_on="31/05/2020"),  # before joining
        member(org, left_on="01/01/2999"),
        member(org, left_on="sáu tháng"),
        member(org, cccd="001985000001", born=1985),  # a legacy province code that exists
        member(org, cccd="099985000001"),  # one that does not
        member(org, cccd="019985000001", gender=""),  # 1985 male, birth date says 1980
        member(
            org,
            province="Tỉnh Thái Nguyên",
            legacy_district="Huyện Không Có",
            commune="Xã Tân Cương",
        ),
    ]
    data = csv_bytes(table(MEMBER_LAYOUT, rows))
    findings, summary, _people, _memberships = both(data, officer_19, monkeypatch, commit=False)
    assert summary[2] >= len(ROW_ERRORS) + 10  # every bad row was found
    assert len({f[0] for f in findings if f[4] == "error"}) == summary[2]
    assert lanes["fallbacks"] == 0 and lanes["clean"] >= len(ROW_ERRORS)


def test_duplicates_and_blank_rows_are_reported_the_same(org, officer_19, monkeypatch, lanes):
    first = member(org)
    rows = [first, member(org), dict(first, phone="0900000000")]
    rows.append(member(OrganisationFactory(), cccd=first["cccd"], full_name="Lê Văn Khác"))
    cells = table(MEMBER_LAYOUT, rows)
    width = len(cells[0])
    cells.insert(2, [""] * width)  # a blank row keeps its number
    cells.insert(4, ["\u00a0"] + [""] * (width - 1))  # blank to Python, not to SQL
    findings, summary, *_ = both(csv_bytes(cells), officer_19, monkeypatch, commit=False)
    assert [f[0] for f in findings if f[4] == "error"] == [6, 7]
    assert summary[0] == 4
    assert lanes["fallbacks"] == 0


def test_strategies_and_reimport_are_the_same(org, officer_19, monkeypatch):
    rows = [member(org), member(org)]
    data = csv_bytes(table(MEMBER_LAYOUT, rows))
    importers.run(make_job("members", data, officer_19), commit=True)
    rows[0]["phone"] = "0987654321"
    rows.append(member(org))
    changed = csv_bytes(table(MEMBER_LAYOUT, rows))
    for strategy in ("create", "update", "upsert"):
        both(changed, officer_19, monkeypatch, strategy=strategy)


def test_many_legacy_addresses_past_the_cap_are_counted(org, officer_19, monkeypatch, settings):
    settings.IMPORT_MAX_ISSUES = 3
    legacy = {
        "province": "Tỉnh Thái Nguyên",
        "legacy_district": "Thành phố Thái Nguyên",
        "commune": "Xã Tân Cương",
    }
    rows = [member(org, **legacy) for _ in range(6)]
    rows.insert(3, member(org, cccd="1"))
    findings, summary, *_ = both(csv_bytes(table(MEMBER_LAYOUT, rows)), officer_19, monkeypatch)
    assert len(findings) == 3 and summary[1] == 7  # 6 conversions and 1 error counted


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text.replace("\r\n", "\n", 2),  # mixed line ends
        lambda text: text + "lẻ,loi\r\n",  # a ragged row
        lambda text: text + "\\.\r\n" + text.split("\r\n", 1)[1],  # COPY's end-of-data mark
    ],
    ids=["mixed line ends", "ragged row", "end-of-data mark"],
)
def test_files_copy_cannot_read_like_python_go_row_by_row(
    org, officer_19, monkeypatch, lanes, damage
):
    text = csv_bytes(table(MEMBER_LAYOUT, [member(org), member(org)])).decode("utf-8-sig")
    data = damage(text).encode("utf-8-sig")
    both(data, officer_19, monkeypatch, commit=False)
    assert lanes["fallbacks"] == 1 and lanes["clean"] == 0


def test_semicolon_files_and_unknown_columns(org, officer_19, monkeypatch, lanes):
    cells = table(MEMBER_LAYOUT, [member(org), member(org)], extra={"Ghi chú": ["a", "b"]})
    text = "\r\n".join(";".join(row) for row in cells) + "\r\n"
    both(text.encode(), officer_19, monkeypatch)
    assert lanes["clean"] == 2


def test_the_lane_leaves_no_temporary_table(org, officer_19, monkeypatch):
    outcome(csv_bytes(table(MEMBER_LAYOUT, [member(org)])), officer_19, False, True, monkeypatch)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_class WHERE relpersistence IN ('t', 'u') "
            "AND relname LIKE 'member%%'"
        )
        assert cursor.fetchall() == []


def test_a_large_import_rebuilds_the_member_tables_indexes(org, officer_19, monkeypatch, settings):
    """The rebuild itself is tried in core/tests/test_bulk.py, on tables of its own."""
    rebuilt = []

    @contextlib.contextmanager
    def spy(*tables):
        rebuilt.append(tables)
        yield

    monkeypatch.setattr(services.bulk_writes, "indexes_rebuilt", spy)
    rows = odd_but_valid_rows(org)
    data = csv_bytes(table(MEMBER_LAYOUT, rows))
    settings.IMPORT_REBUILD_ROWS = len(rows) + 1
    outcome(data, officer_19, True, True, monkeypatch)
    assert rebuilt == []
    settings.IMPORT_REBUILD_ROWS = len(rows)  # a national load, at this file's scale
    importers.run(make_job("members", data, officer_19), commit=True)
    assert rebuilt == [("registry_person", "registry_membership")]
    assert Membership.objects.count() == len(rows)


def test_a_first_load_takes_ids_in_file_order(org, officer_19, monkeypatch, settings):
    """A national first load (every person new, indexes rebuilt) gives the ids itself instead of
    drawing and sorting them: the same people and memberships land as on the ordinary path, each
    membership with its own person, ids in file order, and the sequences move past them."""
    other: Any = OrganisationFactory()
    shared, again = member(org), member(org)
    rows = [
        member(org),
        shared,
        member(org, left_on="31/12/2022"),
        member(other, cccd=shared["cccd"], full_name=shared["full_name"]),
        again,
        dict(shared, joined_on="01/06/2016", left_on="2018-12-31"),  # left, then rejoined
        member(org, street=" Xóm\u00a0Núi "),  # the row-by-row lane's row
        member(other, cccd=again["cccd"], full_name=again["full_name"]),
        member(org),
    ]
    data = csv_bytes(table(MEMBER_LAYOUT, rows))
    given = []
    write_all_new = services_imports._write_all_new
    monkeypatch.setattr(
        services_imports, "_write_all_new", lambda *a: given.append(1) or write_all_new(*a)
    )
    settings.IMPORT_REBUILD_ROWS = len(rows) + 1
    ordinary = outcome(data, officer_19, True, True, monkeypatch, "create")
    assert given == []
    settings.IMPORT_REBUILD_ROWS = len(rows)
    with transaction.atomic():
        importers.run(make_job("members", data, officer_19, "create"), commit=True)
        assert given == [1]
        people = list(Person.objects.order_by("id").values_list("id", "cccd"))
        assert [cccd for _id, cccd in people] == list(dict.fromkeys(r["cccd"] for r in rows))
        links = list(Membership.objects.order_by("id").values_list("person__cccd", flat=True))
        assert links == [r["cccd"].strip() for r in rows]
        for organisation in (org, other):  # counted in one pass over the memberships
            organisation.refresh_from_db()
            active = organisation.memberships.filter(left_on__isnull=True).count()
            assert organisation.members_count == active > 0
        first = dict(Person.objects.values_list("cccd", "id"))
        stranger = PersonFactory()  # drawn from the sequence, after the import's ids
        assert stranger.pk > max(first.values())
        kept = Membership.objects.create(
            organisation=other,
            person=stranger,
            kind="official",
            joined_on=dt.date(2021, 1, 1),
            province_id=other.province_id,
        )
        assert kept.pk > Membership.objects.exclude(pk=kept.pk).order_by("-id")[0].pk
        transaction.set_rollback(True)
    assert outcome(data, officer_19, True, True, monkeypatch, "create") == ordinary
    assert given == [1, 1]


def test_the_joined_space_test_passes_no_cell_that_fails_alone(org, officer_19, monkeypatch, lanes):
    """`Lane._spaced` tests the free-text cells in one expression, joined by chr(1): a space at
    either end of any one of them still sends the row to Python, and so does a cell holding
    chr(1) itself (which alone would pass) — the same report and rows as the row-by-row lane."""
    rows = [
        member(org),
        member(org, full_name="Lê Văn An ", phone="0912345678"),  # before the joint
        member(org, phone=" 0912345678"),  # after the joint
        member(org, email="an@example.vn ", street="Xóm 1"),
        member(org, street="Xóm\x01 Núi"),  # a joint inside a cell
        member(org),
    ]
    _findings, summary, *_ = both(csv_bytes(table(MEMBER_LAYOUT, rows)), officer_19, monkeypatch)
    assert summary[0] + summary[2] == len(rows)
    assert (lanes["clean"], lanes["others"]) == (2, 4)

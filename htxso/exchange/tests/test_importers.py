"""Importing files into the registry: every row checked with the registry's rules, every finding
named by row, column and value, all or nothing — and the jobs that run imports."""

import csv
import datetime as dt
import io
import itertools
import time

import pytest
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import Sum
from django.utils import timezone
from openpyxl import Workbook

from htxso.core.cccd import FEMALE, MALE
from htxso.core.models import AuditEntry, Commune, LegacyCommune
from htxso.core.roles import Role
from htxso.exchange import importers, jobs
from htxso.exchange.layouts import MEMBER_LAYOUT, ORGANISATION_LAYOUT
from htxso.exchange.models import ImportIssue, ImportJob, JobStatus, Severity
from htxso.exchange.rows import ImportFindings
from htxso.registry import services
from htxso.registry.choices import MemberKind, OrganisationKind, Sector, Status
from htxso.registry.models import (
    Membership,
    Organisation,
    Person,
    RegistryAggregate,
    StatusChange,
)
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import (
    CooperativeGroupFactory,
    HouseholdFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    valid_cccd,
    valid_tax_code,
)
from htxso.tabular.findings import Finding
from htxso.tabular.sources import FileError

pytestmark = pytest.mark.usefixtures("media")

MEMBER_HEADERS = [str(c.header) for c in MEMBER_LAYOUT.columns]
ORGANISATION_HEADERS = [str(c.header) for c in ORGANISATION_LAYOUT.columns]
_serial = itertools.count(1)


# --- building files and jobs ----------------------------------------------------------------------


def member(org: Organisation | None, *, born: int = 1980, sex: str = MALE, **values) -> dict:
    """One member row by column key, valid for an organisation founded in 2015 in Thái Nguyên."""
    row = {
        "organisation_tax_code": org.tax_code if org is not None else "",
        "cccd": valid_cccd(sex, born),
        "full_name": f"Nguyễn Văn Thành Viên {next(_serial)}",
        "gender": "Nam" if sex == MALE else "Nữ",
        "birth_date": f"15/05/{born}",
        "phone": "0912345678",
        "province": "Thái Nguyên",
        "commune": "Phường Phan Đình Phùng",
        "street": "Tổ 5",
        "member_kind": "Thành viên chính thức",
        "joined_on": "01/06/2020",
        "capital_contributed": "20.000.000",
    }
    row.update(values)
    return row


def organisation(**values) -> dict:
    n = next(_serial)
    row = {
        "tax_code": valid_tax_code("19"),
        "kind": "Hợp tác xã",
        "name": f"Hợp tác xã Chè Thử Nghiệm {n}",
        "short_name": f"HTX Chè {n}",
        "sector": "A - Nông nghiệp, lâm nghiệp và thủy sản",
        "agricultural_type": "Trồng trọt",
        "province": "Thái Nguyên",
        "commune": "Xã Tân Cương",
        "street": "Xóm Hồng Thái",
        "established_on": "15/03/2012",
        "charter_capital": "1.500.000.000",
        "legal_representative": "Nguyễn Văn An",
        "phone": "0208 3855 123",
        "is_high_tech": "Không",
        "in_value_chain": "Có",
    }
    row.update(values)
    return row


def table(layout, rows: list[dict], extra: dict[str, list] | None = None) -> list[list]:
    """Header row and cells in the layout's column order (plus extra columns at the end)."""
    extra = extra or {}
    headers = [str(c.header) for c in layout.columns] + list(extra)
    body = [
        [row.get(c.key, "") for c in layout.columns] + [values[i] for values in extra.values()]
        for i, row in enumerate(rows)
    ]
    return [headers, *body]


def csv_bytes(cells: list[list]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(cells)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(cells: list[list]) -> bytes:
    book = Workbook()
    for row in cells:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def make_job(
    kind: str, data: bytes, actor, strategy: str = "upsert", name: str = "danh-sach.csv"
) -> ImportJob:
    job = ImportJob(
        kind=kind, strategy=strategy, filename=name, created_by=actor, size=len(data), sha256="0"
    )
    job.file.save(name, ContentFile(data), save=False)
    job.save()
    return job


def member_job(rows: list[dict], actor, strategy: str = "upsert", **kwargs) -> ImportJob:
    return make_job("members", csv_bytes(table(MEMBER_LAYOUT, rows, **kwargs)), actor, strategy)


def organisation_job(rows: list[dict], actor, strategy: str = "upsert") -> ImportJob:
    return make_job("organisations", csv_bytes(table(ORGANISATION_LAYOUT, rows)), actor, strategy)


def errors(report: ImportFindings) -> list[Finding]:
    return [f for f in report.findings if f.severity == Severity.ERROR]


def only_error(report: ImportFindings) -> Finding:
    found = errors(report)
    assert len(found) == 1, found
    return found[0]


def counts() -> tuple[int, int, int, int]:
    return (
        Person.objects.count(),
        Membership.objects.count(),
        Organisation.objects.count(),
        AuditEntry.objects.count(),
    )


def all_unchanged(summary: dict, *models: str) -> bool:
    return all(summary[m]["created"] == summary[m]["updated"] == 0 for m in models)


@pytest.fixture
def org(db) -> Organisation:
    """A cooperative of Thái Nguyên (19), founded 1/3/2015."""
    return OrganisationFactory()  # type: ignore[return-value]


# --- members: the happy path ----------------------------------------------------------------------


def test_member_dry_run_writes_nothing_and_reports_what_it_would_do(org, officer_19):
    existing = PersonFactory()  # joins a second organisation: not a new person
    rows = [member(org), member(org, sex=FEMALE, born=1990), member(org, cccd=existing.cccd)]
    rows[2]["full_name"] = existing.full_name
    rows[2]["birth_date"] = ""
    before = counts()
    report = importers.run(member_job(rows, officer_19), commit=False)
    assert errors(report) == []
    assert report.rows == 3
    assert report.summary == {
        "people": {"created": 2, "updated": 1, "unchanged": 0},  # existing gets phone, address
        "memberships": {"created": 3, "updated": 0, "unchanged": 0},
    }
    assert counts() == before
    org.refresh_from_db()
    assert org.members_count == 0


def test_member_commit_writes_people_memberships_counts_aggregates_and_one_audit(org, officer_19):
    rows = [member(org), member(org, sex=FEMALE, born=1990, capital_contributed="")]
    rows.append(member(org, member_kind="Thành viên liên kết góp vốn", phone="", street=""))
    job = member_job(rows, officer_19)
    last_audit = AuditEntry.objects.order_by("pk").last().pk  # the organisation's "create"
    report = importers.run(job, commit=True)
    assert errors(report) == []
    assert report.summary["people"] == {"created": 3, "updated": 0, "unchanged": 0}
    assert report.summary["memberships"] == {"created": 3, "updated": 0, "unchanged": 0}

    first = Person.objects.get(cccd=rows[0]["cccd"])
    assert first.full_name == rows[0]["full_name"]
    assert (first.gender, first.birth_year, first.birth_date) == (MALE, 1980, dt.date(1980, 5, 15))
    assert (first.phone, first.address, first.legacy_address) == ("0912345678", "Tổ 5", "")
    assert first.province_id == "19"
    assert first.commune.name == "Phường Phan Đình Phùng"
    second = Person.objects.get(cccd=rows[1]["cccd"])
    assert (second.gender, second.birth_year) == (FEMALE, 1990)
    third = Person.objects.get(cccd=rows[2]["cccd"])
    assert (third.phone, third.address) == ("", "")

    memberships = {m.person.cccd: m for m in Membership.objects.filter(organisation=org)}
    assert len(memberships) == 3
    official = memberships[rows[0]["cccd"]]
    assert (official.kind, official.joined_on) == (MemberKind.OFFICIAL, dt.date(2020, 6, 1))
    assert (official.capital_contributed, official.province_id) == (20_000_000, "19")
    assert memberships[rows[1]["cccd"]].capital_contributed == 0
    assert memberships[rows[2]["cccd"]].kind == MemberKind.ASSOCIATE_CAPITAL

    org.refresh_from_db()
    assert org.members_count == 3
    aggregate = RegistryAggregate.objects.filter(province_id="19").aggregate(m=Sum("members"))
    assert aggregate["m"] == 3

    new_audit = list(AuditEntry.objects.filter(pk__gt=last_audit))
    assert [(a.action, a.object_type, a.object_id) for a in new_audit] == [
        ("import", "exchange.importjob", str(job.pk))
    ]
    assert new_audit[0].actor == officer_19
    assert new_audit[0].after == report.summary


def test_member_reimport_with_upsert_changes_nothing(org, officer_19):
    rows = [member(org), member(org, sex=FEMALE, born=1975)]
    data = csv_bytes(table(MEMBER_LAYOUT, rows))
    importers.run(make_job("members", data, officer_19), commit=True)
    before = counts()
    updated_at = list(Person.objects.order_by("pk").values_list("updated_at", flat=True))
    report = importers.run(make_job("members", data, officer_19), commit=True)
    assert errors(report) == []
    assert report.summary == {
        "people": {"created": 0, "updated": 0, "unchanged": 2},
        "memberships": {"created": 0, "updated": 0, "unchanged": 2},
    }
    assert counts() == before  # no new rows, no new audit entry
    assert list(Person.objects.order_by("pk").values_list("updated_at", flat=True)) == updated_at


def test_member_reimport_with_strategy_create_is_refused(org, officer_19):
    rows = [member(org), member(org)]
    data = csv_bytes(table(MEMBER_LAYOUT, rows))
    importers.run(make_job("members", data, officer_19), commit=True)
    before = counts()
    report = importers.run(make_job("members", data, officer_19, "create"), commit=True)
    assert [(f.row, f.column, f.value) for f in errors(report)] == [
        (2, "Số CCCD", rows[0]["cccd"]),
        (3, "Số CCCD", rows[1]["cccd"]),
    ]
    assert all("đã là thành viên" in f.message for f in errors(report))
    assert counts() == before


def test_member_strategy_update_with_unknown_person_is_an_error(org, officer_19):
    known = MembershipFactory(organisation=org).person
    rows = [
        member(org, cccd=known.cccd, full_name=known.full_name, birth_date=""),
        member(org),
    ]
    before = counts()
    report = importers.run(member_job(rows, officer_19, "update"), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column, finding.value) == (3, "Số CCCD", rows[1]["cccd"])
    assert "Không có tư cách thành viên này trong cơ sở dữ liệu để cập nhật" in finding.message
    assert counts() == before


def test_member_strategy_update_leaves_unlisted_fields(org, officer_19):
    person = PersonFactory(phone="0911111111", email="an@example.vn")
    services.add_membership(None, org.pk, MemberKind.OFFICIAL, dt.date(2016, 1, 1), person=person)
    row = member(
        org,
        cccd=person.cccd,
        full_name=person.full_name,
        birth_date="",
        email="",
        phone="",
        capital_contributed="5.000.000",
        joined_on="01/01/2016",
    )
    report = importers.run(member_job([row], officer_19, "update"), commit=True)
    assert errors(report) == []
    assert report.summary["memberships"] == {"created": 0, "updated": 1, "unchanged": 0}
    person.refresh_from_db()
    assert (person.phone, person.email) == ("0911111111", "an@example.vn")  # blank: not given
    assert Membership.objects.get(person=person).capital_contributed == 5_000_000


def test_member_blank_commune_keeps_it_and_a_province_move_clears_it(org, officer_19):
    rows = [member(org), member(org)]
    importers.run(member_job(rows, officer_19), commit=True)
    kept, moved = (Person.objects.get(cccd=r["cccd"]) for r in rows)
    assert kept.commune_id is not None and moved.commune_id is not None
    rows[0]["commune"] = ""  # blank: no change
    rows[1].update(province="Hà Nội", commune="")  # moved without a commune: cleared
    report = importers.run(member_job(rows, officer_19), commit=True)
    assert errors(report) == []
    assert report.summary["people"] == {"created": 0, "updated": 1, "unchanged": 1}
    assert Person.objects.get(pk=kept.pk).commune_id == kept.commune_id
    moved.refresh_from_db()
    assert (moved.province_id, moved.commune_id) == ("01", None)


def test_member_changed_phone_updates_the_person_with_an_audit_entry(org, officer_19):
    rows = [member(org), member(org)]
    importers.run(member_job(rows, officer_19), commit=True)
    person = Person.objects.get(cccd=rows[1]["cccd"])
    rows[1]["phone"] = "0987654321"
    before = counts()
    report = importers.run(member_job(rows, officer_19), commit=True)
    assert errors(report) == []
    assert report.summary == {
        "people": {"created": 0, "updated": 1, "unchanged": 1},
        "memberships": {"created": 0, "updated": 0, "unchanged": 2},
    }
    person.refresh_from_db()
    assert person.phone == "0987654321"
    assert Person.objects.get(cccd=rows[0]["cccd"]).phone == "0912345678"
    assert counts()[:3] == before[:3]
    update = AuditEntry.objects.get(action="import_update")
    assert (update.object_type, update.object_id) == ("registry.person", str(person.pk))
    assert update.before == {"phone": "0912345678"}
    assert update.after == {"phone": "0987654321"}
    assert update.actor == officer_19
    assert AuditEntry.objects.filter(action="import").count() == 2


def test_member_birth_date_and_legacy_address_added_later(org, officer_19):
    rows = [member(org, birth_date="", street="")]
    importers.run(member_job(rows, officer_19), commit=True)
    rows[0].update(
        birth_date="15/05/1980",
        province="Tỉnh Thái Nguyên",
        legacy_district="Thành phố Thái Nguyên",
        commune="Xã Tân Cương",
    )
    report = importers.run(member_job(rows, officer_19), commit=True)
    assert report.summary["people"] == {"created": 0, "updated": 1, "unchanged": 0}
    person = Person.objects.get(cccd=rows[0]["cccd"])
    tan_cuong = Commune.objects.get(province_id="19", name="Xã Tân Cương").code
    assert (person.birth_date, person.commune_id) == (dt.date(1980, 5, 15), tan_cuong)
    update = AuditEntry.objects.get(action="import_update")
    legacy = "Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên"
    assert update.before == {"birth_date": None, "commune_id": "05443", "legacy_address": ""}
    assert update.after == {
        "birth_date": "1980-05-15",
        "commune_id": tan_cuong,
        "legacy_address": legacy,
    }


def test_member_changed_capital_updates_the_membership_with_an_audit_entry(org, officer_19):
    rows = [member(org)]
    importers.run(member_job(rows, officer_19), commit=True)
    rows[0]["capital_contributed"] = "35.000.000"
    report = importers.run(member_job(rows, officer_19), commit=True)
    assert report.summary["memberships"] == {"created": 0, "updated": 1, "unchanged": 0}
    membership = Membership.objects.get(organisation=org)
    assert membership.capital_contributed == 35_000_000
    update = AuditEntry.objects.get(action="import_update")
    assert (update.object_type, update.object_id) == ("registry.membership", str(membership.pk))
    assert (update.before, update.after) == (
        {"capital_contributed": 20_000_000},
        {"capital_contributed": 35_000_000},
    )


def test_one_person_in_two_organisations(org, officer_19):
    other = OrganisationFactory()
    first = member(org)
    second = member(other, cccd=first["cccd"], full_name=first["full_name"])
    report = importers.run(member_job([first, second], officer_19), commit=True)
    assert errors(report) == []
    person = Person.objects.get(cccd=first["cccd"])
    assert set(person.memberships.values_list("organisation_id", flat=True)) == {org.pk, other.pk}


def test_member_ended_membership_is_imported_as_history(org, officer_19):
    rows = [member(org, left_on="31/12/2022"), member(org)]
    report = importers.run(member_job(rows, officer_19), commit=True)
    assert errors(report) == []
    ended = Membership.objects.get(person__cccd=rows[0]["cccd"])
    assert ended.left_on == dt.date(2022, 12, 31)
    org.refresh_from_db()
    assert org.members_count == 1  # only the active one counts
    again = importers.run(member_job(rows, officer_19), commit=True)
    assert all_unchanged(again.summary, "people", "memberships")


def test_member_end_date_ends_the_active_membership(org, officer_19):
    rows = [member(org), member(org)]
    importers.run(member_job(rows, officer_19), commit=True)
    rows[1]["left_on"] = "30/06/2024"
    report = importers.run(member_job(rows, officer_19), commit=True)
    assert report.summary["memberships"] == {"created": 0, "updated": 1, "unchanged": 1}
    membership = Membership.objects.get(person__cccd=rows[1]["cccd"])
    assert membership.left_on == dt.date(2024, 6, 30)
    org.refresh_from_db()
    assert org.members_count == 1
    update = AuditEntry.objects.get(action="import_update", object_type="registry.membership")
    assert (update.before, update.after) == ({"left_on": None}, {"left_on": "2024-06-30"})


def test_member_who_left_and_rejoined_has_two_memberships(org, officer_19):
    before = member(org, joined_on="01/06/2016", left_on="31/12/2018")
    now = dict(before, joined_on="01/06/2021", left_on="")
    report = importers.run(member_job([before, now], officer_19), commit=True)
    assert errors(report) == []
    stored = Membership.objects.filter(person__cccd=before["cccd"]).order_by("joined_on")
    assert [(m.joined_on.year, m.left_on) for m in stored] == [
        (2016, dt.date(2018, 12, 31)),
        (2021, None),
    ]
    twice = importers.run(member_job([before, now, dict(before, phone="")], officer_19), False)
    assert only_error(twice).message == "Trùng với dòng 2: cùng người, cùng tổ chức."


@pytest.mark.parametrize(
    "left_on, message",
    [
        ("31/05/2020", "Ngày chấm dứt không được trước ngày gia nhập."),
        ("01/01/2999", "Ngày không được ở tương lai."),
        ("31/13/2020", "Ngày không tồn tại trong lịch."),
    ],
)
def test_member_bad_end_dates(org, officer_19, left_on, message):
    report = importers.run(member_job([member(org, left_on=left_on)], officer_19), True)
    finding = only_error(report)
    assert (finding.column, finding.value) == ("Ngày chấm dứt", left_on)
    assert message in finding.message
    assert Membership.objects.count() == 0


def test_member_cell_with_a_nul_character(org, officer_19):
    """A NUL byte is not text (PostgreSQL cannot store it): the file is refused naming its
    line, as the upload refuses one with a NUL in its first 64 KiB (`tabular.sources`)."""
    job = member_job([member(org, full_name="Lê\x00Văn")], officer_19)
    with pytest.raises(FileError, match=r"^Tệp có ký tự rỗng \(NUL, mã 0\) ở dòng 2:"):
        importers.run(job, True)
    assert Person.objects.count() == 0


def test_member_found_by_organisation_id(officer_19):
    group = CooperativeGroupFactory()  # no tax code
    row = member(None, organisation_id=str(group.pk))
    report = importers.run(member_job([row], officer_19), commit=True)
    assert errors(report) == []
    group.refresh_from_db()
    assert group.members_count == 1


def test_member_id_and_tax_code_that_disagree(org, officer_19):
    other = OrganisationFactory()
    report = importers.run(member_job([member(org, organisation_id=other.pk)], officer_19), False)
    finding = only_error(report)
    assert finding.column == "Mã tổ chức trên HTX Số"
    assert "không khớp với mã số thuế" in finding.message


def test_header_aliases_are_recognised(org, officer_19):
    row = member(org)
    cells = [
        ["MST HTX", "CCCD", "Họ tên", "Tỉnh", "Loại thành viên", "Ngày gia nhập"],
        [
            org.tax_code,
            row["cccd"],
            row["full_name"],
            "thai nguyen",
            "THANH VIEN chinh thuc",
            "1/6/2020",
        ],
    ]
    report = importers.run(make_job("members", csv_bytes(cells), officer_19), commit=True)
    assert report.findings == []
    assert Person.objects.get(cccd=row["cccd"]).full_name == row["full_name"]


def test_the_system_may_import_without_a_user(org):
    report = importers.run(member_job([member(org)], None), commit=True)
    assert errors(report) == []
    assert AuditEntry.objects.get(action="import").actor is None


def test_a_central_officer_sees_but_may_not_import(org):
    viewer = make_user("can-bo-tw", Role.CENTRAL_OFFICER)
    report = importers.run(member_job([member(org)], viewer), commit=True)
    finding = only_error(report)
    assert (finding.column, finding.message) == (
        "Mã số thuế của tổ chức",
        "Bạn không có quyền thay đổi tổ chức này.",
    )
    assert Person.objects.count() == 0


def test_a_cooperative_manager_imports_into_their_own_organisation_only(org):
    manager = make_user("quan-ly-htx", Role.COOPERATIVE_MANAGER, "19", organisation=org)
    other = OrganisationFactory()
    rows = [member(org), member(other)]
    report = importers.run(member_job(rows, manager), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.message) == (3, "Bạn không có quyền thay đổi tổ chức này.")
    report = importers.run(member_job(rows[:1], manager), commit=True)
    assert errors(report) == []
    assert Membership.objects.get().organisation == org


# --- members: XLSX ------------------------------------------------------------------------------


def test_xlsx_numbers_get_their_leading_zeros_back(org, officer_19):
    """A CCCD and a phone typed into number cells lost the leading 0; dates are date cells."""
    row = member(
        org,
        cccd=19085000123,
        phone=912345678,
        birth_date=dt.datetime(1985, 9, 2),
        joined_on=dt.datetime(2020, 6, 1),
        capital_contributed=20_000_000,
    )
    data = xlsx_bytes(table(MEMBER_LAYOUT, [row]))
    job = make_job("members", data, officer_19, name="danh-sach.xlsx")
    report = importers.run(job, commit=True)
    assert errors(report) == []
    assert report.encoding == "xlsx"
    person = Person.objects.get(cccd="019085000123")
    assert (person.phone, person.birth_date) == ("0912345678", dt.date(1985, 9, 2))
    assert person.memberships.get().capital_contributed == 20_000_000


def test_xlsx_errors_name_the_sheet_row(org, officer_19):
    cells = table(MEMBER_LAYOUT, [member(org), member(org, cccd="0190850001")])
    cells.insert(2, [None] * len(MEMBER_HEADERS))  # a blank row: the bad one is row 4
    cells.insert(2, [""] * len(MEMBER_HEADERS))
    job = make_job("members", xlsx_bytes(cells), officer_19, name="danh-sach.xlsx")
    finding = only_error(importers.run(job, commit=True))
    assert (finding.row, finding.column, finding.value) == (5, "Số CCCD", "0190850001")


# --- members: all or nothing, and every rule ------------------------------------------------------


def test_one_bad_row_among_good_ones_writes_nothing(org, officer_19):
    rows = [member(org), member(org), member(org, cccd="0190850001"), member(org)]
    before = counts()
    report = importers.run(member_job(rows, officer_19), commit=True)
    assert report.rows == 4
    assert report.error_rows == 1
    finding = only_error(report)
    assert (finding.row, finding.column, finding.value) == (4, "Số CCCD", "0190850001")
    assert finding.message == "Số CCCD phải gồm đúng 12 chữ số."
    assert "people" not in report.summary
    assert counts() == before
    org.refresh_from_db()
    assert org.members_count == 0


def _another_province_org(org):
    return OrganisationFactory(province_id="01", tax_code=valid_tax_code("01")).tax_code


# (overrides given the organisation, column header, value as the file has it, message part)
ROW_ERRORS = {
    "invalid CCCD": (
        lambda org: {"cccd": "01908500012X"},
        "Số CCCD",
        "01908500012X",
        "Số CCCD phải gồm đúng 12 chữ số.",
    ),
    "CCCD of an unknown birth province": (
        lambda org: {"cccd": "099085000123", "birth_date": "15/05/1985"},
        "Số CCCD",
        "099085000123",
        "mã nơi đăng ký khai sinh 099 không tồn tại",
    ),
    "CCCD and gender disagree": (
        lambda org: {"gender": "Nữ"},
        "Giới tính",
        "Nữ",
        "Giới tính không khớp với số CCCD.",
    ),
    "CCCD and birth year disagree": (
        lambda org: {"birth_date": "15/05/1990"},
        "Ngày sinh",
        "15/05/1990",
        "Năm sinh không khớp với số CCCD.",
    ),
    "under 18 when joining": (
        lambda org: {"cccd": valid_cccd(MALE, 2008), "birth_date": "15/05/2008"},
        "Ngày sinh",
        "15/05/2008",
        "Thành viên là cá nhân phải đủ 18 tuổi khi gia nhập.",
    ),
    "joined before the organisation was founded": (
        lambda org: {"joined_on": "28/02/2015"},
        "Ngày gia nhập",
        "28/02/2015",
        "Ngày gia nhập không được trước ngày thành lập tổ chức.",
    ),
    "joined in the future": (
        lambda org: {"joined_on": f"01/01/{dt.date.today().year + 1}"},
        "Ngày gia nhập",
        f"01/01/{dt.date.today().year + 1}",
        "Ngày không được ở tương lai.",
    ),
    "a day that does not exist": (
        lambda org: {"joined_on": "31/02/2020"},
        "Ngày gia nhập",
        "31/02/2020",
        "Ngày không tồn tại trong lịch.",
    ),
    "not a date": (
        lambda org: {"birth_date": "mùa xuân 1980"},
        "Ngày sinh",
        "mùa xuân 1980",
        "Không phải ngày hợp lệ (dd/mm/yyyy).",
    ),
    "associate without capital with capital": (
        lambda org: {"member_kind": "Thành viên liên kết không góp vốn"},
        "Vốn góp (đồng)",
        "20.000.000",
        "Thành viên liên kết không góp vốn không có vốn góp.",
    ),
    "negative capital": (
        lambda org: {"capital_contributed": "-5.000"},
        "Vốn góp (đồng)",
        "-5.000",
        "Số tiền không được âm.",
    ),
    "unknown member kind": (
        lambda org: {"member_kind": "Thành viên danh dự"},
        "Loại thành viên",
        "Thành viên danh dự",
        "Giá trị không có trong danh mục",
    ),
    "missing name": (
        lambda org: {"full_name": "   "},
        "Họ và tên",
        "",
        "Thiếu giá trị bắt buộc.",
    ),
    "bad e-mail": (
        lambda org: {"email": "an@@example"},
        "Thư điện tử",
        "an@@example",
        "",
    ),
    "unknown tax code": (
        lambda org: {"organisation_tax_code": "0100109106"},
        "Mã số thuế của tổ chức",
        "0100109106",
        "Không tìm thấy tổ chức trong cơ sở dữ liệu.",
    ),
    "invalid tax code": (
        lambda org: {"organisation_tax_code": "4600123456"},
        "Mã số thuế của tổ chức",
        "4600123456",
        "chữ số kiểm tra không đúng",
    ),
    "organisation of another province": (
        lambda org: {"organisation_tax_code": _another_province_org(org)},
        "Mã số thuế của tổ chức",
        None,
        "Bạn không có quyền thay đổi tổ chức này.",
    ),
    "household business has no members": (
        lambda org: {"organisation_tax_code": HouseholdFactory().tax_code},
        "",
        "",
        "Hộ kinh doanh không có thành viên.",
    ),
    "unknown current commune": (
        lambda org: {"commune": "Phường Không Có Thật"},
        "Xã/phường",
        "Phường Không Có Thật, Thái Nguyên",
        "Không tìm thấy xã/phường “Phường Không Có Thật” thuộc Thái Nguyên.",
    ),
    "unknown province": (
        lambda org: {"province": "Tỉnh Hà Tây", "commune": ""},
        "Tỉnh/thành phố",
        "Tỉnh Hà Tây",
        "Không tìm thấy tỉnh/thành phố “Tỉnh Hà Tây”",
    ),
}


@pytest.mark.parametrize("case", ROW_ERRORS.values(), ids=ROW_ERRORS.keys())
def test_member_row_errors(org, officer_19, case):
    overrides, column, value, message = case
    bad = member(org, **overrides(org))
    rows = [member(org), bad, member(org)]
    before = counts()
    report = importers.run(member_job(rows, officer_19), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column) == (3, column)
    if value is not None:
        assert finding.value == value
    assert message in finding.message
    assert counts() == before


def test_duplicate_member_rows_name_the_first(org, officer_19):
    first = member(org)
    rows = [first, member(org), dict(first, phone="0900000000")]
    before = counts()
    report = importers.run(member_job(rows, officer_19), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column, finding.value) == (4, "Số CCCD", first["cccd"])
    assert finding.message == "Trùng với dòng 2: cùng người, cùng tổ chức."
    assert counts() == before


def test_same_cccd_with_different_names_is_an_error(org, officer_19):
    other = OrganisationFactory()
    first = member(org)
    rows = [first, dict(first, organisation_tax_code=other.tax_code, full_name="Lê Văn Khác")]
    report = importers.run(member_job(rows, officer_19), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column, finding.value) == (3, "Họ và tên", "Lê Văn Khác")
    assert finding.message == "Cùng số CCCD với dòng 2 nhưng khác họ tên hoặc ngày sinh."
    assert Person.objects.count() == 0


def test_many_bad_rows_are_all_reported_in_order(org, officer_19):
    rows = [member(org, cccd="1"), member(org), member(org, joined_on="2020"), member(org)]
    rows[3]["gender"] = "Nữ"
    report = importers.run(member_job(rows, officer_19), commit=False)
    assert [(f.row, f.column) for f in errors(report)] == [
        (2, "Số CCCD"),
        (4, "Ngày gia nhập"),
        (5, "Giới tính"),
    ]
    assert report.error_rows == 3


# --- members: columns -----------------------------------------------------------------------------


def test_missing_required_column_rejects_the_whole_file(org, officer_19):
    cells = table(MEMBER_LAYOUT, [member(org), member(org)])
    position = MEMBER_HEADERS.index("Số CCCD")
    for row in cells:
        del row[position]
    report = importers.run(make_job("members", csv_bytes(cells), officer_19), commit=True)
    assert [(f.row, f.column, f.message) for f in errors(report)] == [
        (1, "Số CCCD", "Thiếu cột bắt buộc “Số CCCD”.")
    ]
    assert report.rows == 0  # nothing read
    assert Person.objects.count() == 0


def test_file_without_any_organisation_column_is_rejected(org, officer_19):
    cells = table(MEMBER_LAYOUT, [member(org)])
    cells = [row[2:] for row in cells]  # drops tax code and organisation id
    report = importers.run(make_job("members", csv_bytes(cells), officer_19), commit=True)
    assert [f.message for f in errors(report)] == ["Thiếu cột bắt buộc “Mã số thuế của tổ chức”."]


def test_unknown_extra_column_is_only_a_warning(org, officer_19):
    rows = [member(org)]
    job = member_job(rows, officer_19, extra={"Ghi chú": ["đã nộp đơn"]})
    report = importers.run(job, commit=True)
    assert [(f.row, f.column, f.severity) for f in report.findings] == [
        (1, "Ghi chú", Severity.WARNING)
    ]
    assert report.findings[0].message == "Cột không được nhận dạng, bỏ qua."
    assert not report.has_errors
    assert Person.objects.filter(cccd=rows[0]["cccd"]).exists()


def test_header_only_file_is_an_error(officer_19):
    report = importers.run(make_job("members", csv_bytes([MEMBER_HEADERS]), officer_19), True)
    assert [f.message for f in errors(report)] == ["Tệp không có dòng dữ liệu nào."]


def test_blank_optional_cells_are_not_given(org, officer_19):
    """Spaces in an optional date cell are a blank cell, not a wrong date."""
    row = member(org, birth_date="  ", capital_contributed=" ", gender="")
    report = importers.run(member_job([row], officer_19), commit=True)
    assert errors(report) == []
    person = Person.objects.get(cccd=row["cccd"])
    assert (person.birth_date, person.birth_year, person.gender) == (None, 1980, MALE)


# --- members: addresses ---------------------------------------------------------------------------


def test_legacy_address_is_converted_and_kept(org, officer_19):
    row = member(
        org,
        province="Tỉnh Thái Nguyên",
        legacy_district="Thành phố Thái Nguyên",
        commune="Xã Tân Cương",
        street="Xóm Nam Đồng",
    )
    report = importers.run(member_job([row], officer_19), commit=True)
    assert errors(report) == []
    [conversion] = report.findings
    assert conversion.severity == Severity.CONVERSION
    assert (conversion.row, conversion.column) == (2, "Xã/phường")
    assert conversion.value == "Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên"
    assert "→ “Xã Tân Cương" in conversion.message
    person = Person.objects.get(cccd=row["cccd"])
    assert person.legacy_address == (
        "Xóm Nam Đồng, Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên"
    )
    assert person.commune_id == Commune.objects.get(province_id="19", name="Xã Tân Cương").code
    assert (person.province_id, person.address) == ("19", "Xóm Nam Đồng")


def test_unknown_legacy_commune_is_an_error_not_a_guess(org, officer_19):
    row = member(
        org,
        province="Tỉnh Thái Nguyên",
        legacy_district="Huyện Đồng Hỷ",
        commune="Xã Tân Cương",  # a commune of Thành phố Thái Nguyên, not of Đồng Hỷ
    )
    report = importers.run(member_job([row, member(org)], officer_19), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column) == (2, "Xã/phường")
    assert "Không xác định được đơn vị hành chính cũ" in finding.message
    assert Person.objects.count() == 0


def test_split_legacy_commune_names_its_successors(org, officer_19):
    split = (
        LegacyCommune.objects.filter(district__province__name="Tỉnh Thái Nguyên")
        .prefetch_related("successors")
        .select_related("district")
        .order_by("code")
    )
    legacy = next(c for c in split if c.successors.count() > 1 and c.current_commune_id)
    successors = [c.name for c in legacy.successors.all()]
    row = member(
        org,
        province="Tỉnh Thái Nguyên",
        legacy_district=legacy.district.name,
        commune=legacy.name,
    )
    report = importers.run(member_job([row], officer_19), commit=True)
    finding = only_error(report)
    assert finding.column == "Xã/phường"
    assert "đã được chia cho nhiều xã/phường mới" in finding.message
    for name in successors:
        assert name in finding.message
    assert Person.objects.count() == 0


# --- organisations --------------------------------------------------------------------------------


def test_organisations_are_created_through_the_services(officer_19):
    rows = [organisation(), organisation(kind="Tổ hợp tác", tax_code="", commune="")]
    rows.append(organisation(sector="G", agricultural_type="", name="Hợp tác xã Thương mại"))
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    assert errors(report) == []
    assert report.summary["organisations"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "status_changes": 0,
    }
    created = Organisation.objects.get(tax_code=rows[0]["tax_code"])
    assert (created.kind, created.sector, created.is_agricultural) == (
        OrganisationKind.COOPERATIVE,
        Sector.A,
        True,
    )
    assert (created.province_id, created.commune.name) == ("19", "Xã Tân Cương")
    assert (created.charter_capital, created.established_on) == (
        1_500_000_000,
        dt.date(2012, 3, 15),
    )
    assert (created.in_value_chain, created.is_high_tech) == (True, False)
    assert (created.status, created.status_since) == (Status.ACTIVE, dt.date(2012, 3, 15))
    group = Organisation.objects.get(kind=OrganisationKind.COOPERATIVE_GROUP)
    assert (group.tax_code, group.commune_id) == (None, None)
    trade = Organisation.objects.get(name="Hợp tác xã Thương mại")
    assert (trade.sector, trade.is_agricultural) == (Sector.G, False)

    audits = AuditEntry.objects.filter(object_type="registry.organisation", action="create")
    if connection.vendor == "postgresql":  # the SQL lane: one entry on the import (#17)
        entry = AuditEntry.objects.get(action="import_create")
        assert (entry.actor, entry.after["organisations"]) == (officer_19, 3)
        ids = {pk for low, high in entry.after["ids"] for pk in range(low, high + 1)}
        assert ids == set(Organisation.objects.values_list("pk", flat=True))
    else:
        assert audits.count() == 3
        assert {a.actor for a in audits} == {officer_19}
    assert StatusChange.objects.filter(status=Status.ACTIVE).count() == 3
    figures = RegistryAggregate.objects.filter(province_id="19").aggregate(n=Sum("organisations"))
    assert figures["n"] == 3


def test_organisation_dry_run_writes_nothing(officer_19):
    before = counts()
    report = importers.run(organisation_job([organisation(), organisation()], officer_19), False)
    assert errors(report) == []
    assert report.summary["organisations"]["created"] == 2
    assert counts() == before
    assert StatusChange.objects.count() == 0
    assert not RegistryAggregate.objects.exists()


def test_organisation_reimport_with_upsert_is_a_no_op(officer_19):
    data = csv_bytes(table(ORGANISATION_LAYOUT, [organisation(), organisation()]))
    importers.run(make_job("organisations", data, officer_19), commit=True)
    before = counts()
    versions = list(Organisation.objects.order_by("pk").values_list("version", flat=True))
    report = importers.run(make_job("organisations", data, officer_19), commit=True)
    assert errors(report) == []
    assert report.summary["organisations"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 2,
        "status_changes": 0,
    }
    assert counts() == before
    assert list(Organisation.objects.order_by("pk").values_list("version", flat=True)) == versions


def test_organisation_update_changes_only_the_differing_fields(officer_19):
    rows = [organisation(), organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    target = Organisation.objects.get(tax_code=rows[1]["tax_code"])
    rows[1]["phone"] = "0208 3999 999"
    rows[1]["charter_capital"] = "2.000.000.000"
    report = importers.run(organisation_job(rows, officer_19, "update"), commit=True)
    assert report.summary["organisations"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 1,
        "status_changes": 0,
    }
    fresh = Organisation.objects.get(pk=target.pk)
    assert fresh.version == target.version + 1
    assert (fresh.phone, fresh.charter_capital) == ("0208 3999 999", 2_000_000_000)
    assert fresh.name == target.name
    update = AuditEntry.objects.get(action="update")
    assert update.object_id == str(target.pk)
    assert update.before == {"phone": "0208 3855 123", "charter_capital": 1_500_000_000}
    assert update.after == {"phone": "0208 3999 999", "charter_capital": 2_000_000_000}


def test_duplicate_tax_code_in_the_file(officer_19):
    first = organisation()
    rows = [first, organisation(), organisation(tax_code=first["tax_code"], name="HTX Khác")]
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column, finding.value) == (4, "Mã số thuế", first["tax_code"])
    assert finding.message == "Trùng mã số thuế với dòng 2 của tệp."
    assert Organisation.objects.count() == 0  # the good rows are not written either


def test_invalid_tax_code(officer_19):
    rows = [organisation(), organisation(tax_code="4600123456")]
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column, finding.value) == (3, "Mã số thuế", "4600123456")
    assert "chữ số kiểm tra không đúng" in finding.message
    assert Organisation.objects.count() == 0


def test_cooperative_without_tax_code_is_refused(officer_19):
    report = importers.run(organisation_job([organisation(tax_code="")], officer_19), True)
    finding = only_error(report)
    assert (finding.row, finding.message) == (2, "Hợp tác xã phải có mã số HTX (mã số thuế).")
    assert Organisation.objects.count() == 0


def test_strategy_create_on_an_existing_tax_code(org, officer_19):
    rows = [organisation(tax_code=org.tax_code), organisation()]
    report = importers.run(organisation_job(rows, officer_19, "create"), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column, finding.value) == (2, "Mã số thuế", org.tax_code)
    assert f"Mã số thuế đã có trong cơ sở dữ liệu ({org.name})" in finding.message
    assert Organisation.objects.count() == 1


def test_strategy_update_on_an_unknown_tax_code(officer_19):
    report = importers.run(organisation_job([organisation()], officer_19, "update"), True)
    assert "Không tìm thấy tổ chức có mã số thuế này" in only_error(report).message


def test_provincial_officer_may_not_create_in_another_province(officer_19):
    rows = [organisation(), organisation(province="Hà Nội", commune="", tax_code="0100109106")]
    before = counts()
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    finding = only_error(report)
    assert finding.row == 3
    assert finding.message == "Bạn không có quyền tạo tổ chức ở tỉnh/thành phố này."
    assert counts() == before


def test_provincial_officer_may_not_update_another_province(org, officer_01):
    row = organisation(tax_code=org.tax_code, name="Tên mới", province="Thái Nguyên")
    report = importers.run(organisation_job([row], officer_01), commit=True)
    assert only_error(report).message == "Bạn không có quyền thay đổi tổ chức này."
    assert Organisation.objects.get(pk=org.pk).name == org.name


def test_status_column_records_a_status_change(officer_19):
    rows = [organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    rows[0].update(status="Đã giải thể", status_since="30/06/2024")
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    assert errors(report) == []
    assert report.summary["organisations"] == {
        "created": 0,
        "updated": 1,
        "unchanged": 0,
        "status_changes": 1,
    }
    fresh = Organisation.objects.get(tax_code=rows[0]["tax_code"])
    assert (fresh.status, fresh.status_since) == (Status.DISSOLVED, dt.date(2024, 6, 30))
    change = StatusChange.objects.get(organisation=fresh, status=Status.DISSOLVED)
    assert change.effective_on == dt.date(2024, 6, 30)
    assert change.recorded_by == officer_19
    assert AuditEntry.objects.filter(action="change_status", object_id=str(fresh.pk)).exists()


def test_new_status_of_an_existing_organisation_needs_its_date(officer_19):
    rows = [organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    rows[0]["status"] = "Tạm ngừng kinh doanh"
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    finding = only_error(report)
    assert (finding.column, finding.message) == (
        "Tình trạng từ ngày",
        "Thiếu ngày của tình trạng mới.",
    )
    assert Organisation.objects.get().status == Status.ACTIVE


def test_new_organisation_with_a_status(officer_19):
    row = organisation(status="Tạm ngừng kinh doanh", status_since="01/01/2023")
    report = importers.run(organisation_job([row], officer_19), commit=True)
    assert report.summary["organisations"]["status_changes"] == 1
    created = Organisation.objects.get()
    assert (created.status, created.status_since) == (Status.SUSPENDED, dt.date(2023, 1, 1))
    assert StatusChange.objects.filter(organisation=created).count() == 2


def test_new_organisation_with_a_status_and_no_date_is_not_given_one(officer_19):
    # It used to take the founding date: a fact no one stated.
    row = organisation(status="Tạm ngừng kinh doanh")
    report = importers.run(organisation_job([row], officer_19), commit=True)
    finding = only_error(report)
    assert (finding.column, finding.message) == (
        "Tình trạng từ ngày",
        "Thiếu ngày của tình trạng mới.",
    )
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Ngừng hoạt động", Status.NOT_OPERATING),  # the words people use: the synonym table
        ("Tạm ngưng", Status.SUSPENDED),
        ("giai the", Status.DISSOLVED),
        ("Đang HĐ", Status.ACTIVE),
    ],
)
def test_a_status_in_other_words_is_read_through_the_synonyms(officer_19, written, meant):
    row = organisation(status=written, status_since="01/01/2023")
    report = importers.run(organisation_job([row], officer_19), commit=True)
    assert not errors(report), report.findings
    assert Organisation.objects.get().status == meant


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("Đã giả thể", "Đã giải thể"),  # a typo of a label
        ("Ngừng hoạt độn", "Ngừng hoạt động nhưng chưa giải thể"),  # a typo of a synonym
        ("Tạm ngừng kinh doan", "Tạm ngừng kinh doanh"),
    ],
)
def test_a_status_near_a_known_word_suggests_the_one_meant(officer_19, written, meant):
    row = organisation(status=written, status_since="01/01/2023")
    finding = only_error(importers.run(organisation_job([row], officer_19), commit=False))
    assert finding.column == "Tình trạng"
    assert finding.message.startswith(f"Giá trị không có trong danh mục. Có phải “{meant}”?")


def test_a_value_like_nothing_gets_the_catalogue_without_a_guess(officer_19):
    row = organisation(status="xyz", status_since="01/01/2023")
    finding = only_error(importers.run(organisation_job([row], officer_19), commit=False))
    assert finding.message.startswith("Giá trị không có trong danh mục: Đang hoạt động;")


def test_organisation_legacy_address(officer_19):
    row = organisation(
        province="Tỉnh Thái Nguyên", legacy_district="Thành phố Thái Nguyên", commune="Xã Tân Cương"
    )
    report = importers.run(organisation_job([row], officer_19), commit=True)
    assert [f.severity for f in report.findings] == [Severity.CONVERSION]
    created = Organisation.objects.get()
    assert created.commune.name == "Xã Tân Cương"
    assert created.legacy_address == (
        "Xóm Hồng Thái, Xã Tân Cương, Thành phố Thái Nguyên, Tỉnh Thái Nguyên"
    )


def test_organisation_rule_errors_name_the_column(officer_19):
    rows = [
        organisation(established_on=f"01/01/{dt.date.today().year + 1}"),
        organisation(email="khong-phai-email"),
        organisation(kind="Công ty cổ phần"),
    ]
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    assert [(f.row, f.column) for f in errors(report)] == [
        (2, "Ngày thành lập"),
        (3, "Thư điện tử"),
        (4, "Loại hình"),
    ]
    assert errors(report)[0].message == "Ngày không được ở tương lai."
    assert Organisation.objects.count() == 0


# --- jobs -----------------------------------------------------------------------------------------


def test_job_commit_is_done(org, officer_19):
    rows = [member(org), member(org)]
    job = member_job(rows, officer_19)
    job.commit_requested = True
    job.save()
    assert jobs.execute(job.pk) == JobStatus.DONE
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
    assert job.committed_at is not None and job.finished_at == job.committed_at
    assert (job.rows, job.error_rows, job.attempts) == (2, 0, 1)
    assert job.summary["people"]["created"] == 2
    assert job.encoding == "utf-8-sig"
    assert Person.objects.count() == 2
    assert jobs.progress_of(job.pk) == {}  # the heartbeat is cleared


def test_job_dry_run_is_valid_and_writes_nothing(org, officer_19):
    job = member_job([member(org)], officer_19)
    assert jobs.execute(job.pk) == JobStatus.VALID
    job.refresh_from_db()
    assert (job.committed_at, job.summary["people"]["created"]) == (None, 1)
    assert Person.objects.count() == 0


def test_submit_runs_inline(org, officer_19):
    job = member_job([member(org)], officer_19)
    jobs.submit(job)
    job.refresh_from_db()
    assert job.status == JobStatus.VALID
    jobs.submit(job, commit=True)
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.DONE, 2)
    assert Person.objects.count() == 1


def test_job_with_an_error_is_invalid_and_keeps_its_issues(org, officer_19):
    rows = [member(org), member(org, joined_on="31/02/2020")]
    job = member_job(rows, officer_19, extra={"Ghi chú": ["", ""]})
    job.commit_requested = True
    job.save()
    assert jobs.execute(job.pk) == JobStatus.INVALID
    job.refresh_from_db()
    assert (job.committed_at, job.rows, job.error_rows, job.issues_total) == (None, 2, 1, 2)
    issues = list(
        ImportIssue.objects.filter(job=job).values_list(
            "row", "column", "value", "message", "severity"
        )
    )
    assert issues == [
        (1, "Ghi chú", "Ghi chú", "Cột không được nhận dạng, bỏ qua.", Severity.WARNING),
        (3, "Ngày gia nhập", "31/02/2020", "Ngày không tồn tại trong lịch.", Severity.ERROR),
    ]
    assert Person.objects.count() == 0
    # A re-run replaces the issues, never adds to them.
    jobs.execute(job.pk)
    assert ImportIssue.objects.filter(job=job).count() == 2


def test_unreadable_file_makes_the_job_invalid_with_a_message(officer_19):
    job = make_job("members", b"PK\x03\x04 hong", officer_19, name="ds.xlsx")
    assert jobs.execute(job.pk) == JobStatus.INVALID
    job.refresh_from_db()
    assert job.message.startswith("Không mở được tệp Excel")


def test_job_exception_fails_with_a_vietnamese_message(org, officer_19, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(jobs, "run", broken)
    job = member_job([member(org)], officer_19)
    assert jobs.execute(job.pk) == JobStatus.FAILED
    job.refresh_from_db()
    assert job.message == ("Lỗi hệ thống khi xử lý (RuntimeError); không có dữ liệu nào được ghi.")
    assert job.finished_at is not None


def test_job_crash_while_writing_leaves_nothing(org, officer_19, monkeypatch):
    """The write itself ran, then something broke before the commit: all of it is undone."""
    real = services.import_memberships

    def write_then_break(*args, **kwargs):
        real(*args, **kwargs)
        assert Person.objects.count() == 2  # written inside the import's transaction
        raise ConnectionError("mất kết nối")

    monkeypatch.setattr(services, "import_memberships", write_then_break)
    job = member_job([member(org), member(org)], officer_19)
    job.commit_requested = True
    job.save()
    before = counts()
    assert jobs.execute(job.pk) == JobStatus.FAILED
    assert counts() == before
    org.refresh_from_db()
    assert org.members_count == 0
    job.refresh_from_db()
    assert "ConnectionError" in job.message
    assert job.committed_at is None


def _running(officer, started: dt.datetime) -> ImportJob:
    job = make_job("members", b"x", officer)
    ImportJob.objects.filter(pk=job.pk).update(status=JobStatus.VALIDATING, started_at=started)
    return job


def test_reap_fails_a_job_whose_worker_stopped(officer_19, settings):
    settings.JOB_STALE = 60
    now = timezone.now()
    stale = _running(officer_19, now - dt.timedelta(minutes=10))
    fresh = _running(officer_19, now)
    beating = _running(officer_19, now - dt.timedelta(minutes=10))
    caches["jobs"].set(f"import-progress:{beating.pk}", {"beat": time.time()})
    silent = _running(officer_19, now - dt.timedelta(minutes=10))
    caches["jobs"].set(f"import-progress:{silent.pk}", {"beat": time.time() - 600})
    finished = make_job("members", b"x", officer_19)
    ImportJob.objects.filter(pk=finished.pk).update(
        status=JobStatus.DONE, started_at=now - dt.timedelta(days=1)
    )

    assert jobs.reap() == 2
    states = dict(ImportJob.objects.values_list("pk", "status"))
    assert states[stale.pk] == states[silent.pk] == JobStatus.FAILED
    assert states[fresh.pk] == states[beating.pk] == JobStatus.VALIDATING
    assert states[finished.pk] == JobStatus.DONE
    stale.refresh_from_db()
    assert stale.message.startswith("Tiến trình xử lý đã dừng đột ngột")
    assert stale.finished_at is not None
    assert jobs.reap() == 0  # already failed


def test_reap_with_a_later_clock(officer_19, settings):
    settings.JOB_STALE = 60
    job = _running(officer_19, timezone.now())
    assert jobs.reap() == 0
    assert jobs.reap(now=time.time() + 120) == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED

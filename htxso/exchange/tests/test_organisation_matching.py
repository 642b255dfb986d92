"""Which organisation a row of an organisations file is about, and what a blank cell changes.

A row matches on the organisation's id on HTX Số first, then on its tax code. A cooperative group
has no tax code: re-importing a file of groups must never make second copies, so a row with
neither code that names an organisation the province already has (same kind, same name) is an
error, never a merge. A blank commune is "no change" like any blank optional cell, except on a
row that moves the organisation to another province.
"""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from htxso.core.models import AuditEntry, Commune
from htxso.exchange import exports, importers
from htxso.exchange.exports import csv_stream
from htxso.exchange.layouts import ORGANISATION_LAYOUT
from htxso.exchange.models import Severity
from htxso.registry import services
from htxso.registry.choices import OrganisationKind, Sector, Status
from htxso.registry.models import Organisation
from htxso.registry.tests.factories import CooperativeGroupFactory, OrganisationFactory
from htxso.tabular.workbooks import stream_xlsx

from .test_importers import (
    counts,
    csv_bytes,
    errors,
    make_job,
    only_error,
    organisation,
    organisation_job,
    table,
    xlsx_bytes,
)

pytestmark = pytest.mark.usefixtures("media")

ORG_ID = "Mã tổ chức trên HTX Số"
UNCHANGED = {"created": 0, "updated": 0, "unchanged": 1, "status_changes": 0}
UPDATED = {"created": 0, "updated": 1, "unchanged": 0, "status_changes": 0}


def group(**values) -> dict:
    """A cooperative group of Thái Nguyên: no tax code."""
    row = organisation(**{"kind": "Tổ hợp tác", "tax_code": "", "charter_capital": "", **values})
    row["name"] = values.get("name", row["name"].replace("Hợp tác xã", "Tổ hợp tác"))
    return row


def hanoi_commune() -> Commune:
    return Commune.objects.filter(province_id="01").order_by("code").first()  # type: ignore[return-value]


# --- 1. a blank commune ----------------------------------------------------------------------


@pytest.mark.parametrize("strategy", ["update", "upsert"])
def test_blank_commune_on_update_keeps_the_commune(officer_19, strategy):
    rows = [organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    created = Organisation.objects.get()
    assert created.commune.name == "Xã Tân Cương"
    rows[0].update(commune="", phone="0208 3999 999")
    report = importers.run(organisation_job(rows, officer_19, strategy), commit=True)
    assert errors(report) == []
    assert report.summary["organisations"] == UPDATED
    fresh = Organisation.objects.get()
    assert (fresh.commune_id, fresh.phone) == (created.commune_id, "0208 3999 999")
    update = AuditEntry.objects.get(action="update")
    assert update.before == {"phone": "0208 3855 123"}  # the commune is not part of the change
    # …and a file whose only difference is the blank commune changes nothing at all.
    rows[0]["phone"] = "0208 3999 999"
    report = importers.run(organisation_job(rows, officer_19, strategy), commit=True)
    assert report.summary["organisations"] == UNCHANGED
    assert Organisation.objects.get().commune_id == created.commune_id


def test_a_given_commune_still_replaces_the_old_one(officer_19):
    rows = [organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    rows[0]["commune"] = "Phường Phan Đình Phùng"
    report = importers.run(organisation_job(rows, officer_19, "update"), commit=True)
    assert report.summary["organisations"] == UPDATED
    assert Organisation.objects.get().commune.name == "Phường Phan Đình Phùng"


def test_moving_to_another_province_without_a_commune_clears_it(officer_19):
    rows = [organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    rows[0].update(province="Hà Nội", commune="")
    report = importers.run(organisation_job(rows, None, "update"), commit=True)
    assert errors(report) == []
    moved = Organisation.objects.get()
    assert (moved.province_id, moved.commune_id) == ("01", None)  # no Thái Nguyên commune left


def test_moving_to_another_province_with_its_commune(officer_19):
    rows = [organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    commune = hanoi_commune()
    rows[0].update(province="Hà Nội", commune=commune.name)
    report = importers.run(organisation_job(rows, None, "upsert"), commit=True)
    assert errors(report) == []
    moved = Organisation.objects.get()
    assert (moved.province_id, moved.commune_id) == ("01", commune.code)


def test_moving_with_the_old_provinces_commune_is_an_error(officer_19):
    rows = [organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    rows[0].update(province="Hà Nội")  # commune still "Xã Tân Cương" of Thái Nguyên
    report = importers.run(organisation_job(rows, None, "update"), commit=True)
    finding = only_error(report)
    assert finding.column == "Xã/phường"
    assert "Không tìm thấy xã/phường “Xã Tân Cương” thuộc Hà Nội" in finding.message
    assert Organisation.objects.get().province_id == "19"


def test_an_officer_may_not_move_an_organisation_out_of_the_province(officer_19):
    rows = [organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    rows[0].update(province="Hà Nội", commune="")
    report = importers.run(organisation_job(rows, officer_19, "update"), commit=True)
    assert only_error(report).message == (
        "Bạn không có quyền chuyển tổ chức sang tỉnh/thành phố này."
    )
    kept = Organisation.objects.get()
    assert (kept.province_id, kept.commune.name) == ("19", "Xã Tân Cương")


# --- 3. matching: the id on HTX Số, then the tax code -------------------------------------------


def _export(user, fmt: str) -> bytes:
    headers, rows = exports.organisation_rows(user, {"province": "19"}, fmt)
    if fmt == "csv":
        return "".join(csv_stream(headers, rows)).encode("utf-8")
    return b"".join(stream_xlsx(headers, rows))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_reimporting_an_exported_file_changes_nothing(officer_19, fmt):
    rows = [organisation(), group(), group(commune="", street="")]
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    assert report.summary["organisations"]["created"] == 3
    data = _export(officer_19, fmt)
    before = counts()
    versions = dict(Organisation.objects.values_list("pk", "version"))
    job = make_job("organisations", data, officer_19, name=f"to-chuc.{fmt}")
    report = importers.run(job, commit=True)
    assert errors(report) == []
    assert report.findings == []  # the member count agrees with the memberships held
    assert report.summary["organisations"] == {
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "status_changes": 0,
    }
    assert counts() == before  # no second copy of either group, no audit entry
    assert dict(Organisation.objects.values_list("pk", "version")) == versions
    assert Organisation.objects.filter(kind=OrganisationKind.COOPERATIVE_GROUP).count() == 2


def test_reimporting_an_export_of_organisations_entered_on_the_pages(officer_19):
    """Records made by the page services, not by an import: a group without a commune, and a
    manufacturing cooperative the page marked agricultural (a flag with no column)."""
    CooperativeGroupFactory(province_id="19")
    OrganisationFactory(province_id="19", sector=Sector.C, is_agricultural=True)
    OrganisationFactory(
        province_id="19",
        commune_id=Commune.objects.filter(province_id="19")
        .order_by("code")
        .values_list("code", flat=True)
        .first(),
    )
    data = _export(officer_19, "xlsx")  # (the export's own audit entry comes first)
    before = counts()
    versions = dict(Organisation.objects.values_list("pk", "version"))
    job = make_job("organisations", data, officer_19, name="tc.xlsx")
    report = importers.run(job, commit=True)
    assert errors(report) == []
    assert report.summary["organisations"]["unchanged"] == 3
    assert counts() == before
    assert dict(Organisation.objects.values_list("pk", "version")) == versions


def test_a_new_sector_recomputes_agricultural(officer_19):
    rows = [organisation(agricultural_type="")]
    importers.run(organisation_job(rows, officer_19), commit=True)
    assert Organisation.objects.get().is_agricultural  # sector A
    rows[0]["sector"] = "C"
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    assert report.summary["organisations"] == UPDATED
    assert not Organisation.objects.get().is_agricultural
    rows[0]["agricultural_type"] = "Trồng trọt"  # C, but farming: agricultural again
    importers.run(organisation_job(rows, officer_19), commit=True)
    assert Organisation.objects.get().is_agricultural


def test_an_exported_group_edited_and_reimported_is_updated_in_place(officer_19):
    importers.run(organisation_job([group(), group()], officer_19), commit=True)
    data = _export(officer_19, "xlsx")
    book = load_workbook(io.BytesIO(data))
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    name, phone = headers.index("Tên tổ chức") + 1, headers.index("Điện thoại") + 1
    target = Organisation.objects.get(pk=sheet.cell(row=2, column=headers.index(ORG_ID) + 1).value)
    sheet.cell(row=2, column=name, value="Tổ hợp tác Chè Đổi Tên")
    sheet.cell(row=2, column=phone, value="0912 000 111")
    buffer = io.BytesIO()
    book.save(buffer)
    job = make_job("organisations", buffer.getvalue(), officer_19, "update", "sua.xlsx")
    report = importers.run(job, commit=True)
    assert errors(report) == []
    assert report.summary["organisations"]["updated"] == 1
    assert report.summary["organisations"]["unchanged"] == 1
    fresh = Organisation.objects.get(pk=target.pk)
    assert (fresh.name, fresh.phone) == ("Tổ hợp tác Chè Đổi Tên", "0912 000 111")
    assert Organisation.objects.count() == 2


def test_reimporting_groups_without_their_id_is_an_error_row_per_group(officer_19):
    rows = [group(), group(), organisation()]
    importers.run(organisation_job(rows, officer_19), commit=True)
    first, second = Organisation.objects.filter(kind=OrganisationKind.COOPERATIVE_GROUP).order_by(
        "pk"
    )
    before = counts()
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    found = errors(report)
    assert [(f.row, f.column, f.value) for f in found] == [
        (2, "Tên tổ chức", rows[0]["name"]),
        (3, "Tên tổ chức", rows[1]["name"]),
    ]
    assert found[0].message == (
        f"Đã có tổ chức cùng tên và loại hình ở tỉnh/thành phố này (mã tổ chức trên HTX Số: "
        f"{first.pk}); ghi mã này vào cột “{ORG_ID}” để cập nhật tổ chức đó."
    )
    assert f"{second.pk}" in found[1].message
    assert counts() == before  # never a merge, never a second copy


def test_a_dissolved_group_of_the_same_name_is_a_warning_and_the_row_is_created(officer_19):
    """A name is free again once its holder is dissolved or bankrupt: the row is a new group,
    with a note naming the closed one (the officer may have meant it); an active one of the
    same name beside it still refuses the row."""
    closed = CooperativeGroupFactory(name="Tổ hợp tác Chè Cũ", province_id="19")
    services.change_status(None, closed.pk, Status.DISSOLVED, dt.date(2024, 6, 30))
    report = importers.run(organisation_job([group(name="Tổ hợp tác Chè Cũ")], officer_19), True)
    assert errors(report) == []
    [note] = [f for f in report.findings if f.severity == Severity.WARNING]
    assert (note.row, note.column) == (2, "Tên tổ chức")
    assert note.message == (
        "Tỉnh/thành phố này có một tổ chức cùng tên và loại hình nhưng ở trạng thái "
        f"“Đã giải thể” (mã tổ chức trên HTX Số: {closed.pk}); dòng này được thêm như một tổ "
        f"chức mới. Nếu là tổ chức đó, ghi mã này vào cột “{ORG_ID}”."
    )
    assert report.summary["organisations"]["created"] == 1
    new = Organisation.objects.exclude(pk=closed.pk).get()
    assert (new.name, new.status) == ("Tổ hợp tác Chè Cũ", Status.ACTIVE)

    before = counts()  # the same file again: the new, active group refuses it
    report = importers.run(organisation_job([group(name="Tổ hợp tác Chè Cũ")], officer_19), True)
    assert f"(mã tổ chức trên HTX Số: {new.pk})" in only_error(report).message
    assert counts() == before


def test_same_group_twice_in_one_file_is_an_error_naming_the_first_row(officer_19):
    first = group(name="Tổ hợp tác Chè Hồng Thái")
    rows = [
        first,
        organisation(),
        group(name="  TỔ HỢP TÁC chè   hồng thái "),  # case and spacing do not make a new name
    ]
    report = importers.run(organisation_job(rows, officer_19), commit=False)
    finding = only_error(report)
    assert (finding.row, finding.column) == (4, "Tên tổ chức")
    assert finding.message == "Trùng tên và loại hình với dòng 2 của tệp (cùng tỉnh/thành phố)."


def test_same_name_of_another_kind_province_or_spelling_is_a_new_organisation(officer_19):
    CooperativeGroupFactory(name="Tổ hợp tác Lúa", province_id="19")
    rows = [
        group(name="Tổ hợp tác Lựa"),  # diacritics make another name
        organisation(kind="Hộ kinh doanh", tax_code="", name="Tổ hợp tác Lúa", sector="G"),
        group(name="Tổ hợp tác Lúa", province="Hà Nội", commune=""),
    ]
    report = importers.run(organisation_job(rows, None), commit=True)
    assert errors(report) == []
    assert report.summary["organisations"]["created"] == 3


def test_a_group_found_by_its_id(officer_19):
    existing = CooperativeGroupFactory(province_id="19", phone="")
    row = group(name=existing.name, organisation_id=str(existing.pk), phone="0912 000 222")
    report = importers.run(organisation_job([row], officer_19, "update"), commit=True)
    assert errors(report) == []
    assert report.summary["organisations"]["updated"] == 1
    assert Organisation.objects.get().phone == "0912 000 222"


def test_the_id_wins_over_the_name(officer_19):
    """A row with its id renames the group; no duplicate check by name is needed."""
    existing = CooperativeGroupFactory(province_id="19")
    row = group(name="Tổ hợp tác Tên Mới", organisation_id=existing.pk)
    report = importers.run(organisation_job([row], officer_19), commit=True)
    assert errors(report) == []
    assert Organisation.objects.get().name == "Tổ hợp tác Tên Mới"


def test_the_id_in_a_number_cell(officer_19):
    existing = CooperativeGroupFactory(province_id="19")
    row = group(name=existing.name, organisation_id=existing.pk, phone="0912 000 333")
    data = xlsx_bytes(table(ORGANISATION_LAYOUT, [row]))
    job = make_job("organisations", data, officer_19, name="to-chuc.xlsx")
    report = importers.run(job, commit=True)
    assert errors(report) == []
    assert Organisation.objects.get(pk=existing.pk).phone == "0912 000 333"


def test_a_cooperative_found_by_its_id_with_the_same_tax_code(org, officer_19):
    row = organisation(tax_code=org.tax_code, organisation_id=org.pk, name="Hợp tác xã Tên Mới")
    report = importers.run(organisation_job([row], officer_19), commit=True)
    assert errors(report) == []
    assert Organisation.objects.get().name == "Hợp tác xã Tên Mới"


def test_a_group_given_its_first_tax_code_through_its_id(officer_19):
    existing = CooperativeGroupFactory(province_id="19")
    row = group(name=existing.name, organisation_id=existing.pk, tax_code="4600123459")
    report = importers.run(organisation_job([row], officer_19), commit=True)
    assert errors(report) == []
    assert Organisation.objects.get().tax_code == "4600123459"


def test_an_id_and_a_tax_code_of_two_organisations_are_refused(org, officer_19):
    other = OrganisationFactory(province_id="19")
    row = organisation(tax_code=other.tax_code, organisation_id=org.pk, name="Tên mới")
    report = importers.run(organisation_job([row], officer_19), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column, finding.value) == (2, ORG_ID, str(org.pk))
    assert finding.message == "Mã tổ chức không khớp với mã số thuế."
    assert set(Organisation.objects.values_list("name", flat=True)) == {org.name, other.name}


def test_an_id_with_another_tax_code_is_refused(org, officer_19):
    row = organisation(tax_code="4600123459", organisation_id=org.pk)  # not org's tax code
    report = importers.run(organisation_job([row], officer_19), commit=True)
    assert only_error(report).message == "Mã tổ chức không khớp với mã số thuế."
    assert Organisation.objects.get().tax_code == org.tax_code


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("999999", "Không có tổ chức mang mã này trên HTX Số."),
        ("12a", "Mã tổ chức phải là số."),
        ("-3", "Mã tổ chức phải là số."),
    ],
)
def test_an_unknown_or_invalid_id_is_an_error(officer_19, value, message):
    row = group(organisation_id=value)
    report = importers.run(organisation_job([row], officer_19), commit=True)
    finding = only_error(report)
    assert (finding.column, finding.value, finding.message) == (ORG_ID, value, message)
    assert Organisation.objects.count() == 0  # an id is never a new organisation


def test_strategy_create_with_the_id_of_an_existing_group(officer_19):
    existing = CooperativeGroupFactory(province_id="19")
    row = group(name=existing.name, organisation_id=existing.pk)
    report = importers.run(organisation_job([row], officer_19, "create"), commit=True)
    finding = only_error(report)
    assert finding.column == ORG_ID
    assert finding.message == (
        f"Mã tổ chức này đã có trong cơ sở dữ liệu ({existing.name}); chọn cách ghi có cập nhật."
    )


def test_strategy_update_without_any_code(officer_19):
    report = importers.run(organisation_job([group()], officer_19, "update"), commit=True)
    finding = only_error(report)
    assert finding.column == "Mã số thuế"
    assert finding.message == (
        "Không tìm thấy tổ chức để cập nhật: dòng không có mã tổ chức trên HTX Số hay mã số thuế."
    )


def test_one_organisation_twice_by_id_and_by_tax_code(org, officer_19):
    rows = [organisation(tax_code="", organisation_id=org.pk), organisation(tax_code=org.tax_code)]
    rows[0]["name"] = rows[1]["name"] = org.name
    report = importers.run(organisation_job(rows, officer_19), commit=True)
    finding = only_error(report)
    assert (finding.row, finding.column) == (3, "Mã số thuế")
    assert finding.message == "Cùng tổ chức với dòng 2 của tệp."


def test_the_same_id_twice(officer_19):
    existing = CooperativeGroupFactory(province_id="19")
    rows = [group(name=existing.name, organisation_id=existing.pk) for _ in range(2)]
    report = importers.run(organisation_job(rows, officer_19), commit=False)
    finding = only_error(report)
    assert (finding.row, finding.column, finding.message) == (
        3,
        ORG_ID,
        "Cùng tổ chức với dòng 2 của tệp.",
    )


def test_an_officer_may_not_update_another_provinces_group_by_id(officer_01):
    existing = CooperativeGroupFactory(province_id="19")
    row = group(name="Tổ hợp tác Tên Khác", organisation_id=existing.pk)
    report = importers.run(organisation_job([row], officer_01), commit=True)
    assert only_error(report).message == "Bạn không có quyền thay đổi tổ chức này."
    assert Organisation.objects.get().name == existing.name


def test_a_file_with_only_the_id_column_is_read(officer_19):
    existing = CooperativeGroupFactory(province_id="19")
    row = group(name=existing.name, organisation_id=existing.pk, phone="0912 000 444")
    cells = table(ORGANISATION_LAYOUT, [row])
    position = cells[0].index("Mã số thuế")
    cells = [r[:position] + r[position + 1 :] for r in cells]
    report = importers.run(make_job("organisations", csv_bytes(cells), officer_19), commit=True)
    assert errors(report) == []
    assert Organisation.objects.get().phone == "0912 000 444"


@pytest.fixture
def org(db) -> Organisation:
    """A cooperative of Thái Nguyên (19), founded 1/3/2015."""
    return OrganisationFactory(established_on=dt.date(2015, 3, 1))  # type: ignore[return-value]

"""The files provinces really keep (#17): title rows and a merged title cell above the header,
blank rows, the province's own headers and words ("Tên hợp tác xã", "Ngừng hoạt động",
"Lĩnh vực: nông nghiệp"), the whole address in one cell (old units, abbreviations), a member
count — in the three forms they arrive in (UTF-8 CSV, Windows-1258 CSV, XLSX), which must give
the same findings."""

import csv
import datetime as dt
import io

import pytest
from openpyxl import Workbook

from htxso.core import addresses
from htxso.exchange import importers, synonyms
from htxso.exchange.layouts import ORGANISATION_LAYOUT
from htxso.exchange.models import Synonym, SynonymKind
from htxso.registry.choices import OrganisationKind, Sector, Status
from htxso.registry.models import Organisation
from htxso.registry.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    UnionFactory,
    valid_tax_code,
)
from htxso.tabular.findings import Severity
from htxso.tabular.tests.test_sources import to_cp1258

from .test_importers import csv_bytes, errors, make_job, organisation, table

pytestmark = pytest.mark.usefixtures("media")
FARMING, MEMBERS = "Lĩnh vực nông nghiệp", "Số thành viên"  # the columns' headers

TITLE = ["UBND TỈNH THÁI NGUYÊN"]
HEADERS = [
    "STT",
    "Tên hợp tác xã",
    "Mã số HTX",
    "Loại hình",
    "Ngành nghề kinh doanh chính",
    "Lĩnh vực",
    "Địa chỉ trụ sở",
    "Ngày thành lập",
    "Số thành viên",
    "Tình trạng hoạt động",
    "Ngày tình trạng",
    "Ghi chú",
]


def provincial_rows(codes: list[str], **overrides: list[str]) -> list[list[str]]:
    """A province's list: two title rows, a blank row, its header, three organisations."""
    body = [
        [
            "1",
            "Hợp tác xã Chè Tân Cương Xanh",
            codes[0],
            "HTX",
            "Nông lâm thủy sản",
            "Nông nghiệp",
            "Xóm Hồng Thái, xã Tân Cương, TP Thái Nguyên, tỉnh Thái Nguyên",  # before 7/2025
            "15/03/2012",
            "12",
            "Hoạt động",
            "",
            "",
        ],
        [
            "2",
            "Hợp tác xã Dịch vụ Phan Đình Phùng",
            codes[1],
            "Hợp tác xã",
            "Thương mại, dịch vụ",
            "Phi nông nghiệp",
            "Tổ 5, P. Phan Đình Phùng, Thái Nguyên",  # today's units, abbreviated
            "01/06/2018",
            "7",
            "Ngừng hoạt động",
            "01/01/2024",
            "đã báo cáo",
        ],
        [
            "3",
            "Tổ hợp tác Rau sạch Tân Cương",
            "",
            "THT",
            "Nông lâm thủy sản",
            "Nông nghiệp",
            "Xã Tân Cương, Thái Nguyên",
            "10/10/2020",
            "4",
            "Đang HĐ",
            "",
            "",
        ],
    ]
    for column, values in overrides.items():
        position = HEADERS.index(column)
        for row, value in zip(body, values, strict=False):
            row[position] = value
    return [
        TITLE + [""] * (len(HEADERS) - 1),
        ["DANH SÁCH HỢP TÁC XÃ, TỔ HỢP TÁC NĂM 2024"] + [""] * (len(HEADERS) - 1),
        [""] * len(HEADERS),
        list(HEADERS),
        *body,
    ]


def as_csv(rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def as_xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append([int(c) if c.isdigit() and len(c) < 5 else (c or None) for c in row])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=len(HEADERS))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


FORMS = {
    "utf-8.csv": lambda rows: as_csv(rows).encode("utf-8"),
    "windows-1258.csv": lambda rows: to_cp1258(as_csv(rows)),
    "excel.xlsx": as_xlsx,
}


def run(rows: list[list[str]], form: str, actor, commit: bool = False) -> importers.ImportFindings:
    name = f"danh-sach-htx-{form}"
    return importers.run(make_job("organisations", FORMS[form](rows), actor, name=name), commit)


def shown(report: importers.ImportFindings) -> list[tuple]:
    return [(f.row, f.column, f.value, f.message, str(f.severity)) for f in report.findings]


@pytest.fixture
def codes() -> list[str]:
    return [valid_tax_code("19"), valid_tax_code("19")]


@pytest.mark.parametrize("form", list(FORMS))
def test_a_provincial_list_goes_in_on_the_first_try(officer_19, codes, form):
    report = run(provincial_rows(codes), form, officer_19, commit=True)

    assert errors(report) == [], report.findings
    assert report.rows == 3  # data rows only: not the titles, the blank row or the header
    assert report.summary["organisations"]["created"] == 3
    by_name = {o.name: o for o in Organisation.objects.select_related("commune")}
    tea = by_name["Hợp tác xã Chè Tân Cương Xanh"]
    assert (tea.tax_code, tea.kind, tea.sector) == (codes[0], OrganisationKind.COOPERATIVE, "A")
    assert tea.is_agricultural and tea.status == Status.ACTIVE
    assert tea.commune.name == "Xã Tân Cương"  # converted from the old three-level address
    assert tea.legacy_address == (  # the old address kept as the file wrote it
        "Xóm Hồng Thái, xã Tân Cương, Thành phố Thái Nguyên, tỉnh Thái Nguyên"
    )
    service = by_name["Hợp tác xã Dịch vụ Phan Đình Phùng"]
    assert service.sector == Sector.G and not service.is_agricultural  # "Phi nông nghiệp"
    assert service.commune.name == "Phường Phan Đình Phùng" and service.street == "Tổ 5"
    assert service.status == Status.NOT_OPERATING
    assert str(service.status_since) == "2024-01-01"  # the file's date, not the founding's
    group = by_name["Tổ hợp tác Rau sạch Tân Cương"]
    assert group.kind == OrganisationKind.COOPERATIVE_GROUP and group.tax_code is None
    # What the reader did, shown in the dry run: the old address converted, the columns
    # nobody reads named (the running number, the notes).
    conversions = [f for f in report.findings if f.severity == Severity.CONVERSION]
    assert [(f.row, f.column) for f in conversions] == [(5, "Xã/phường")]
    assert conversions[0].message == (
        "Địa chỉ cũ “xã Tân Cương, Thành phố Thái Nguyên, tỉnh Thái Nguyên” → "
        "“Xã Tân Cương, Thái Nguyên”."
    )
    warnings = [(f.row, f.value) for f in report.findings if f.severity == Severity.WARNING]
    assert warnings == [(4, "STT"), (4, "Ghi chú")]


def test_the_three_encodings_give_the_same_findings(officer_19, codes):
    rows = provincial_rows(
        codes,
        **{
            "Số thành viên": ["bảy", "3", "1"],  # not a number; an HTX below 5; a group below 2
            "Tình trạng hoạt động": ["Ngừng hoạt độn", "Ngừng hoạt động", "Ngừng hoạt động"],
            "Ngày tình trạng": ["01/01/2024", "", ""],
            "Lĩnh vực": ["Nông nghiệ", "phi nong nghiep", "Nông nghiệp"],
        },
    )
    reports = {form: run(rows, form, officer_19) for form in FORMS}
    first = shown(reports["utf-8.csv"])
    for form, report in reports.items():
        assert shown(report) == first, form
    assert reports["windows-1258.csv"].encoding == "windows-1258"
    assert not Organisation.objects.exists()  # a dry run
    report = reports["utf-8.csv"]
    assert report.rows == 3 and report.error_rows == 3
    found = [
        (f.row, f.column, f.message, f.severity)
        for f in report.findings
        if f.severity != Severity.CONVERSION and f.row > 4
    ]
    assert found == [
        (5, FARMING, "Chỉ nhận “Có” hoặc “Không”. Có phải “Nông nghiệp” (Có)?", "error"),
        (5, "Số thành viên", "“bảy” không phải là một số nguyên.", "error"),
        (
            5,
            "Tình trạng",
            "Giá trị không có trong danh mục. Có phải “Ngừng hoạt động nhưng chưa giải thể”? "
            "Danh mục: Đang hoạt động; Tạm ngừng kinh doanh; Ngừng hoạt động nhưng chưa giải "
            "thể; Đã giải thể; Phá sản.",
            "error",
        ),
        (6, MEMBERS, "Có 3 thành viên, ít hơn mức tối thiểu 5 của loại hình này.", "error"),
        (7, MEMBERS, "Có 1 thành viên, ít hơn mức tối thiểu 2 của loại hình này.", "warning"),
        (7, "Tình trạng từ ngày", "Thiếu ngày của tình trạng mới.", "error"),
    ]


def test_a_member_count_is_reconciled_with_the_memberships_held(officer_19):
    union = UnionFactory()
    held = OrganisationFactory()
    for _n in range(6):
        MembershipFactory(organisation=held)
    held.refresh_from_db()
    rows = [
        organisation(tax_code=union.tax_code, name=union.name, kind="Liên hiệp HTX"),
        organisation(tax_code=held.tax_code, name=held.name),
    ]
    data = csv_bytes(table(ORGANISATION_LAYOUT, rows, extra={"Số thành viên": ["2", "9"]}))
    report = importers.run(make_job("organisations", data, officer_19), commit=False)
    assert errors(report) == []
    found = [(f.row, f.message) for f in report.findings if f.column == "Số thành viên"]
    assert found == [
        (2, "Liên hiệp hợp tác xã có 2 hợp tác xã thành viên, ít hơn mức tối thiểu 3."),
        (
            2,
            "Tệp ghi 2 thành viên; HTX Số đang có 0 tư cách thành viên của tổ chức này. "
            "Hãy đối chiếu danh sách thành viên.",
        ),
        (
            3,
            "Tệp ghi 9 thành viên; HTX Số đang có 6 tư cách thành viên của tổ chức này. "
            "Hãy đối chiếu danh sách thành viên.",
        ),
    ]
    assert held.members_count == 6


def test_a_header_below_a_title_is_found_and_a_file_without_one_says_where_it_looked(
    officer_19,
):
    rows = [["Danh sách"], ["Tên", "Ghi chú"], ["HTX A", "x"]]
    report = run(rows, "utf-8.csv", officer_19)
    assert report.message.startswith("Tệp thiếu cột bắt buộc (dòng tiêu đề là dòng 2):")
    assert "“Loại hình”" in report.message and "“Ngày thành lập”" in report.message


def test_a_csv_of_blank_lines_is_an_empty_file(officer_19):
    from htxso.tabular.sources import FileError

    job = make_job("organisations", b"\r\n,,,\r\n\r\n", officer_19)
    with pytest.raises(FileError, match="Tệp trống"):
        importers.run(job, commit=False)


def test_a_synonym_added_by_an_administrator_is_read_on_the_next_run(officer_19, codes):
    rows = provincial_rows(codes, **{"Tình trạng hoạt động": ["Còn HĐ", "Hoạt động", "Đang HĐ"]})
    report = run(rows, "utf-8.csv", officer_19)
    assert [f.value for f in errors(report)] == ["Còn HĐ"]
    Synonym.objects.create(kind=SynonymKind.VALUE, column="status", text="Còn HĐ", value="active")
    Synonym.objects.create(
        kind=SynonymKind.HEADER, layout="organisations", column="street", text="Ghi chú"
    )
    report = run(rows, "utf-8.csv", officer_19)
    assert errors(report) == []
    assert [f.value for f in report.findings if f.severity == Severity.WARNING] == ["STT"]
    assert synonyms.headers("organisations")["ghi chu"] == "street"


@pytest.mark.parametrize(
    ("cell", "parts"),
    [
        (
            "Xóm Hồng Thái, xã Tân Cương, TP Thái Nguyên, tỉnh Thái Nguyên",
            {
                "province": "tỉnh Thái Nguyên",
                "legacy_district": "Thành phố Thái Nguyên",
                "commune": "xã Tân Cương",
                "street": "Xóm Hồng Thái",
            },
        ),
        (
            "TT Đu - H. Phú Lương - Thái Nguyên",
            {
                "province": "Thái Nguyên",
                "legacy_district": "Huyện Phú Lương",
                "commune": "Thị trấn Đu",
                "street": "",
            },
        ),
        (
            "Tổ 5, P. Phan Đình Phùng, Thái Nguyên",
            {"province": "Thái Nguyên", "commune": "Phường Phan Đình Phùng", "street": "Tổ 5"},
        ),
        (
            "Tân Cương, Thái Nguyên, Thái Nguyên",  # no unit types: old units read them
            {
                "province": "Thái Nguyên",
                "legacy_district": "Thái Nguyên",
                "commune": "Tân Cương",
                "street": "",
            },
        ),
        ("Thái Nguyên", {"province": "Thái Nguyên"}),
    ],
)
def test_a_one_cell_address_is_split_into_its_units(db, cell, parts):
    assert addresses.split_address(cell) == parts


def test_central_officers_keep_the_synonyms_on_their_page(client, officer_19):
    from django.urls import reverse

    from htxso.core.roles import Role
    from htxso.registry.tests.conftest import make_user

    url = reverse("exchange:synonyms")
    client.force_login(officer_19)  # provinces read the catalogue
    page = client.get(url, {"column": "status"})
    assert page.status_code == 200 and "Ngừng hoạt động" in page.content.decode()
    assert 'id="synonym-form"' not in page.content.decode()
    entry = {"kind": "value", "column": "status", "text": "Còn HĐ", "value": "active"}
    assert client.post(url, entry).status_code == 403

    client.force_login(make_user("trung-uong", Role.CENTRAL_OFFICER, None))
    assert client.post(url, entry).status_code == 302
    added = Synonym.objects.get(text="Còn HĐ")
    assert synonyms.current().values["status"]["con hd"] == "active"
    refused = client.post(url, {**entry, "text": "Còn HĐ", "value": "nope"})
    assert refused.status_code == 400
    assert "Giá trị không có trong danh mục của cột." in refused.content.decode()
    header = {"kind": "header", "layout": "organisations", "column": "no_such", "text": "X"}
    assert client.post(url, header).status_code == 400  # not a field of any file
    client.post(reverse("exchange:synonym-delete", args=[added.pk]))
    assert not Synonym.objects.filter(text="Còn HĐ").exists()
    assert "con hd" not in synonyms.current().values["status"]


def test_a_member_list_with_one_cell_addresses_and_its_own_words(officer_19):
    from htxso.core.cccd import FEMALE, MALE
    from htxso.registry.models import Membership, Person
    from htxso.registry.tests.factories import valid_cccd

    tea = OrganisationFactory(established_on=dt.date(2012, 3, 15))
    rows = [
        ["DANH SÁCH THÀNH VIÊN HTX"],
        ["STT", "Mã số thuế HTX", "Họ tên thành viên", "CCCD", "Nơi cư trú", "Loại TV", "Ngày vào"],
        ["1", tea.tax_code, "Trần Thị Bình", valid_cccd(FEMALE, 1985),
         "Tổ 5, P. Phan Đình Phùng, Thái Nguyên", "Chính thức", "01/06/2015"],
        ["2", tea.tax_code, "Lê Văn Cường", valid_cccd(MALE, 1979),
         "Xóm 3, xã Tân Cương, TP Thái Nguyên, tỉnh Thái Nguyên", "Liên kết", "02/07/2016"],
    ]  # fmt: skip
    data = as_csv(rows).encode("utf-8")
    report = importers.run(make_job("members", data, officer_19, name="thanh-vien.csv"), True)
    assert errors(report) == [], report.findings
    assert [f.severity for f in report.findings] == ["warning", "conversion"]  # STT; old address
    binh = Person.objects.get(full_name="Trần Thị Bình")
    assert (binh.commune.name, binh.address, binh.legacy_address) == (
        "Phường Phan Đình Phùng",
        "Tổ 5",
        "",
    )
    cuong = Person.objects.get(full_name="Lê Văn Cường")
    assert cuong.commune.name == "Xã Tân Cương" and "TP" not in cuong.legacy_address
    kinds = dict(Membership.objects.values_list("person__full_name", "kind"))
    assert kinds == {"Trần Thị Bình": "official", "Lê Văn Cường": "associate"}

"""Streamed exports: the list page's filters, values the importer reads back, personal data
scoped and masked by role, and one audit entry per export with the rows sent."""

import csv
import datetime as dt
import io
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import include, path, reverse
from openpyxl import load_workbook

from htxso import urls as project_urls
from htxso.core import addresses
from htxso.core.models import AuditEntry, Commune
from htxso.core.personal import mask
from htxso.core.roles import Role
from htxso.exchange import export_views, exports
from htxso.exchange.layouts import MEMBER_LAYOUT, ORGANISATION_LAYOUT
from htxso.registry import services
from htxso.registry.choices import (
    AgriculturalType,
    Classification,
    MemberKind,
    OrganisationKind,
    Sector,
    Status,
)
from htxso.registry.models import Membership, Organisation
from htxso.registry.tests.conftest import make_user
from htxso.registry.tests.factories import (
    CooperativeGroupFactory,
    MembershipFactory,
    OrganisationFactory,
    PersonFactory,
    UnionFactory,
    valid_tax_code,
)

# The export views under a namespace of their own, so these tests do not depend on how (or
# whether) the project's URLconf wires them; the project's routes are kept for the login page.
urlpatterns = [
    path(
        "test-exports/",
        include(
            (
                [
                    path("templates/<str:kind>.xlsx", export_views.template_download, name="t"),
                    path("org.<str:fmt>", export_views.export_organisations, name="org"),
                    path("mem.<str:fmt>", export_views.export_members, name="mem"),
                ],
                "exports_test",
            )
        ),
    ),
    *project_urls.urlpatterns,
]
pytestmark = pytest.mark.urls(__name__)


ORG_ID = "Mã tổ chức trên HTX Số"


def _content(response) -> bytes:
    # Consuming the stream closes the response (the test client's wrapper, as a WSGI server
    # would); closing it again here would fire request_finished and drop the test's connection.
    return b"".join(response.streaming_content)


def _csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Vietnamese correctly
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


def _xlsx(data: bytes) -> list[tuple]:
    book = load_workbook(io.BytesIO(data))
    return [tuple(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def _as_text(rows) -> list[list[str]]:
    return [["" if v is None else str(v) for v in row] for row in rows]


def _consume(result) -> tuple[list[str], list[tuple]]:
    headers, rows = result
    return headers, list(rows)


def _last_export() -> AuditEntry:
    return AuditEntry.objects.filter(action="export").latest("id")


@pytest.fixture
def central_officer(db):
    return make_user("can-bo-tw", Role.CENTRAL_OFFICER)


@pytest.fixture
def adviser(db):
    return make_user("tu-van", Role.ALLIANCE_ADVISER)


@pytest.fixture
def commune_19(db) -> Commune:
    return Commune.objects.filter(province_id="19").order_by("code").first()  # type: ignore[return-value]


@pytest.fixture
def registry(db, commune_19):
    """Organisations in Thái Nguyên (19) and Hà Nội (01), people and memberships in both."""
    full = OrganisationFactory(
        province_id="19",
        commune_id=commune_19.code,
        street="Tổ 5",
        name="Hợp tác xã Chè Tân Cương",
        short_name="HTX Chè Tân Cương",
        sector=Sector.A,
        vsic_code="01271",
        agricultural_type=AgriculturalType.CROPS,
        established_on=dt.date(2012, 3, 15),
        registered_on=dt.date(2012, 4, 2),
        charter_capital=1_500_000_000,
        legal_representative="Nguyễn Văn An",
        phone="0208 3855 123",
        email="chetancuong@example.vn",
        is_high_tech=True,
        in_value_chain=False,
        classification=Classification.GOOD,
    )
    group = CooperativeGroupFactory(province_id="19")
    hanoi = [OrganisationFactory(province_id="01", tax_code=valid_tax_code("01")) for _ in range(2)]
    people_19 = [
        PersonFactory(
            born=1985,
            birth_date=dt.date(1985, 9, 2),
            phone="0912345678",
            address="Tổ 5, Tân Cương",
            email="a@example.vn",
            province_id="19",
            commune_id=commune_19.code,
        )
        for _ in range(3)
    ]
    for person in people_19:
        MembershipFactory(organisation=full, person=person, capital_contributed=20_000_000)
    ended = MembershipFactory(organisation=group, person=people_19[0])
    services.end_membership(None, ended.pk, dt.date(2023, 6, 30))
    people_01 = [PersonFactory(province_id="01") for _ in range(2)]
    for person in people_01:
        MembershipFactory(organisation=hanoi[0], person=person, kind=MemberKind.ASSOCIATE)
    return {"full": full, "group": group, "hanoi": hanoi, "people_19": people_19}


# --- organisations ------------------------------------------------------------------------------


def test_organisation_export_filtered_by_province_has_exactly_its_organisations(client, registry):
    response = client.get(reverse("exports_test:org", args=["csv"]), {"province": "19"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert re.fullmatch(
        r'attachment; filename="to-chuc-\d{8}\.csv"', response["Content-Disposition"]
    )
    rows = _csv(_content(response))
    headers, body = rows[0], rows[1:]
    ids = {int(row[headers.index(ORG_ID)]) for row in body}
    expected = set(Organisation.objects.filter(province_id="19").values_list("id", flat=True))
    assert ids == expected == {registry["full"].pk, registry["group"].pk}


def test_organisation_export_xlsx_has_the_same_rows_as_csv(client, registry):
    params = {"kind": OrganisationKind.COOPERATIVE}
    csv_rows = _csv(_content(client.get(reverse("exports_test:org", args=["csv"]), params)))
    response = client.get(reverse("exports_test:org", args=["xlsx"]), params)
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('.xlsx"')
    xlsx_rows = _xlsx(_content(response))
    assert _as_text(xlsx_rows) == csv_rows
    assert len(csv_rows) == 1 + Organisation.objects.filter(kind="cooperative").count()


def test_organisation_values_are_written_as_the_importer_reads_them(registry, commune_19):
    headers, rows = _consume(exports.organisation_rows(None, {"province": "19"}))
    row = dict(
        zip(
            headers,
            next(r for r in rows if r[headers.index(ORG_ID)] == registry["full"].pk),
            strict=True,
        )
    )
    column = {c.key: str(c.header) for c in ORGANISATION_LAYOUT.columns}
    assert row[column["kind"]] == "Hợp tác xã"
    assert row[column["sector"]] == "A - Nông nghiệp, lâm nghiệp và thủy sản"
    assert row[column["agricultural_type"]] == "Trồng trọt"
    assert row[column["province"]] == "Thái Nguyên"
    assert row[column["legacy_district"]] == ""
    assert row[column["commune"]] == commune_19.name
    assert row[column["established_on"]] == "15/03/2012"
    assert row[column["registered_on"]] == "02/04/2012"
    assert row[column["charter_capital"]] == 1_500_000_000
    assert row[column["is_high_tech"]] == "Có"
    assert row[column["in_value_chain"]] == "Không"
    assert row[column["classification"]] == "Tốt"
    assert row[column["status"]] == "Đang hoạt động"
    assert row[column["status_since"]] == "15/03/2012"
    assert row[column["vsic_code"]] == "01271"
    assert row["Số thành viên"] == 3


def test_organisation_export_reimports_column_for_column(registry):
    """Headers map back through the template's matcher (the id on HTX Số included; the member
    count is read as the declared count, checked against the memberships) and every written
    value parses back to the stored one."""
    headers, rows = _consume(exports.organisation_rows(None, {}))
    mapping, unknown = ORGANISATION_LAYOUT.match_headers(headers)
    assert unknown == []
    keys = [c.key for c in mapping.values()]
    assert keys == [c.key for c in ORGANISATION_LAYOUT.columns] + ["members_declared"]
    assert ORGANISATION_LAYOUT.columns[-1].header == ORG_ID  # where exports always had it
    stored = {o.pk: o for o in Organisation.objects.all()}
    column_header = {c.key: str(c.header) for c in ORGANISATION_LAYOUT.columns}
    for row in rows:
        organisation = stored[row[headers.index(ORG_ID)]]
        for position, column in mapping.items():
            value = row[position]
            if value in ("", None) or column.key in ("province", "commune", "legacy_district"):
                continue
            parsed = column.parse(value)
            attribute = {"organisation_id": "pk", "members_declared": "members_count"}.get(
                column.key, column.key
            )
            assert parsed == getattr(organisation, attribute), column.key
        # Places are written by name and found again by the importer's address lookup.
        place = addresses.resolve_current(
            row[headers.index(column_header["province"])],
            row[headers.index(column_header["commune"])],
        )
        assert (place.province_id, place.commune_id) == (
            organisation.province_id,
            organisation.commune_id,
        )


def test_organisation_export_follows_the_list_filters(registry):
    headers, rows = _consume(exports.organisation_rows(None, {"q": "chè tân cương"}))
    assert [r[headers.index(ORG_ID)] for r in rows] == [registry["full"].pk]
    headers, rows = _consume(
        exports.organisation_rows(None, {"province": "01", "status": Status.DISSOLVED})
    )
    assert rows == []


def test_organisation_export_sorted_like_the_list_when_asked(registry):
    headers, rows = _consume(exports.organisation_rows(None, {"sort": "-members"}))
    counts = [r[headers.index("Số thành viên")] for r in rows]
    assert counts == sorted(counts, reverse=True) and counts[0] == 3
    headers, rows = _consume(exports.organisation_rows(None, {}))
    ids = [r[headers.index(ORG_ID)] for r in rows]
    assert ids == sorted(ids)


def test_organisation_export_reads_without_one_query_per_row(
    registry, django_assert_max_num_queries
):
    for _ in range(5):
        OrganisationFactory(province_id="19")
    with django_assert_max_num_queries(6):  # audit insert, communes, the rows, audit update
        _consume(exports.organisation_rows(None, {}))


def test_invalid_filters_are_refused_not_widened(client, registry):
    with pytest.raises(ValidationError):
        exports.organisation_rows(None, {"province": "99"})
    response = client.get(reverse("exports_test:org", args=["csv"]), {"kind": "ngân hàng"})
    assert response.status_code == 400
    assert "Bộ lọc không hợp lệ" in response.content.decode()
    assert not AuditEntry.objects.filter(action="export").exists()


def test_unknown_format_is_404_and_not_logged(client, registry):
    assert client.get(reverse("exports_test:org", args=["pdf"])).status_code == 404
    assert not AuditEntry.objects.filter(action="export").exists()


def test_organisation_export_writes_one_audit_entry_with_the_row_count(client, public_user):
    OrganisationFactory(province_id="19")
    OrganisationFactory(province_id="19")
    client.force_login(public_user)
    response = client.get(
        reverse("exports_test:org", args=["xlsx"]), {"province": "19", "q": "", "cursor": "x"}
    )
    _content(response)
    entry = AuditEntry.objects.get(action="export")
    assert entry.actor == public_user
    assert entry.request_id == response["X-Request-ID"]
    assert (entry.object_type, entry.object_id) == ("registry.organisation", "*")
    assert entry.object_repr.startswith("Xuất danh sách tổ chức")
    assert entry.after == {
        "format": "xlsx",
        "filters": {"province": "19"},
        "rows": 2,
        "personal_data": "none",
        "complete": True,
    }


def test_anonymous_organisation_export_is_public_and_logged(client, db):
    OrganisationFactory(province_id="19")
    rows = _csv(_content(client.get(reverse("exports_test:org", args=["csv"]))))
    assert len(rows) == 2
    entry = _last_export()
    assert entry.actor is None and entry.after["rows"] == 1


def test_a_download_cut_short_is_still_logged(db):
    for _ in range(3):
        OrganisationFactory(province_id="19")
    _headers, rows = exports.organisation_rows(None, {}, "csv")
    entry = _last_export()
    assert entry.after["rows"] is None  # written before the first row
    next(rows)
    rows.close()  # the client went away
    entry.refresh_from_db()
    assert entry.after["rows"] == 1 and entry.after["complete"] is False


def test_csv_neutralises_formulas_but_keeps_phone_numbers():
    rows = [('=HYPERLINK("http://x")', "+84 912 345 678", "-1+2", "@SUM(A1)", "0912", 12)]
    data = "".join(exports.csv_stream(["a", "b", "c", "d", "e", "f"], rows)).encode()
    (_header, row) = _csv(data)
    assert row == [
        '\'=HYPERLINK("http://x")',
        "+84 912 345 678",
        "'-1+2",
        "'@SUM(A1)",
        "0912",
        "12",
    ]


def test_csv_stream_sends_rows_in_pieces():
    rows = [(i, "Hợp tác xã") for i in range(1200)]
    pieces = list(exports.csv_stream(["n", "tên"], rows))
    assert pieces[0].startswith("\ufeff")
    assert len(pieces) == 1 + 3  # header, then 500 + 500 + 200 rows
    assert len(_csv("".join(pieces).encode())) == 1201


# --- members (personal data) ---------------------------------------------------------------------


def _member_export(client, user, fmt="csv", **params):
    if user is not None:
        client.force_login(user)
    return client.get(reverse("exports_test:mem", args=[fmt]), params)


def _cccds(rows) -> set[str]:
    headers, body = rows[0], rows[1:]
    return {row[headers.index("Số CCCD")] for row in body}


def test_members_export_masks_personal_data_for_a_central_officer(
    client, registry, central_officer
):
    response = _member_export(client, central_officer)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert re.search(r'filename="thanh-vien-\d{8}\.csv"', response["Content-Disposition"])
    rows = _csv(_content(response))
    headers = rows[0]
    people = Membership.objects.filter(person__isnull=False).select_related("person")
    assert _cccds(rows) == {mask(m.person.cccd) for m in people}
    assert len(rows) - 1 == people.count() == 6  # both provinces, ended membership included
    one = dict(
        zip(headers, next(r for r in rows[1:] if r[headers.index("Điện thoại")]), strict=True)
    )
    assert one["Điện thoại"] == mask("0912345678", 2, 2)
    assert one["Ngày sinh"] == "**/**/1985"
    assert one["Số nhà, đường, thôn"] == "***"
    assert one["Thư điện tử"] == "***"
    assert one["Họ và tên"].startswith("Nguyễn Văn Thử")  # names are not masked
    entry = _last_export()
    assert entry.actor == central_officer
    assert (entry.object_type, entry.after["personal_data"], entry.after["rows"]) == (
        "registry.membership",
        "masked",
        6,
    )


def test_members_export_is_full_for_a_system_admin(client, registry, system_admin):
    rows = _csv(_content(_member_export(client, system_admin)))
    people = Membership.objects.filter(person__isnull=False).select_related("person")
    assert _cccds(rows) == {m.person.cccd for m in people}
    headers = rows[0]
    row = dict(zip(headers, rows[1], strict=True))
    assert row["Ngày sinh"] in ("02/09/1985", "")
    assert _last_export().after["personal_data"] == "full"


def test_members_export_of_a_provincial_officer_is_their_province_in_full(
    client, registry, officer_19
):
    rows = _csv(_content(_member_export(client, officer_19)))
    headers = rows[0]
    expected = Membership.objects.filter(province_id="19").select_related("person", "organisation")
    assert _cccds(rows) == {m.person.cccd for m in expected}
    assert len(rows) - 1 == expected.count() == 4
    column = {c.key: str(c.header) for c in MEMBER_LAYOUT.columns}
    first = dict(zip(headers, rows[1], strict=True))
    assert first[column["organisation_tax_code"]] == registry["full"].tax_code
    assert first[column["organisation_id"]] == str(registry["full"].pk)
    assert first[column["birth_date"]] == "02/09/1985"
    assert first[column["phone"]] == "0912345678"
    assert first[column["street"]] == "Tổ 5, Tân Cương"
    assert first[column["province"]] == "Thái Nguyên"
    assert first[column["member_kind"]] == "Thành viên chính thức"
    assert first[column["joined_on"]] == "01/01/2020"
    assert first[column["capital_contributed"]] == "20000000"
    assert first["Ngày chấm dứt"] == ""
    ended = [r for r in rows[1:] if r[headers.index("Ngày chấm dứt")]]
    assert [r[headers.index("Ngày chấm dứt")] for r in ended] == ["30/06/2023"]
    assert _last_export().after["rows"] == 4


def test_members_export_of_another_province_officer_has_none_of_province_19(
    client, registry, officer_01
):
    rows = _csv(_content(_member_export(client, officer_01)))
    province_19 = {p.cccd for p in registry["people_19"]}
    assert _cccds(rows) and not (_cccds(rows) & province_19)
    # Asking for a province-19 organisation explicitly gives nothing either.
    rows = _csv(_content(_member_export(client, officer_01, organisation=registry["full"].pk)))
    assert rows[1:] == []
    assert _last_export().after["rows"] == 0


@pytest.mark.parametrize("role", ["public", "adviser"])
def test_members_export_refuses_roles_without_personal_scope(
    client, registry, public_user, adviser, role
):
    user = {"public": public_user, "adviser": adviser}[role]
    response = _member_export(client, user, "xlsx")
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="export").exists()
    with pytest.raises(PermissionDenied):
        exports.member_rows(user, {})


def test_members_export_sends_anonymous_visitors_to_the_login_page(client, registry):
    response = _member_export(client, None)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    with pytest.raises(PermissionDenied):
        exports.member_rows(AnonymousUser(), {})
    assert not AuditEntry.objects.filter(action="export").exists()


def test_members_export_filters(client, registry, system_admin):
    full = registry["full"]
    _headers, rows = _consume(
        exports.member_rows(system_admin, {"organisation": str(full.pk), "active": "1"})
    )
    assert len(rows) == 3
    assert _last_export().after["filters"] == {"organisation": full.pk, "active": "1"}
    _headers, rows = _consume(exports.member_rows(system_admin, {"province": "19"}))
    assert len(rows) == 4  # the ended membership in the cooperative group too
    _headers, rows = _consume(exports.member_rows(system_admin, {"province": "19", "active": "1"}))
    assert len(rows) == 3
    with pytest.raises(ValidationError):
        exports.member_rows(system_admin, {"organisation": "abc"})
    response = _member_export(client, system_admin, active="yes")
    assert response.status_code == 400


def test_members_export_leaves_out_organisations_that_are_members(registry, system_admin):
    union = UnionFactory(province_id="19")
    services.add_membership(
        None,
        union.pk,
        MemberKind.OFFICIAL,
        dt.date(2020, 1, 1),
        member_organisation=registry["full"],
    )
    _headers, rows = _consume(exports.member_rows(system_admin, {"organisation": union.pk}))
    assert rows == []


def test_members_export_headers_reimport(registry, system_admin):
    headers, rows = _consume(exports.member_rows(system_admin, {"province": "19"}, "xlsx"))
    mapping, unknown = MEMBER_LAYOUT.match_headers(headers)
    assert unknown == []  # "Ngày chấm dứt" included: ended memberships import back
    assert [c.key for c in mapping.values()] == [c.key for c in MEMBER_LAYOUT.columns]
    for row in rows:
        for position, column in mapping.items():
            if row[position] not in ("", None):
                column.parse(row[position])


def test_members_xlsx_export_matches_csv(client, registry, officer_19):
    csv_rows = _csv(_content(_member_export(client, officer_19, "csv")))
    xlsx_rows = _xlsx(_content(_member_export(client, officer_19, "xlsx")))
    assert _as_text(xlsx_rows) == csv_rows
    entries = AuditEntry.objects.filter(action="export").order_by("id")
    assert [(e.after["format"], e.after["rows"]) for e in entries] == [("csv", 4), ("xlsx", 4)]


# --- templates ----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["organisations", "members"])
def test_template_download(client, db, kind):
    response = client.get(reverse("exports_test:t", args=[kind]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="mau-nhap-')
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames[0] == "Dữ liệu"


def test_unknown_template_is_404(client, db):
    assert client.get(reverse("exports_test:t", args=["people"])).status_code == 404

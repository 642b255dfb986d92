"""The registry's pages through Django's test client, on the demo registry (seed 1).

The demo data is generated once for the module (committed, removed at the end); each test runs
in a rolled-back transaction on top of it, so tests may add data through the services.
"""

import base64
import html
import json
import math
import re
from urllib.parse import urlencode

import pytest
from django.db.models import Count, Q, Sum
from django.utils import formats, translation

from htxso.core.models import Commune, LegacyProvince, Province
from htxso.registry.choices import (
    CLOSED_STATUSES,
    DORMANT_STATUSES,
    MemberKind,
    OrganisationKind,
    Sector,
    Status,
)
from htxso.registry.filters import SORTS
from htxso.registry.members import current_q
from htxso.registry.models import Membership, Organisation, StatusChange

from .conftest import generate_demo_once, make_user
from .factories import UnionFactory

PAGE_SIZE = 50
SHOWCASE = "HTX Chè Tân Cương"


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    result, cleanup = generate_demo_once(django_db_blocker)
    yield result
    cleanup()


@pytest.fixture
def registry(demo, db):
    """The demo registry, inside this test's transaction."""
    return demo


@pytest.fixture
def showcase(registry) -> Organisation:
    return Organisation.objects.select_related("commune").get(name=SHOWCASE)


# -- reading pages ---------------------------------------------------------------------------


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def number(text: str) -> int:
    """A displayed integer, whatever the grouping separator."""
    digits = re.sub(r"[^\d]", "", text)
    assert digits, text
    return int(digits)


def get(client, url: str, status: int = 200, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def result_ids(page: str) -> list[int]:
    match = re.search(r'id="results-table".*?<tbody>(.*?)</tbody>', page, re.S)
    if not match:
        assert 'id="no-results"' in page
        return []
    return [int(pk) for pk in re.findall(r'<a href="/registry/(\d+)/">', match.group(1))]


def found(pattern: str, text: str) -> str:
    """The first group of the first match; the match must exist."""
    match = re.search(pattern, text, re.S)
    assert match, pattern
    return match.group(1)


def count_text(page: str) -> str:
    match = re.search(r'id="result-count">(.*?)</p>', page, re.S)
    assert match, "no result count"
    return text_of(match.group(1))


def shown_total(page: str) -> int:
    text = count_text(page)
    assert re.fullmatch(r"[\d.,]+ tổ chức", text), text
    return number(text)


def link(page: str, rel: str) -> str | None:
    match = re.search(rf'<a class="page-link" href="([^"]*)" rel="{rel}">', page)
    return "/registry/" + html.unescape(match.group(1)) if match else None


def alerts(page: str) -> str:
    return " ".join(
        text_of(m)
        for m in re.findall(
            r'<div class="alert alert-warning" role="alert">(.*?)</div>\s*(?:</div>|<p)', page, re.S
        )
    )


def walk(client, query: str) -> tuple[list[int], int, int]:
    """Follow the "next" links from the first page: (ids in order, shown total, pages)."""
    url: str | None = f"/registry/?{query}"
    ids: list[int] = []
    totals = set()
    pages = 0
    while url:
        page = get(client, url)
        page_ids = result_ids(page)
        assert 0 < len(page_ids) <= PAGE_SIZE
        ids += page_ids
        totals.add(shown_total(page))
        pages += 1
        url = link(page, "next")
        assert pages <= 100, "pagination does not end"
    assert len(totals) == 1, totals
    return ids, totals.pop(), pages


def _qs(**params) -> str:
    return urlencode(params)


def cursor(payload) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


# -- home ------------------------------------------------------------------------------------


def figure_cards(page: str) -> dict[str, tuple[str, int, int]]:
    """data-kind -> (label, total, active) from the four cards."""
    cards = re.findall(
        r'data-kind="(\w+)"><div class="card-body">\s*<div class="label">(.*?)</div>\s*'
        r'<div class="value">([^<]*)</div>\s*<div class="small"><span class="status-active">'
        r"([^<]*)</span>",
        page,
    )
    return {kind: (label, number(total), number(active)) for kind, label, total, active in cards}


def figure(page: str, element_id: str) -> str:
    match = re.search(rf'id="{element_id}">([^<]*)</div>', page)
    assert match, element_id
    return match.group(1).strip()


def check_figures(page: str, orgs) -> None:
    cards = figure_cards(page)
    assert list(cards) == list(OrganisationKind.values)
    for kind, label in OrganisationKind.choices:
        of_kind = orgs.filter(kind=kind)
        assert cards[kind] == (
            str(label),
            of_kind.count(),
            of_kind.filter(status=Status.ACTIVE).count(),
        ), kind
    assert number(figure(page, "fig-active")) == orgs.filter(status=Status.ACTIVE).count()
    assert number(figure(page, "fig-dormant")) == orgs.filter(status__in=DORMANT_STATUSES).count()
    # Current members only: none of a dissolved or bankrupt organisation (registry/members.py).
    members = orgs.exclude(status__in=CLOSED_STATUSES).aggregate(n=Sum("members_count"))["n"]
    assert number(figure(page, "fig-members")) == (members or 0)
    htx = orgs.filter(kind=OrganisationKind.COOPERATIVE)
    if not htx.exists():
        assert figure(page, "fig-agri") == "—"
        return
    with translation.override("vi"):
        share = formats.localize(
            round(100 * htx.filter(is_agricultural=True).count() / htx.count(), 1)
        )
    assert figure(page, "fig-agri") == f"{share} %"
    # Dissolved and bankrupt organisations count in the totals, not as active or dormant.
    closed = orgs.filter(status__in=CLOSED_STATUSES).count()
    assert number(figure(page, "fig-active")) + number(figure(page, "fig-dormant")) + closed == (
        orgs.count()
    )


def test_home_shows_the_four_kinds_with_their_totals(client, registry):
    page = get(client, "/")
    assert figure_cards(page)[OrganisationKind.COOPERATIVE][1] == 600
    check_figures(page, Organisation.objects.all())
    members = number(figure(page, "fig-members"))
    assert members == Membership.objects.filter(current_q()).count()


def test_home_province_table_has_34_rows_with_their_figures(client, registry):
    page = get(client, "/")
    body = found(r'id="province-table">.*?<tbody>(.*?)</tbody>', page)
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    assert len(rows) == 34 == Province.objects.count()
    codes = []
    for row in rows:
        code = found(r'href="/registry/provinces/(\w+)/"', row)
        codes.append(code)
        cells = [text_of(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        orgs = Organisation.objects.filter(province_id=code)
        htx = orgs.filter(kind=OrganisationKind.COOPERATIVE)
        assert cells[0] == Province.objects.get(code=code).name
        expected = [
            htx.count(),
            htx.filter(status=Status.ACTIVE).count(),
            orgs.filter(kind=OrganisationKind.COOPERATIVE_GROUP).count(),
            orgs.filter(kind=OrganisationKind.COOPERATIVE_UNION).count(),
            orgs.filter(kind=OrganisationKind.HOUSEHOLD_BUSINESS).count(),
            orgs.exclude(status__in=CLOSED_STATUSES).aggregate(n=Sum("members_count"))["n"] or 0,
        ]
        assert [number(c) for c in cells[1:7]] == expected, code
    assert codes == sorted(codes)
    assert '<small class="text-muted">(34)</small>' in page


def test_large_numbers_are_grouped_the_vietnamese_way(client, registry):
    page = get(client, "/")
    members = Membership.objects.filter(current_q()).count()
    assert members >= 1000
    assert figure(page, "fig-members") == f"{members:,}".replace(",", ".")


# -- search ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "hop tac xa che tan cuong",
        "HTX CHÈ tân cương",
        "che tan cuong",
        "Hợp tác xã Chè Tân Cương",
        "  tân   cương  chè ",
    ],
)
def test_search_finds_the_showcase_ignoring_accents_case_and_abbreviation(client, showcase, query):
    page = get(client, "/registry/?" + _qs(q=query))
    ids = result_ids(page)
    assert showcase.pk in ids
    assert shown_total(page) == len(ids)
    assert SHOWCASE in page


def test_search_every_word_must_match(client, registry, showcase):
    page = get(client, "/registry/?" + _qs(q="hop tac xa che tan cuong"))
    for org in Organisation.objects.filter(pk__in=result_ids(page)):
        for word in ("htx", "che", "tan", "cuong"):
            assert word in org.search_key
    assert result_ids(get(client, "/registry/?q=che+tan+cuong+khongtontai")) == []
    assert "Không tìm thấy tổ chức nào phù hợp." in get(client, "/registry/?q=khongtontai")


def test_search_by_full_tax_code(client, showcase):
    code = showcase.tax_code
    for query in (code, f"{code[:4]} {code[4:7]} {code[7:]}", f"{code[:4]}.{code[4:]}"):
        page = get(client, "/registry/?" + _qs(q=query))
        assert result_ids(page) == [showcase.pk], query
        assert count_text(page) == "1 tổ chức"


def test_search_by_tax_code_prefix(client, showcase):
    prefix = showcase.tax_code[:3]
    expected = set(
        Organisation.objects.filter(tax_code__startswith=prefix).values_list("id", flat=True)
    )
    ids, total, _pages = walk(client, _qs(q=prefix))
    assert set(ids) == expected
    assert showcase.pk in ids
    assert total == len(expected)
    longer = showcase.tax_code[:6]
    ids, total, _pages = walk(client, _qs(q=longer))
    assert showcase.pk in ids
    assert all(
        code.startswith(longer)
        for code in Organisation.objects.filter(pk__in=ids).values_list("tax_code", flat=True)
    )


def test_search_by_branch_tax_code(client, registry):
    union = UnionFactory(tax_code="0301175691-013", name="Liên hiệp HTX Thương mại Thử nghiệm")
    for query in ("0301175691-013", "0301175691013", "0301175691"):
        assert result_ids(get(client, "/registry/?" + _qs(q=query))) == [union.pk], query


# -- filters ---------------------------------------------------------------------------------


def _filters(showcase) -> list[tuple[str, Q]]:
    commune = showcase.commune_id
    filters = [
        ("province=19", Q(province_id="19")),
        (f"province=19&commune={commune}", Q(commune_id=commune)),
        ("sector=A", Q(sector=Sector.A)),
        ("sector=H", Q(sector=Sector.H)),
        ("agricultural=yes", Q(is_agricultural=True)),
        ("agricultural=no", Q(is_agricultural=False)),
        (
            "province=19&kind=cooperative&status=active&agricultural=yes",
            Q(province_id="19", kind="cooperative", status="active", is_agricultural=True),
        ),
        ("q=htx&province=01&sort=-members", Q(search_key__contains="htx", province_id="01")),
    ]
    filters += [(f"kind={kind}", Q(kind=kind)) for kind in OrganisationKind.values]
    filters += [(f"status={status}", Q(status=status)) for status in Status.values]
    return filters


def test_every_filter_narrows_to_matching_rows(client, showcase):
    everything = Organisation.objects.count()
    for query, condition in _filters(showcase):
        expected = Organisation.objects.filter(condition)
        page = get(client, f"/registry/?{query}")
        ids = result_ids(page)
        assert shown_total(page) == expected.count() < everything, query
        assert len(ids) == min(PAGE_SIZE, expected.count()), query
        # Every row shown matches the filter.
        assert expected.filter(pk__in=ids).count() == len(ids), query
        assert "alert-warning" not in page, query


def test_a_filter_walked_to_the_end_lists_exactly_its_organisations(client, registry):
    expected = set(
        Organisation.objects.filter(province_id="19", kind="cooperative_group").values_list(
            "id", flat=True
        )
    )
    ids, total, pages = walk(client, "province=19&kind=cooperative_group")
    assert len(ids) == len(set(ids)) == total == len(expected)
    assert set(ids) == expected
    assert pages == math.ceil(len(expected) / PAGE_SIZE)


def test_selected_filters_are_kept_in_the_form(client, showcase):
    page = get(client, f"/registry/?province=19&commune={showcase.commune_id}&kind=cooperative")
    assert '<option value="19" selected>' in page
    assert f'<option value="{showcase.commune_id}" selected>' in page
    assert '<option value="cooperative" selected>' in page
    # Only the communes of the chosen province are offered.
    offered = set(re.findall(r'<option value="(\d{5})"', page))
    assert offered == set(Commune.objects.filter(province_id="19").values_list("code", flat=True))


# -- sorting and pagination ------------------------------------------------------------------


@pytest.mark.parametrize("sort", list(SORTS))
def test_every_sort_orders_rows(client, registry, sort):
    field, descending, _label = SORTS[sort]
    ids, total, pages = walk(client, f"kind=cooperative&sort={sort}")
    assert total == 600 and pages == 12
    assert len(set(ids)) == 600
    values = dict(Organisation.objects.filter(pk__in=ids).values_list("id", field))
    keys = [(values[pk], pk) for pk in ids]
    assert keys == sorted(keys, reverse=descending), sort
    assert f'<option value="{sort}" selected>' in get(client, f"/registry/?sort={sort}")


def test_default_sort_is_by_name(client, registry):
    ids = result_ids(get(client, "/registry/"))
    keys = list(
        Organisation.objects.order_by("name_key", "id").values_list("id", flat=True)[:PAGE_SIZE]
    )
    assert ids == keys


def test_walking_next_links_visits_every_row_once(client, registry):
    everything = Organisation.objects.count()
    ids, total, pages = walk(client, "")
    assert total == everything == 2_812
    assert len(ids) == len(set(ids)) == everything
    assert pages == math.ceil(everything / PAGE_SIZE)


def test_previous_link_returns_to_the_page_before(client, registry):
    first = get(client, "/registry/?kind=cooperative&sort=-members")
    assert link(first, "prev") is None
    second = get(client, link(first, "next"))
    third = get(client, link(second, "next"))
    assert result_ids(get(client, link(third, "prev"))) == result_ids(second)
    assert result_ids(get(client, link(second, "prev"))) == result_ids(first)
    assert "kind=cooperative" in link(second, "next")
    assert "sort=-members" in link(second, "next")


def test_last_page_has_no_next_link(client, registry):
    page = get(client, "/registry/?province=19&kind=cooperative_union")
    assert link(page, "next") is None
    assert link(page, "prev") is None


# -- invalid input ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=xyz", "xyz không phải là một trong các lựa chọn"),
        ("province=99", "99 không phải là một trong các lựa chọn"),
        ("province=19&commune=00004", "Hãy chọn một lựa chọn hợp lệ"),  # 00004: Hà Nội
        ("commune=00004", "Hãy chọn một lựa chọn hợp lệ"),
        ("commune=abc", "Hãy chọn một lựa chọn hợp lệ"),
        ("q=" + "a" * 201, "tối đa 200 kí tự"),
        ("sector=Z", "Z không phải là một trong các lựa chọn"),
        ("status=sleeping", "sleeping không phải là một trong các lựa chọn"),
        ("agricultural=maybe", "maybe không phải là một trong các lựa chọn"),
        ("sort=price", "price không phải là một trong các lựa chọn"),
    ],
)
def test_invalid_filters_give_a_vietnamese_message_not_an_error(client, registry, query, message):
    assert Commune.objects.get(code="00004").province_id == "01"
    page = get(client, f"/registry/?{query}")
    assert message in alerts(page), alerts(page)
    assert shown_total(page) == Organisation.objects.count()  # an invalid form filters nothing
    assert len(result_ids(page)) == PAGE_SIZE


@pytest.mark.parametrize(
    "token",
    [
        "garbage",
        "%%%",
        cursor("abc"),
        cursor([1, 2]),
        cursor(["htx", True, "next"]),
        cursor(["htx", [1], "next"]),
        cursor([None, 1, "next"]),
        cursor(["htx", 1, "sideways"]),
        cursor({"a": 1, "b": 2, "c": 3}),
    ],
)
def test_garbage_cursor_gives_400_with_a_vietnamese_message(client, registry, token):
    response = client.get("/registry/", {"cursor": token})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Liên kết trang không hợp lệ hoặc đã hết hạn; đang hiển thị trang đầu." in page
    assert len(result_ids(page)) == PAGE_SIZE


@pytest.mark.parametrize(
    ("sort", "payload"),
    [("-established", ["not a date", 1, "next"]), ("members", ["many", 1, "next"])],
)
def test_cursor_of_the_wrong_type_for_the_sort_gives_400(client, registry, sort, payload):
    response = client.get("/registry/", {"sort": sort, "cursor": cursor(payload)})
    assert response.status_code == 400


@pytest.mark.parametrize("sort", list(SORTS))
def test_cursor_with_a_null_value_gives_400(client, registry, sort):
    response = client.get("/registry/", {"sort": sort, "cursor": cursor([None, 1, "next"])})
    assert response.status_code == 400


def test_htmx_request_gets_only_the_results_fragment(client, registry, showcase):
    response = client.get("/registry/", {"q": "che tan cuong"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "<html" not in fragment
    assert 'id="filters"' not in fragment
    assert 'id="result-count"' in fragment
    assert showcase.pk in result_ids(fragment)
    full = get(client, "/registry/?q=che+tan+cuong")
    assert "<html" in full and 'id="filters"' in full
    # Errors are part of the fragment too.
    bad = client.get("/registry/", {"kind": "xyz"}, headers={"HX-Request": "true"})
    assert bad.status_code == 200
    assert "xyz không phải là một trong các lựa chọn" in bad.content.decode()


# -- organisation page ------------------------------------------------------------------------


def member_count_table(page: str) -> dict[str, int]:
    body = found(r'id="member-counts"><tbody>(.*?)</tbody>', page)
    return {
        text_of(label): number(n)
        for label, n in re.findall(r"<tr[^>]*><td>(.*?)</td><td[^>]*>(.*?)</td></tr>", body, re.S)
    }


def listed_ids(page: str, element_id: str) -> list[int]:
    match = re.search(rf'<ul id="{element_id}">(.*?)</ul>', page, re.S)
    return (
        [int(pk) for pk in re.findall(r'href="/registry/(\d+)/"', match.group(1))] if match else []
    )


def check_organisation_page(client, org: Organisation) -> str:
    page = get(client, f"/registry/{org.pk}/")
    assert f'<h1 class="h3">{html.escape(org.name, quote=False)}</h1>' in page
    # Member counts by kind equal the active memberships in the database.
    active = Membership.objects.active().filter(organisation=org)
    expected = {str(label): active.filter(kind=kind).count() for kind, label in MemberKind.choices}
    expected["Tổng"] = active.count()
    if org.has_members:
        assert member_count_table(page) == expected
    else:  # a household business has no members: no member table (#16)
        assert 'id="member-counts"' not in page and 'id="no-members"' in page
    assert expected["Tổng"] == org.members_count
    # Status history, latest first.
    history = found(r'id="status-history">(.*?)</ol>', page)
    items = re.findall(r"<li[^>]*>(.*?)</li>", history, re.S)
    db_history = list(StatusChange.objects.filter(organisation=org))
    assert len(items) == len(db_history) >= 1
    for item, change in zip(items, db_history, strict=True):
        assert change.effective_on.strftime("%d/%m/%Y") in item
        assert str(change.get_status_display()) in item
    return page


def test_organisation_page_of_the_showcase(client, showcase):
    page = check_organisation_page(client, showcase)
    assert showcase.tax_code in page
    assert "Xã Tân Cương" in text_of(found(r'id="address">(.*?)</dd>', page))
    assert 'href="/registry/provinces/19/"' in page


def test_organisation_page_of_a_large_htx_and_a_group(client, registry):
    largest = Organisation.objects.filter(kind=OrganisationKind.COOPERATIVE).order_by(
        "-members_count"
    )[0]
    page = check_organisation_page(client, largest)
    assert member_count_table(page)["Thành viên chính thức"] > 0
    group = Organisation.objects.filter(kind=OrganisationKind.COOPERATIVE_GROUP).first()
    check_organisation_page(client, group)


def test_organisation_page_with_several_status_changes(client, registry):
    changed = (
        Organisation.objects.annotate(n=Count("status_history"))
        .filter(n__gt=1)
        .exclude(status=Status.ACTIVE)
        .first()
    )
    page = check_organisation_page(client, changed)
    latest = changed.status_history.first()
    assert latest.document_no and latest.document_no in page
    assert html.escape(latest.reason, quote=False) in page
    assert f'id="status">{changed.get_status_display()}<' in page


def test_union_page_lists_its_member_cooperatives(client, registry):
    union = Organisation.objects.filter(kind=OrganisationKind.COOPERATIVE_UNION).first()
    page = check_organisation_page(client, union)
    members = set(
        Membership.objects.active()
        .filter(organisation=union, member_organisation__isnull=False)
        .values_list("member_organisation_id", flat=True)
    )
    assert len(members) == 5
    assert set(listed_ids(page, "member-cooperatives")) == members
    assert listed_ids(page, "unions") == []


def test_htx_page_lists_the_unions_it_belongs_to(client, registry):
    link_row = Membership.objects.filter(member_organisation__isnull=False).first()
    htx = link_row.member_organisation
    page = check_organisation_page(client, htx)
    unions = set(htx.member_of.filter(left_on=None).values_list("organisation_id", flat=True))
    assert link_row.organisation_id in unions
    assert set(listed_ids(page, "unions")) == unions
    assert 'id="member-cooperatives"' not in page
    lonely = Organisation.objects.filter(
        kind=OrganisationKind.COOPERATIVE, member_of__isnull=True
    ).first()
    assert 'id="unions"' not in get(client, f"/registry/{lonely.pk}/")


def test_household_business_page(client, registry):
    household = Organisation.objects.filter(kind=OrganisationKind.HOUSEHOLD_BUSINESS).first()
    page = check_organisation_page(client, household)
    assert "Hộ kinh doanh không có thành viên." in page


def test_legacy_address_is_shown_when_present(client, registry):
    with_legacy = Organisation.objects.exclude(legacy_address="").first()
    page = get(client, f"/registry/{with_legacy.pk}/")
    legacy = re.search(r'id="legacy-address">(.*?)</div>', page, re.S)
    assert legacy
    assert html.escape(with_legacy.legacy_address, quote=False) in legacy.group(1)
    assert "Địa chỉ cũ (trước 7/2025)" in legacy.group(1)
    without = Organisation.objects.filter(legacy_address="").first()
    assert 'id="legacy-address"' not in get(client, f"/registry/{without.pk}/")


def test_unknown_organisation_is_404(client, registry):
    missing = (Organisation.objects.order_by("-id").values_list("id", flat=True)[0]) + 1_000
    get(client, f"/registry/{missing}/", status=404)
    get(client, "/registry/0/", status=404)


# -- province page ----------------------------------------------------------------------------


def test_province_page_shows_its_own_figures(client, registry):
    page = get(client, "/registry/provinces/19/")
    province = Province.objects.get(code="19")
    assert f'<h1 class="h3">{province.name}</h1>' in page
    orgs = Organisation.objects.filter(province_id="19")
    assert orgs.count() < Organisation.objects.count()
    check_figures(page, orgs)
    communes = Commune.objects.filter(province_id="19").count()
    assert f"{communes} xã, phường, đặc khu" in page
    for legacy in LegacyProvince.objects.filter(current_province_id="19"):
        assert legacy.name in page
    largest = found(r'id="largest">.*?<tbody>(.*?)</tbody>', page)
    shown = [int(pk) for pk in re.findall(r'href="/registry/(\d+)/"', largest)]
    expected = list(
        orgs.filter(kind=OrganisationKind.COOPERATIVE)
        .exclude(status__in=CLOSED_STATUSES)
        .order_by("-members_count", "id")
        .values_list("id", flat=True)[:20]
    )
    assert shown == expected
    assert 'href="/registry/?province=19"' in page


def test_every_province_page_shows_its_own_figures(client, registry):
    for code in Province.objects.values_list("code", flat=True):
        check_figures(
            get(client, f"/registry/provinces/{code}/"),
            Organisation.objects.filter(province_id=code),
        )


@pytest.mark.parametrize("code", ["99", "1", "abc", "019"])
def test_unknown_province_is_404(client, registry, code):
    get(client, f"/registry/provinces/{code}/", status=404)


# -- commune options, language, admin ------------------------------------------------------------


def test_commune_options_of_a_province(client, registry):
    fragment = get(client, "/registry/communes/?province=19")
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', fragment)
    assert options[0] == ("", "Tất cả")
    expected = list(Commune.objects.filter(province_id="19").values_list("code", "name"))
    assert options[1:] == expected
    assert len(expected) > 50
    assert re.findall(
        r'<option value="([^"]*)">([^<]*)</option>', get(client, "/registry/communes/")
    )[0] == ("", "Tất cả")
    assert len(re.findall(r"<option", get(client, "/registry/communes/"))) == 1
    assert len(re.findall(r"<option", get(client, "/registry/communes/?province=99"))) == 1


@pytest.mark.parametrize("url", ["/", "/registry/", "/registry/provinces/19/", "/accounts/login/"])
def test_pages_are_in_vietnamese_by_default(client, registry, url):
    page = get(client, url)
    assert '<html lang="vi">' in page
    assert "Cơ sở dữ liệu kinh tế tập thể" in page
    assert "Sổ đăng ký" in page


def test_organisation_page_is_in_vietnamese(client, showcase):
    page = get(client, f"/registry/{showcase.pk}/")
    assert '<html lang="vi">' in page
    for words in ("Thông tin đăng ký", "Lịch sử tình trạng", "Thành viên đang tham gia"):
        assert words in page


def test_admin_login_works(client, registry):
    page = get(client, "/admin/login/")
    assert 'lang="vi"' in page
    assert 'name="username"' in page and 'name="password"' in page
    make_user("admin-thu", "system_admin", is_staff=True, is_superuser=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "admin-thu", "password": "mat-khau-thu-nghiem-123", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    get(client, "/admin/")
    showcase = Organisation.objects.get(name=SHOWCASE)
    changelist = get(client, "/admin/registry/organisation/?" + _qs(q="che tan cuong"))
    assert f"/admin/registry/organisation/{showcase.pk}/change/" in changelist
    get(client, f"/admin/registry/organisation/{showcase.pk}/change/")
    get(client, "/admin/registry/person/")
    get(client, "/admin/registry/membership/")


def test_registry_pages_need_no_login_and_accept_no_post(client, registry):
    assert client.post("/registry/").status_code == 405
    assert client.post("/").status_code == 405

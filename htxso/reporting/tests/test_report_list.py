"""The report list on the UI kit: keyset pages forward and back, whitelisted sorts, the filter
class, provinces and periods by name, old bookmarks, bounded queries."""

import html
import re

import pytest
from django.urls import reverse

from htxso.core.models import Province
from htxso.reporting import services
from htxso.reporting.models import Report

from .conftest import LAST_YEAR

PAGE_SIZE = 50
HALVES = [f"{int(LAST_YEAR) - 1}S1", f"{int(LAST_YEAR) - 1}S2", f"{LAST_YEAR}S1", f"{LAST_YEAR}S2"]


@pytest.fixture
def reports(admin, semiannual, htx, annual):
    """Each province's summary for four half-years (136) and one HTX's annual report."""
    for code in Province.objects.values_list("code", flat=True):
        for period in HALVES:
            services.open_report(admin, semiannual, period, province_id=code)
    services.open_report(admin, annual, LAST_YEAR, organisation=htx)
    return Report.objects.all()


def get(client, query: str = "", status: int = 200) -> str:
    response = client.get(f"{reverse('reporting:list')}{query}")
    assert response.status_code == status, response.content[:500]
    return response.content.decode()


def ids(page: str) -> list[int]:
    body = re.search(r'id="report-table".*?<tbody>(.*?)</tbody>', page, re.S)
    return (
        [int(pk) for pk in re.findall(r'href="/reporting/(\d+)/"', body.group(1))] if body else []
    )


def link(page: str, rel: str) -> str | None:
    match = re.search(rf'<a class="page-link" href="([^"]*)" rel="{rel}">', page)
    return reverse("reporting:list") + html.unescape(match.group(1)) if match else None


def cells(page: str, column: int) -> list[str]:
    body = re.search(r'id="report-table".*?<tbody>(.*?)</tbody>', page, re.S)
    assert body
    rows = re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S)
    return [
        re.sub(r"<[^>]+>", "", re.findall(r"<td[^>]*>(.*?)</td>", r, re.S)[column]) for r in rows
    ]


def walk(client, query: str) -> tuple[list[int], list[str]]:
    url: str | None = f"{reverse('reporting:list')}{query}"
    seen: list[int] = []
    pages: list[str] = []
    while url:
        response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        seen += ids(page)
        pages.append(url)
        url = link(page, "next")
        assert len(pages) < 20
    return seen, pages


def test_pages_forward_by_keyset_then_back(client, admin, reports):
    client.force_login(admin)
    seen, pages = walk(client, "")
    expected = list(Report.objects.order_by("-period", "-id").values_list("id", flat=True))
    assert seen == expected and len(seen) == 137
    assert len(pages) == 3 and all("cursor=" in url for url in pages[1:])
    second = get(client, pages[1].removeprefix(reverse("reporting:list")))
    first_again = get(client, link(second, "prev").removeprefix(reverse("reporting:list")))
    assert ids(first_again) == expected[:PAGE_SIZE]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("period", ("period", "id")),
        ("-updated", ("-updated_at", "-id")),
        ("updated", ("updated_at", "id")),
    ],
)
def test_every_sort_walks_every_report_once_in_its_order(client, admin, reports, sort, order):
    client.force_login(admin)
    seen, _pages = walk(client, f"?sort={sort}")
    assert seen == list(Report.objects.order_by(*order).values_list("id", flat=True))


def test_the_sorted_header_says_so_and_links_to_the_other_direction(client, admin, reports):
    client.force_login(admin)
    page = get(client, "?sort=period")
    assert 'aria-sort="ascending"' in page
    assert "sort=-period" in page  # the header's link turns the order around


@pytest.mark.parametrize("sort", ["price", "organisation__name", "-values", "'; drop table"])
def test_an_unknown_sort_key_is_ignored_with_a_note(client, admin, reports, sort):
    client.force_login(admin)
    page = get(client, f"?sort={sort}")
    assert "đang sắp xếp mặc định" in page
    assert ids(page)[:3] == list(
        Report.objects.order_by("-period", "-id").values_list("id", flat=True)[:3]
    )


def test_provinces_and_periods_are_shown_by_name(client, admin, reports):
    client.force_login(admin)
    page = get(client, f"?province=01&period={LAST_YEAR}S2")
    assert cells(page, 3) == ["Thành phố Hà Nội"]
    assert cells(page, 0) == [f"6 tháng cuối năm {LAST_YEAR}"]
    assert cells(page, 2) == ["Tổng hợp của tỉnh"]
    htx_page = get(client, "?form=htx-annual")
    assert cells(htx_page, 2) == [Report.objects.get(form__code="htx-annual").organisation.name]


def test_the_filter_class_filters_and_old_bookmarks_still_answer(client, admin, reports):
    client.force_login(admin)
    # The parameters of the old page (form, status, period, page) keep working.
    page = get(client, f"?page=3&form=province-semiannual&status=draft&period={LAST_YEAR}S1")
    assert len(ids(page)) == 34
    assert "34 báo cáo" in page
    assert '<option value="province-semiannual" selected>' in page
    bad = get(client, "?period=2025S3&status=lost")
    assert "không hợp lệ" in bad and "lost" in bad  # named in Vietnamese, not a 500


def test_a_provincial_officer_lists_only_their_province(client, officer_19, reports):
    client.force_login(officer_19)
    seen, _pages = walk(client, "")
    assert seen and set(Report.objects.filter(pk__in=seen).values_list("province", flat=True)) == {
        "19"
    }
    assert len(seen) == Report.objects.filter(province="19").count()


def test_a_tampered_cursor_shows_the_first_page_with_a_message(client, admin, reports):
    client.force_login(admin)
    page = get(client, "?cursor=garbage", status=400)
    assert "Liên kết trang không hợp lệ" in page
    assert len(ids(page)) == PAGE_SIZE


def test_queries_do_not_grow_with_the_page(client, admin, reports, django_assert_max_num_queries):
    client.force_login(admin)
    with django_assert_max_num_queries(14):
        page = get(client, "")
    assert len(ids(page)) == PAGE_SIZE


def _csv(client, href: str) -> list[list[str]]:
    import csv
    import io

    response = client.get(href)
    assert response.status_code == 200, response.content[:300] if not response.streaming else ""
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))


def test_the_export_buttons_give_every_report_of_the_filters_in_the_pages_order(
    client, officer_19, admin, reports
):
    from htxso.core.models import AuditEntry

    client.force_login(admin)
    query = f"?period={LAST_YEAR}S2&sort=-updated"
    page = get(client, query)
    hrefs = re.findall(r'list-export" href="([^"]*)"', page)
    assert [html.unescape(h) for h in hrefs] == [
        f"/reporting/export.csv{query}",
        f"/reporting/export.xlsx{query}",
    ]
    rows = _csv(client, f"/reporting/export.csv{query}")
    assert rows[0][:3] == ["Mã báo cáo", "Kỳ", "Mã kỳ"]
    expected = Report.objects.filter(period=f"{LAST_YEAR}S2").order_by("-updated_at", "-id")
    assert [int(r[0]) for r in rows[1:]] == list(expected.values_list("id", flat=True))
    assert len(rows) == 1 + 34  # every report, not one page
    hanoi = next(r for r in rows if r[6] == "Thành phố Hà Nội")
    assert hanoi[1] == f"6 tháng cuối năm {LAST_YEAR}" and hanoi[4] == "Tổng hợp của tỉnh"
    entry = AuditEntry.objects.get(action="export", object_type="reporting.report")
    assert entry.after["filters"] == {"period": f"{LAST_YEAR}S2"} and entry.after["format"] == "csv"
    xlsx = client.get(f"/reporting/export.xlsx{query}")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    # A provincial officer's export holds their province's reports only.
    client.force_login(officer_19)
    own = _csv(client, "/reporting/export.csv")
    assert {r[6] for r in own[1:]} == {"Thái Nguyên"}
    assert len(own) == 1 + Report.objects.filter(province="19").count()


@pytest.mark.parametrize(
    ("path", "status"),
    [("/reporting/export.csv?period=2025S3", 400), ("/reporting/export.pdf", 404)],
)
def test_an_export_refuses_bad_filters_and_formats(client, admin, reports, path, status):
    client.force_login(admin)
    response = client.get(path)
    assert response.status_code == status
    if status == 400:
        assert "Bộ lọc không hợp lệ" in response.content.decode()

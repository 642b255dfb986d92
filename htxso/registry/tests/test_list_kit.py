"""The organisation list on the UI kit: sortable headers, chosen columns remembered, and the
export buttons giving the same organisations as the page, in the same order."""

import csv
import datetime as dt
import html
import io
import re

import pytest
from django.urls import reverse

from htxso.core.roles import Role

from .conftest import make_user
from .factories import CooperativeGroupFactory, OrganisationFactory


@pytest.fixture
def organisations(db):
    made = [
        OrganisationFactory(province_id="19", established_on=dt.date(2010 + i, 1, 1))
        for i in range(6)
    ]
    made += [OrganisationFactory(province_id="01") for _ in range(3)]
    made.append(CooperativeGroupFactory(province_id="19"))
    return made


def page(client, query: str = "") -> str:
    response = client.get(f"{reverse('registry:list')}{query}")
    assert response.status_code == 200
    return response.content.decode()


def headers(text: str) -> list[str]:
    head = re.search(r'id="results-table".*?<thead>(.*?)</thead>', text, re.S)
    assert head
    return [
        re.sub(r"<[^>]+>|[▲▼]", "", h).strip()
        for h in re.findall(r"<th[^>]*>(.*?)</th>", head.group(1), re.S)
    ]


def ids(text: str) -> list[int]:
    body = re.search(r'id="results-table".*?<tbody>(.*?)</tbody>', text, re.S)
    assert body
    return [int(pk) for pk in re.findall(r'<a href="/registry/(\d+)/">', body.group(1))]


def test_headers_sort_by_whitelisted_keys_and_say_which(client, organisations):
    text = page(client)
    assert re.search(
        r'<th scope="col" aria-sort="ascending"><a class="sort-link" href="\?sort=-name"', text
    )
    assert 'href="?sort=members" aria-label="Sắp xếp theo Thành viên, tăng dần"' in text
    by_members = page(client, "?province=19&sort=-members")
    assert 'href="?province=19&amp;sort=members"' in by_members  # filters kept, order turned


def test_a_signed_in_users_columns_are_remembered_across_visits(client, organisations):
    officer = make_user("can-bo-cot", Role.PROVINCIAL_OFFICER, "19")
    client.force_login(officer)
    assert headers(page(client)) == [
        "Tên",
        "Loại hình",
        "Mã số thuế",
        "Địa bàn",
        "Tình trạng",
        "Thành viên",
    ]
    response = client.post(
        reverse("list-columns"),
        {
            "list": "registry.organisations",
            "columns": ["kind", "established"],
            "next": "/registry/?province=19",
        },
    )
    assert response["Location"] == "/registry/?province=19"
    client.logout()
    client.force_login(officer)  # a new session: the choice is the user's, not the session's
    text = page(client, "?province=19&sort=established")
    assert headers(text) == ["Tên", "Loại hình", "Thành lập"]
    assert "01/01/2010" in text
    assert "Mã số thuế" not in headers(text)


def test_an_anonymous_visitors_columns_are_kept_for_the_session(client, organisations):
    client.post(
        reverse("list-columns"),
        {"list": "registry.organisations", "columns": ["sector", "agricultural"], "next": "/"},
    )
    assert headers(page(client)) == ["Tên", "Ngành", "Nông nghiệp"]
    other = client.__class__()
    assert "Mã số thuế" in headers(page(other))


@pytest.mark.parametrize(
    "query", ["?province=19&kind=cooperative&sort=-established", "?q=htx&sort=-name"]
)
def test_the_export_buttons_give_the_pages_organisations_in_its_order(client, organisations, query):
    text = page(client, query)
    links = dict(
        (fmt, html.unescape(href))
        for href, fmt in re.findall(
            r'class="btn btn-sm btn-outline-success list-export" href="([^"]*\.(csv|xlsx)[^"]*)"',
            text,
        )
    )
    assert set(links) == {"csv", "xlsx"}
    assert links["csv"].startswith(reverse("exchange:export-organisations", args=["csv"]))
    assert links["csv"].endswith(query)
    response = client.get(links["csv"])
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    exported = [int(row[-2]) for row in rows[1:]]  # the id on HTX Số, then the member count
    assert exported == ids(text) and exported
    assert client.get(links["xlsx"]).status_code == 200


def test_the_members_page_exports_this_organisations_current_members(client, organisations):
    from htxso.registry import services

    from .factories import MembershipFactory

    htx, other = organisations[0], organisations[1]
    kept = [MembershipFactory(organisation=htx) for _ in range(3)]
    services.end_membership(None, kept[0].pk, dt.date(2024, 12, 31))
    MembershipFactory(organisation=other)
    client.force_login(make_user("can-bo-tv", Role.PROVINCIAL_OFFICER, "19"))
    text = page_of(client, reverse("registry:members", args=[htx.pk]))
    href = html.unescape(re.search(r'list-export" href="([^"]*members\.csv[^"]*)"', text).group(1))
    assert href == f"/exchange/export/members.csv?organisation={htx.pk}&active=1"
    rows = list(
        csv.reader(io.StringIO(b"".join(client.get(href).streaming_content).decode("utf-8-sig")))
    )
    assert len(rows) == 1 + 2
    assert {row[1] for row in rows[1:]} == {str(htx.pk)}  # the organisation's id column
    # A role without any personal-data scope is offered no member export.
    client.force_login(make_user("co-van", Role.ALLIANCE_ADVISER, "19"))
    response = client.get(reverse("registry:members", args=[htx.pk]))
    assert response.status_code == 403 or "members.csv" not in response.content.decode()


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()

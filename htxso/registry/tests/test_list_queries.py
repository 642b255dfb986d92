"""The registry list page's queries and its rows' places (issue #24 item 1).

The page names each row's place from the process's unit names (`core.units.place_name`), and a
result that fits on its page is counted by its rows: a search for a few organisations runs one
statement.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from htxso.core import units
from htxso.core.models import Commune, Province

from .factories import OrganisationFactory


def _place_cells(html: str) -> list[str]:
    """The text of each row's fourth cell (the default columns: name, kind, tax code, place)."""
    rows = re.findall(r"<tr><td>(.*?)</tr>", html, re.S)
    return [re.findall(r"<td[^>]*>(.*?)</td>", "<td>" + row)[3] for row in rows]


@pytest.mark.django_db
def test_a_one_page_search_runs_one_statement_and_names_each_rows_place(client):
    commune = Commune.objects.filter(province_id="19").order_by("code").first()
    assert commune is not None
    OrganisationFactory(name="HTX Địa Bàn Một", commune_id=commune.code)
    OrganisationFactory(name="HTX Địa Bàn Hai", province_id="01")
    client.get("/registry/", {"q": "dia ban"})  # warm the process's caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/registry/", {"q": "dia ban"})
    assert response.status_code == 200
    assert len(queries) == 1, [q["sql"] for q in queries]
    assert 'id="result-count">2 tổ chức</p>' in response.content.decode()
    hanoi = Province.objects.get(code="01").short_name
    thai_nguyen = Province.objects.get(code="19").short_name
    assert _place_cells(response.content.decode()) == [
        hanoi,  # "HTX Địa Bàn Hai": no commune, the province alone
        f"{commune.name}, {thai_nguyen}",
    ]


@pytest.mark.django_db
def test_place_name_rereads_units_it_has_not_seen_and_shows_unknown_codes_as_they_are():
    first = Commune.objects.filter(province_id="19").order_by("code").first()
    assert first is not None
    units.place_name("19", first.code)  # the names are now kept by this process
    Commune.objects.create(
        code="99999", province_id="19", name="Xã Mới Lập", search_key="xa moi lap"
    )
    assert units.place_name("19", "99999").startswith("Xã Mới Lập, ")
    assert units.place_name("19", "99998").startswith("99998, ")
    assert units.place_name("00", None) == "00"


@pytest.mark.django_db
def test_a_code_still_unknown_after_a_reread_is_not_reread_on_every_row(
    django_assert_num_queries,
):
    units.place_name("19", None)
    with django_assert_num_queries(2):  # the one re-read: provinces and communes
        assert units.place_name("19", "99997").startswith("99997, ")
    with django_assert_num_queries(0):
        for _ in range(50):
            assert units.place_name("19", "99997").startswith("99997, ")
    Commune.objects.create(
        code="99996", province_id="19", name="Xã Vừa Lập", search_key="xa vua lap"
    )
    with django_assert_num_queries(2):  # another unseen code still re-reads once
        assert units.place_name("19", "99996").startswith("Xã Vừa Lập, ")


@pytest.mark.django_db
def test_a_known_place_is_named_by_lookups_alone(monkeypatch, django_assert_num_queries):
    """A row whose codes this process knows costs two dict lookups: the set difference over
    every commune code (`_unseen`, ~80 µs a row) runs only for a code not seen yet."""
    first = Commune.objects.filter(province_id="19").order_by("code").first()
    assert first is not None
    expected = units.place_name("19", first.code)
    province = Province.objects.get(code="19").short_name

    def unseen(*args: object) -> set[str]:
        raise AssertionError("_unseen ran for known codes")

    monkeypatch.setattr(units, "_unseen", unseen)
    with django_assert_num_queries(0):
        assert units.place_name("19", first.code) == expected
        assert units.place_name("19", None) == province
        assert units.place_name("19", "") == units.place_name("19", None)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_members_cell_is_intcomma_of_the_count(language):
    from types import SimpleNamespace

    from django.contrib.humanize.templatetags.humanize import intcomma
    from django.utils import translation

    from htxso.registry.lists import _members

    with translation.override(language):
        for n in (0, 7, 999, 1_000, 12_345, 999_999, 1_234_567, 10**12, -4_321):
            assert _members(SimpleNamespace(members_count=n)) == intcomma(n)
    assert _members(SimpleNamespace(members_count=1_234_567)) in ("1.234.567", "1,234,567")

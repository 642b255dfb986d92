"""The catalogue's pages (page and API): keyset cursors at any depth, a search's bounded
candidates with the exact name first, a tampered cursor refused without a 500."""

import pytest
from django.urls import reverse

from htxso.marketplace import browse
from htxso.marketplace.models import Product

from .conftest import make_product


@pytest.fixture
def many(manager, tea_coop):
    names = [f"Chè búp loại {n}" for n in range(30)] + ["Chè", "Trà che hạt"]
    return [make_product(manager, tea_coop, name=name, price=1000 * (n + 1)) for n, name in
            enumerate(names)]  # fmt: skip


def _walk(client, params: dict) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        response = client.get(
            reverse("marketplace:catalogue"), {**params, **({"cursor": cursor} if cursor else {})}
        )
        assert response.status_code == 200
        seen += [p.name for p in response.context["products"]]
        cursor = response.context["found"].next_cursor
        if not cursor:
            return seen
    raise AssertionError("no end")


def test_browsing_and_search_page_by_cursor_to_the_end(client, many):
    assert len(_walk(client, {})) == 32
    by_price = _walk(client, {"sort": "price"})
    assert by_price[0] == "Chè búp loại 0" and len(by_price) == 32
    found = _walk(client, {"q": "che"})
    assert len(found) == len(set(found)) == 32
    assert found[0] == "Chè"  # the exact name first


def test_a_broad_search_is_bounded_and_keeps_the_exact_name(client, many, monkeypatch):
    monkeypatch.setattr(browse, "CANDIDATES", 10)
    response = client.get(reverse("marketplace:catalogue"), {"q": "chè"})
    assert response.context["found"].capped
    names = [p.name for p in response.context["products"]]
    assert names[0] == "Chè" and len(names) == 10
    assert "phù hợp nhất" in response.content.decode()


def test_a_tampered_cursor_shows_the_first_page_with_a_400(client, many):
    for cursor in ("xyz", "WyJhZnRlciIsIDk5OTk5OV0"):  # garbage; a product not in the list
        response = client.get(reverse("marketplace:catalogue"), {"q": "che", "cursor": cursor})
        assert response.status_code == 400
        assert "trang đầu" in response.content.decode()
    api = client.get("/api/v1/market/products", {"q": "che", "cursor": "xyz"})
    assert api.status_code == 422 and api.json()["errors"][0]["field"] == "cursor"


def test_the_api_pages_a_search_with_cursors(client, many):
    first = client.get("/api/v1/market/products", {"q": "che", "limit": 20}).json()
    second = client.get(
        "/api/v1/market/products", {"q": "che", "limit": 20, "cursor": first["next_cursor"]}
    ).json()
    ids = [p["id"] for p in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == Product.objects.count()
    assert second["next_cursor"] is None


def _search(client, **params) -> list[str]:
    response = client.get(reverse("marketplace:catalogue"), params)
    assert response.status_code == 200
    return [p.name for p in response.context["products"]]


def test_every_word_is_a_whole_word_and_the_last_may_be_still_typed(
    client, manager, tea_coop, rice_manager, rice_coop
):
    make_product(manager, tea_coop, name="Chè Tân Cương đặc biệt")
    make_product(manager, tea_coop, name="Chè búp Thái Nguyên")
    make_product(rice_manager, rice_coop, name="Gạo tám thơm", category="rice")
    assert _search(client, q="CHÈ tan cuong") == ["Chè Tân Cương đặc biệt"]
    assert _search(client, q="che bup") == ["Chè búp Thái Nguyên"]
    # No name has "cươ" as a word: the last word is read as a start of a word.
    assert _search(client, q="chè tân cươ") == ["Chè Tân Cương đặc biệt"]
    assert _search(client, q="ga") == ["Gạo tám thơm"]
    # Only the last word may be partial, and a word's middle is not a word.
    assert _search(client, q="ch tân") == []
    assert _search(client, q="uong") == []
    assert _search(client, q="tan cuong xyz") == []


def test_search_words_with_category_and_province(client, manager, tea_coop, rice_manager,
                                                 rice_coop):  # fmt: skip
    make_product(manager, tea_coop, name="Chè Tân Cương đặc biệt")
    make_product(rice_manager, rice_coop, name="Chè gạo nếp", category="rice")
    assert sorted(_search(client, q="chè")) == ["Chè Tân Cương đặc biệt", "Chè gạo nếp"]
    assert _search(client, q="chè", category="tea") == ["Chè Tân Cương đặc biệt"]
    assert _search(client, q="chè", province="01") == ["Chè gạo nếp"]
    assert _search(client, q="chè", province="01", category="tea") == []
    assert _search(client, q="chè", category="seafood") == []
    assert _search(client, q="chè tân cươ", province="19") == ["Chè Tân Cương đặc biệt"]
    assert _search(client, q="chè tân cươ", province="01") == []
    api = client.get("/api/v1/market/products", {"q": "che", "category": "rice"}).json()
    assert [p["name"] for p in api["items"]] == ["Chè gạo nếp"]


def test_names_starting_with_the_words_cap_a_broad_search_as_whole_words(
    client, manager, tea_coop, monkeypatch, django_assert_max_num_queries
):
    """More names start with the words than the candidates hold: those are the candidates
    (whole words: "Chèo" does not start with the word "chè"), the exact name first, and the
    full-text index is not read (one query for the candidates, one for the page's rows)."""
    monkeypatch.setattr(browse, "CANDIDATES", 4)
    for name in ["Chèo rang", "Chèo", "Chè búp 1", "Chè búp 2", "Chè búp 3", "Chè búp 4",
                 "Chè búp 5", "Chè", "Bánh chè"]:  # fmt: skip
        make_product(manager, tea_coop, name=name)
    with django_assert_max_num_queries(3):  # the session's, the candidates, the rows
        response = client.get(reverse("marketplace:catalogue"), {"q": "chè"})
    names = [p.name for p in response.context["products"]]
    assert response.context["found"].capped
    assert names == ["Chè", "Chè búp 1", "Chè búp 2", "Chè búp 3"]


def test_a_capped_search_takes_starting_names_then_other_matches(
    client, manager, tea_coop, monkeypatch
):
    monkeypatch.setattr(browse, "CANDIDATES", 4)
    for name in ["Bánh chè 1", "Bánh chè 2", "Bánh chè 3", "Chè 1", "Chèo 1", "Bánh chè 4"]:
        make_product(manager, tea_coop, name=name)
    names = _walk(client, {"q": "che"})
    # "Chè 1" starts with the word (up to 2 of the 4 are starting names), then the first
    # matches the index finds; "Chèo" is no match.
    assert len(names) == 4 and names[0] == "Chè 1"  # the words as a prefix rank first
    assert all(name.startswith("Bánh chè ") for name in names[1:])


def test_a_word_still_typed_caps_on_names_starting_with_it(client, manager, tea_coop, monkeypatch):
    monkeypatch.setattr(browse, "CANDIDATES", 2)
    for name in ["Chèo 1", "Chèo 2", "Chèo 3", "Bánh chèo"]:
        make_product(manager, tea_coop, name=name)
    response = client.get(reverse("marketplace:catalogue"), {"q": "ch"})
    assert response.context["found"].capped
    assert [p.name for p in response.context["products"]] == ["Chèo 1", "Chèo 2"]
    response = client.get(reverse("marketplace:catalogue"), {"q": "banh ch"})
    assert [p.name for p in response.context["products"]] == ["Bánh chèo"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("price", [2, 4, 1, 3]), ("-price", [3, 1, 4, 2]), ("new", [4, 3, 2, 1])],
)
def test_a_search_sorted_by_price_or_newest(client, manager, tea_coop, sort, expected):
    for n, price in [(1, 3000), (2, 1000), (3, 4000), (4, 2000)]:
        make_product(manager, tea_coop, name=f"Chè số {n}", price=price)
    make_product(manager, tea_coop, name="Gạo", price=500)
    assert _walk(client, {"q": "chè", "sort": sort}) == [f"Chè số {n}" for n in expected]


def test_a_capped_search_with_a_price_reads_the_index_first_and_keeps_the_exact_name(
    client, manager, tea_coop, monkeypatch
):
    monkeypatch.setattr(browse, "CANDIDATES", 3)
    for n in range(4):
        make_product(manager, tea_coop, name=f"Bánh chè {n}", price=1000)
    make_product(manager, tea_coop, name="Chè xanh", price=5000)
    make_product(manager, tea_coop, name="Chè", price=1000)
    response = client.get(reverse("marketplace:catalogue"), {"q": "chè", "max_price": "2.000"})
    names = [p.name for p in response.context["products"]]
    assert response.context["found"].capped and len(names) == 3
    assert names[0] == "Chè" and "Chè xanh" not in names

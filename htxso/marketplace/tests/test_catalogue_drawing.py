"""The catalogue's drawing (`templatetags/market.py`): the filter widgets remembered per
language, value and error state come out exactly as Django draws them, whatever was drawn
before; the product cards show what the include showed (photo, price, stars only while the
certificate holds, seller, province) and the seller's other columns are not read."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from htxso.marketplace.filters import CatalogueFilter
from htxso.marketplace.templatetags import market

from .conftest import make_product


@pytest.fixture(autouse=True)
def _fresh_drawings():
    market._widgets.clear()
    yield
    market._widgets.clear()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"q": "chè", "province": "01"},
        {"province": "79", "category": "tea", "stars": "4", "sort": "-price"},
        {"max_price": "abc"},  # an error: aria-invalid and the error's id
        {"max_price": "5.000.000", "q": '"><script>'},
        {"province": "99"},  # not a choice
    ],
)
def test_a_remembered_widget_is_what_django_draws(db, data):
    for language in ("vi", "en"):
        with translation.override(language):
            for _ in range(2):  # drawn, then remembered
                form = CatalogueFilter(data)
                form.is_valid()
                for field in form:
                    assert market.widget(field) == field.as_widget()


def test_the_page_follows_the_language_the_value_and_the_error(client, tea):
    url = reverse("marketplace:catalogue")
    vi = client.get(url, {"province": "01"}).content.decode()
    assert '<option value="01" selected>' in vi and "Tất cả" in vi
    en = client.get(url, {"province": "79"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<option value="79" selected>' in en and '<option value="01" selected>' not in en
    assert "All" in en and "Tất cả" not in en
    bad = client.get(url, {"max_price": "abc"}).content.decode()
    assert 'aria-invalid="true"' in bad
    good = client.get(url, {"max_price": "5.000"}).content.decode()
    assert 'aria-invalid="true"' not in good and 'value="5.000"' in good


def test_the_drawings_kept_are_bounded(db, monkeypatch):
    monkeypatch.setattr(market, "WIDGETS", 5)
    for n in range(20):
        form = CatalogueFilter({"q": f"chè {n}"})
        form.is_valid()
        market.widget(form["q"])
    assert len(market._widgets) == 5


def test_a_card_shows_the_product_and_stars_only_while_certified(client, manager, tea_coop):
    today = dt.date.today()
    make_product(
        manager, tea_coop, name="Chè <b>đinh</b>", price=1_250_000,
        ocop_stars=4, ocop_certificate="OCOP-1", ocop_expires_on=today,
    )  # fmt: skip
    make_product(
        manager, tea_coop, name="Chè hết hạn", ocop_stars=5, ocop_certificate="OCOP-2",
        ocop_expires_on=today - dt.timedelta(days=1),
    )  # fmt: skip
    page = client.get(reverse("marketplace:catalogue")).content.decode()
    assert "Chè &lt;b&gt;đinh&lt;/b&gt;" in page and "<b>đinh" not in page
    assert "1.250.000 đ / gói" in page
    assert "OCOP 4★" in page and "OCOP 5★" not in page
    assert f"{tea_coop.name} · {tea_coop.province.name}" in page
    seller = client.get(reverse("marketplace:seller", args=[tea_coop.pk])).content.decode()
    assert "OCOP 4★" in seller and "OCOP 5★" not in seller


def test_the_cards_read_only_their_columns(client, manager, tea_coop):
    make_product(manager, tea_coop, description="mô tả dài " * 50)
    with CaptureQueriesContext(connection) as ctx:
        client.get(reverse("marketplace:catalogue"))
    rows = [q["sql"] for q in ctx.captured_queries if "marketplace_product" in q["sql"]]
    assert rows and all('"description"' not in sql for sql in rows)
    assert all('"registry_organisation"."charter_capital"' not in sql for sql in rows)
